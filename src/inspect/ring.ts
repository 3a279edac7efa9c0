/** A fixed-capacity buffer of the newest items, each with a sequence number that never repeats. */
export class Ring<T> {
  readonly #items: (T | undefined)[];
  #next = 0; // sequence number of the next push
  constructor(readonly capacity: number) {
    this.#items = new Array<T | undefined>(capacity);
  }

  push(item: T): number {
    const seq = this.#next++;
    this.#items[seq % this.capacity] = item;
    return seq;
  }

  /** Oldest sequence number still held. */
  get first(): number {
    return Math.max(0, this.#next - this.capacity);
  }

  get next(): number {
    return this.#next;
  }

  get(seq: number): T | undefined {
    if (seq < this.first || seq >= this.#next) return undefined;
    return this.#items[seq % this.capacity];
  }

  /** Items with sequence ≥ `from`, oldest first, at most `limit`. */
  *since(from: number, limit = Infinity): Generator<[number, T]> {
    let n = 0;
    for (let s = Math.max(from, this.first); s < this.#next && n < limit; s++, n++) yield [s, this.#items[s % this.capacity] as T];
  }

  /** Newest first. */
  *newest(): Generator<[number, T]> {
    for (let s = this.#next - 1; s >= this.first; s--) yield [s, this.#items[s % this.capacity] as T];
  }
}
