/**
 * The engine's side of trace propagation into worker tasks, without loading OpenTelemetry.
 *
 * Main thread: `captureTraceCarrier()` while the attempt runs (its span is the active context) and
 * put the result into the task payload. Worker: `runInTraceCarrier(payload.trace, run)`. Both cost
 * one global lookup when tracing is off: the hook exists only after `instrumentTheus()` ran in this
 * thread, and a worker loads `@opentelemetry/api` only when a task actually carries a context.
 */
export type TraceCarrier = Record<string, string>;

export interface TraceCarrierHook {
  capture(): TraceCarrier | undefined;
  run<T>(carrier: TraceCarrier, fn: () => T): T;
}

export const TRACE_HOOK = Symbol.for('theus.otel.trace-carrier');

type WithHook = { [TRACE_HOOK]?: TraceCarrierHook };

/** The active trace context as plain strings (W3C `traceparent`…), or undefined when not tracing. */
export function captureTraceCarrier(): TraceCarrier | undefined {
  const hook = (globalThis as WithHook)[TRACE_HOOK];
  return hook === undefined ? undefined : hook.capture();
}

/**
 * Runs `fn` with the carried context active. Without a carrier it just calls `fn`; in a thread
 * where `instrumentTheus()` did not run it loads the API on demand, and runs `fn` plainly when the
 * optional `@opentelemetry/api` is not installed.
 */
export async function runInTraceCarrier<T>(carrier: TraceCarrier | undefined, fn: () => T | Promise<T>): Promise<T> {
  if (carrier === undefined || carrier === null || typeof carrier !== 'object') return fn();
  const hook = (globalThis as WithHook)[TRACE_HOOK];
  if (hook !== undefined) return hook.run(carrier, fn);
  let run: ((c: TraceCarrier, f: () => T | Promise<T>) => T | Promise<T>) | undefined;
  try {
    run = (await import('./carrier.js')).runWithTraceContext;
  } catch {
    run = undefined;
  }
  return run === undefined ? fn() : run(carrier, fn);
}
