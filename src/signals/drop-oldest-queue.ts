/**
 * A FIFO of at most `capacity` items that drops its oldest item to make room. Storage grows by doubling up to the
 * capacity, so a large bound costs nothing until a consumer actually falls behind.
 */
export class DropOldestQueue<T> {
  private slots: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<T | undefined>(Math.min(capacity, 16));
  }

  get length(): number {
    return this.count;
  }

  /** Appends `item`; returns true when the oldest item had to be dropped for it. */
  push(item: T): boolean {
    if (this.count === this.capacity) {
      this.slots[(this.head + this.count) % this.slots.length] = item;
      this.head = (this.head + 1) % this.slots.length;
      return true;
    }
    if (this.count === this.slots.length) this.grow();
    this.slots[(this.head + this.count) % this.slots.length] = item;
    this.count++;
    return false;
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.slots.length;
    this.count--;
    return item;
  }

  clear(): void {
    this.slots = new Array<T | undefined>(Math.min(this.capacity, 16));
    this.head = 0;
    this.count = 0;
  }

  private grow(): void {
    const size = Math.min(this.capacity, this.slots.length * 2);
    const next = new Array<T | undefined>(size);
    for (let i = 0; i < this.count; i++) next[i] = this.slots[(this.head + i) % this.slots.length];
    this.slots = next;
    this.head = 0;
  }
}
