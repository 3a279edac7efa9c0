/**
 * The priority lane that keeps a repeatedly conflicting process from starving. Whoever holds it
 * is the only one allowed to commit; other commits wait for its release. A holder is an opaque
 * token (one per execute call), so a process can never be blocked by itself.
 *
 * Contenders queue in arrival order and the lane is handed straight to the next one on release:
 * with a single "first to grab it" slot, a process that reached the threshold while someone else
 * held the lane kept conflicting with each successive holder and could still exhaust its retries.
 */
export class PriorityLane {
  #holder: object | undefined;
  readonly #queue: object[] = [];
  #waiters: (() => void)[] = [];

  get held(): boolean {
    return this.#holder !== undefined;
  }

  isHeldBy(token: object): boolean {
    return this.#holder === token;
  }

  /** Takes the lane if it is free; returns whether `token` holds it now. Does not queue. */
  tryAcquire(token: object): boolean {
    if (this.#holder === undefined) this.#holder = token;
    return this.#holder === token;
  }

  /** Takes the lane, queueing behind earlier contenders (FIFO); resolves once `token` holds it. */
  async acquire(token: object): Promise<void> {
    if (this.tryAcquire(token)) return;
    if (!this.#queue.includes(token)) this.#queue.push(token);
    while (this.#holder !== token) {
      // Free and our turn (or the queue was dropped by releaseAll): take it.
      if (this.#holder === undefined && (this.#queue.length === 0 || this.#queue[0] === token)) {
        if (this.#queue[0] === token) this.#queue.shift();
        this.#holder = token;
        return;
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Gives the lane up (to the next queued contender) or leaves the queue. */
  release(token: object): void {
    const queued = this.#queue.indexOf(token);
    if (queued >= 0) this.#queue.splice(queued, 1);
    if (this.#holder !== token) return;
    this.#holder = this.#queue.shift();
    this.#wake();
  }

  /** Resolves when nobody but `token` holds the lane. */
  async waitFor(token: object): Promise<void> {
    while (this.#holder !== undefined && this.#holder !== token) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Wakes every waiter (on close), whoever holds the lane. */
  releaseAll(): void {
    this.#holder = undefined;
    this.#queue.length = 0;
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

/** Exponential backoff with full jitter: uniform in [0, min(max, base · 2^attempt)). */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.random() * Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
}
