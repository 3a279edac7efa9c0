import { TheusError } from '../errors.js';

/**
 * The end of one attempt's time: the write deadline, the caller's abort and the engine's close(),
 * as one lazily created AbortSignal (`ctx.abortSignal`) and one cut-off that settles a pending
 * process whether or not it ever settles itself. Creating one costs a clock read: the timer is the
 * engine's single {@link DeadlineWatcher}, armed only for attempts that go asynchronous.
 */
export class Deadline {
  #controller: AbortController | undefined;
  #unlink: (() => void) | undefined;
  #reject: ((e: unknown) => void) | undefined;
  #reason: unknown;
  readonly #started = performance.now();
  /** Settled (finished or cut off): the watcher forgets it. */
  done = false;
  /** The deadline passed (ctx.abortSignal told the process its time was up). */
  expired = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly external: AbortSignal | undefined,
    private readonly what: string,
    private readonly watcher?: DeadlineWatcher,
  ) {}

  get dueAt(): number {
    return this.#started + this.timeoutMs;
  }

  get elapsedMs(): number {
    return performance.now() - this.#started;
  }

  /**
   * Throws unless the work may still commit: cut off (deadline, abort, close), or finished later
   * than the deadline even if nothing cut it off (a synchronous body that ran too long).
   */
  assertWithin(): void {
    if (this.expired || this.elapsedMs > this.timeoutMs) {
      throw new TheusError('WRITE_TIMEOUT', `${this.what} kept its transaction open ${Math.round(this.elapsedMs)} ms, over writeTimeoutMs ${this.timeoutMs}. Nothing was committed.`);
    }
    this.throwIfCancelled();
  }

  /** Throws the reason the attempt was cut off (abort, close), if it was; checked again right before commit. */
  throwIfCancelled(): void {
    if (this.#reason !== undefined) throw this.#reason;
    if (this.external?.aborted) throw this.#aborted();
  }

  signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
      this.#watch();
    }
    return this.#controller.signal;
  }

  /**
   * Continues with `onValue(result)` once `pending` settles, or with `onError(reason)` when the
   * deadline passes, the caller aborts or the engine closes: the caller stops waiting for a process
   * that ignores its abort signal. One promise: the continuation runs in the callback that settles
   * `pending` (a separate race promise cost every asynchronous attempt a promise and a microtask).
   * A cut-off runs `onError` a microtask later, never inside the canceller's own call.
   */
  raceThen<T, R>(pending: PromiseLike<T>, onValue: (v: T) => R | PromiseLike<R>, onError: (e: unknown) => R | PromiseLike<R>): Promise<R> {
    this.#watch();
    if (this.#reason !== undefined) return Promise.reject(this.#reason).then(undefined, onError);
    return new Promise<R>((resolve, reject) => {
      let open = true;
      const settle = <X>(f: (x: X) => R | PromiseLike<R>, x: X): void => {
        if (!open) return;
        open = false;
        // A settled deadline can stay queued in the watcher for a while: it must not keep the
        // attempt (reachable from the continuations) alive.
        this.#reject = undefined;
        try {
          resolve(f(x));
        } catch (e) {
          reject(e);
        }
      };
      this.#reject = (e) => {
        if (!open) return;
        open = false;
        this.#reject = undefined;
        resolve(Promise.reject(e).then(undefined, onError));
      };
      pending.then(
        (v) => settle(onValue, v),
        (e: unknown) => settle(onError, e),
      );
    });
  }

  /** Ends the attempt from outside (deadline passed, engine closed). */
  cancel(reason: unknown): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.#reject?.(reason);
  }

  /** Called by the watcher when the deadline passes. */
  expire(): void {
    this.expired = true;
    this.cancel(new TheusError('WRITE_TIMEOUT', `${this.what} kept its transaction open past writeTimeoutMs (${this.timeoutMs} ms). Nothing was committed.`));
  }

  dispose(): void {
    this.done = true;
    this.#unlink?.();
  }

  #watched = false;

  #watch(): void {
    if (this.#watched) return;
    this.#watched = true;
    if (this.watcher) this.watcher.watch(this);
    else {
      const t = setTimeout(() => this.expire(), Math.max(0, this.dueAt - performance.now()));
      t.unref?.();
      const prev = this.#unlink;
      this.#unlink = () => {
        clearTimeout(t);
        prev?.();
      };
    }
    const ext = this.external;
    if (ext) {
      if (ext.aborted) this.cancel(this.#aborted());
      else {
        const onAbort = () => this.cancel(this.#aborted());
        ext.addEventListener('abort', onAbort, { once: true });
        const prev = this.#unlink;
        this.#unlink = () => {
          ext.removeEventListener('abort', onAbort);
          prev?.();
        };
      }
    }
  }

  #aborted(): TheusError {
    return new TheusError('ABORTED', `${this.what} was aborted; nothing was committed.`, { cause: this.external?.reason });
  }
}

/**
 * One timer for all of an engine's pending attempts. They share one timeout, so their deadlines
 * come in the order they were watched: a FIFO queue, the timer armed for its head only.
 */
export class DeadlineWatcher {
  #queue: Deadline[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  watch(d: Deadline): void {
    this.#queue.push(d);
    // Settled attempts stay queued until the head reaches them: compact when they dominate.
    if (this.#queue.length - this.#head > 1024 && (this.#queue.length & 1023) === 0) this.#compact();
    if (this.#timer === undefined) this.#arm(d.dueAt);
  }

  /** Cuts off every pending attempt (engine closed). */
  cancelAll(reason: unknown): void {
    const pending = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const d of pending) if (!d.done) d.cancel(reason);
  }

  #arm(at: number): void {
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, at - performance.now()));
    this.#timer.unref?.();
  }

  #tick(): void {
    this.#timer = undefined;
    const now = performance.now();
    while (this.#head < this.#queue.length) {
      const d = this.#queue[this.#head]!;
      if (d.done) {
        this.#head++;
        continue;
      }
      // Timers may fire a little early (loop time is cached).
      if (d.dueAt - now > 1) break;
      this.#head++;
      d.expire();
    }
    this.#compact();
    if (this.#head < this.#queue.length) this.#arm(this.#queue[this.#head]!.dueAt);
  }

  #compact(): void {
    this.#queue = this.#queue.slice(this.#head).filter((d) => !d.done);
    this.#head = 0;
  }
}
