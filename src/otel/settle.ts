/**
 * When a traced call is over. `tracePromise` publishes `end` when the call returns its promise and
 * `asyncEnd` when that promise settles; `traceSync` publishes only `end`, with `result` or `error`
 * already set. So `end` finishes a span only when the outcome is already known; a thenable result
 * seen at `end` (an async body traced with `traceSync`) finishes it when the thenable settles.
 */
export interface Settling {
  result?: unknown;
  error?: unknown;
}

export function settleAtEnd<E extends Settling>(ev: E, finish: (ev: E) => void): void {
  if (ev.error !== undefined) return finish(ev);
  if (!Object.hasOwn(ev, 'result')) return; // tracePromise: asyncEnd follows
  const r = ev.result as { then?: unknown } | null | undefined;
  if (r !== null && (typeof r === 'object' || typeof r === 'function') && typeof r.then === 'function') {
    Promise.resolve(r as PromiseLike<unknown>).then(
      () => finish(ev),
      (e: unknown) => {
        if (ev.error === undefined) (ev as Settling).error = e;
        finish(ev);
      },
    );
    return;
  }
  finish(ev);
}

/** A low-cardinality label for an error: its class name, or its type for non-errors. */
export function errorType(e: unknown): string {
  if (e instanceof Error) return e.name.slice(0, 64) || 'Error';
  return e === null ? 'null' : typeof e;
}
