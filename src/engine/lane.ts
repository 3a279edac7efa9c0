/**
 * The priority lane that keeps a repeatedly conflicting process from starving. Whoever holds it
 * is the only one allowed to commit; other commits wait for its release. A holder is an opaque
 * token (one per execute call), so a process can never be blocked by itself.
 */
export class PriorityLane {
  #holder: object | undefined;
  #waiters: (() => void)[] = [];

  get held(): boolean {
    return this.#holder !== undefined;
  }

  isHeldBy(token: object): boolean {
    return this.#holder === token;
  }

  /** Takes the lane if it is free; returns whether `token` holds it now. */
  tryAcquire(token: object): boolean {
    if (this.#holder === undefined) this.#holder = token;
    return this.#holder === token;
  }

  release(token: object): void {
    if (this.#holder !== token) return;
    this.#holder = undefined;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
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
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

/** Exponential backoff with full jitter: uniform in [0, min(max, base · 2^attempt)). */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.random() * Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
}
