import { TheusError } from '../errors.js';

/** The write deadline and the caller's abort, as one lazily created AbortSignal. */
export class Deadline {
  #controller: AbortController | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #unlink: (() => void) | undefined;
  readonly #started = performance.now();
  /** The deadline timer fired (ctx.abortSignal told the process its time was up). */
  expired = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly external: AbortSignal | undefined,
  ) {}

  signal(): AbortSignal {
    if (this.#controller) return this.#controller.signal;
    const c = (this.#controller = new AbortController());
    const remaining = Math.max(0, this.timeoutMs - (performance.now() - this.#started));
    this.#timer = setTimeout(() => {
      // Timers may fire a little early (loop time is cached): once fired, the attempt is over time.
      this.expired = true;
      c.abort(new TheusError('WRITE_TIMEOUT', `The write deadline of ${this.timeoutMs} ms passed.`));
    }, remaining);
    this.#timer.unref?.();
    if (this.external) {
      if (this.external.aborted) c.abort(this.external.reason);
      else {
        const ext = this.external;
        const onAbort = () => c.abort(ext.reason);
        ext.addEventListener('abort', onAbort, { once: true });
        this.#unlink = () => ext.removeEventListener('abort', onAbort);
      }
    }
    return c.signal;
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#unlink?.();
  }
}
