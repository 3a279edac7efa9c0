/**
 * Trace context in a plain, structured-cloneable carrier (what crosses into a worker thread).
 * The globally registered propagator is used when there is one; a W3C `traceparent` is written
 * and read directly otherwise, so a bare API with an SDK but no propagator still links spans.
 */
import { ROOT_CONTEXT, context as otelContext, propagation, trace, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { TRACE_HOOK, type TraceCarrier, type TraceCarrierHook } from './trace-hook.js';

const setter: TextMapSetter<TraceCarrier> = {
  set: (c, k, v) => {
    c[k] = v;
  },
};
const getter: TextMapGetter<TraceCarrier> = {
  keys: (c) => Object.keys(c),
  get: (c, k) => (Object.hasOwn(c, k) && typeof c[k] === 'string' ? c[k] : undefined),
};

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Writes the given (default: active) context into `carrier` and returns it. */
export function injectTraceContext(carrier: TraceCarrier = {}, ctx: Context = otelContext.active()): TraceCarrier {
  propagation.inject(ctx, carrier, setter);
  if (carrier.traceparent === undefined) {
    const sc = trace.getSpanContext(ctx);
    if (sc && trace.isSpanContextValid(sc)) carrier.traceparent = `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
  }
  return carrier;
}

/** A context whose parent span is the one carried (remote), on top of `base`. */
export function extractTraceContext(carrier: TraceCarrier, base: Context = otelContext.active()): Context {
  if (carrier === null || typeof carrier !== 'object') return base;
  const extracted = propagation.extract(base, carrier, getter);
  if (trace.getSpanContext(extracted) !== undefined && extracted !== base) return extracted;
  const m = typeof carrier.traceparent === 'string' ? TRACEPARENT.exec(carrier.traceparent) : null;
  if (!m) return base;
  const spanContext = { traceId: m[1]!, spanId: m[2]!, traceFlags: Number.parseInt(m[3]!, 16), isRemote: true };
  return trace.isSpanContextValid(spanContext) ? trace.setSpanContext(base, spanContext) : base;
}

export function runWithTraceContext<T>(carrier: TraceCarrier, fn: () => T): T {
  return otelContext.with(extractTraceContext(carrier, ROOT_CONTEXT), fn);
}

let installs = 0;
const hook: TraceCarrierHook = {
  capture() {
    const c = injectTraceContext({});
    return Object.keys(c).length === 0 ? undefined : c;
  },
  run: runWithTraceContext,
};

/** Publishes the hook the engine's worker dispatch reads; reference-counted across installs. */
export function installCarrierHook(): () => void {
  installs++;
  (globalThis as Record<symbol, unknown>)[TRACE_HOOK] = hook;
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    if (--installs === 0) delete (globalThis as Record<symbol, unknown>)[TRACE_HOOK];
  };
}
