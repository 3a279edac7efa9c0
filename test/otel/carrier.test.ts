import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { context, trace } from '@opentelemetry/api';
import { captureTraceCarrier, extractTraceContext, injectTraceContext, instrumentTheus, runInTraceCarrier, runWithTraceContext } from '../../src/otel/index.js';
import { otelHarness, useAsyncLocalStorageContext } from './otel-harness.js';

let h: ReturnType<typeof otelHarness>;
let undoContext: () => void;
beforeEach(() => {
  undoContext = useAsyncLocalStorageContext();
  h = otelHarness();
});
afterEach(async () => {
  undoContext();
  await h.shutdown();
});

describe('trace context carried into worker tasks', () => {
  it('captures nothing while not instrumented (the engine pays one global lookup)', () => {
    expect(captureTraceCarrier()).toBeUndefined();
  });

  it('captures the active span as a W3C traceparent and restores it as the remote parent', async () => {
    const uninstall = instrumentTheus({ tracerProvider: h.tracerProvider, meterProvider: h.meterProvider });
    try {
      const parent = h.tracerProvider.getTracer('t').startSpan('attempt');
      const carrier = context.with(trace.setSpan(context.active(), parent), () => captureTraceCarrier());
      expect(carrier?.traceparent).toBe(`00-${parent.spanContext().traceId}-${parent.spanContext().spanId}-01`);
      // Structured-cloneable: what crosses postMessage.
      const copy = structuredClone(carrier)!;
      const inWorker = await runInTraceCarrier(copy, () => {
        const child = h.tracerProvider.getTracer('t').startSpan('worker.body');
        child.end();
        return trace.getSpanContext(context.active());
      });
      expect(inWorker?.spanId).toBe(parent.spanContext().spanId);
      expect(inWorker?.isRemote).toBe(true);
      const [child] = h.byName('worker.body');
      expect(child!.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      parent.end();
    } finally {
      uninstall();
    }
    expect(captureTraceCarrier()).toBeUndefined();
  });

  it('loads the API on demand in a thread where instrumentTheus did not run', async () => {
    const carrier = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    const sc = await runInTraceCarrier(carrier, () => trace.getSpanContext(context.active()));
    expect(sc?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  });

  it('ignores junk carriers: no context, no throw', async () => {
    for (const bad of [{}, { traceparent: 'nope' }, { traceparent: '00-00000000000000000000000000000000-0000000000000000-01' }, { traceparent: 42 }, { __proto__: { traceparent: 'x' } }]) {
      const ctx = extractTraceContext(bad as never);
      expect(trace.getSpanContext(ctx)).toBeUndefined();
      expect(runWithTraceContext(bad as never, () => 5)).toBe(5);
    }
    expect(await runInTraceCarrier(undefined, () => 6)).toBe(6);
    expect(await runInTraceCarrier(null as never, () => 7)).toBe(7);
    expect(injectTraceContext({})).toEqual({}); // no active span: nothing written
  });
});
