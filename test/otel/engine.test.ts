// OpenTelemetry on a real engine: spans, conflict events, errors and metrics from the engine's
// own channel events.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AsyncLocalStorage } from 'node:async_hooks';
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import { TheusEngine, process as defineProcess } from '../../src/index.js';
import { attemptChannel } from '../../src/engine/channels.js';
import { instrumentTheus } from '../../src/otel/index.js';
import { otelHarness, useAsyncLocalStorageContext } from './otel-harness.js';

let h: ReturnType<typeof otelHarness>;
let uninstall: () => void;
let undoContext: () => void;
let engine: TheusEngine;

beforeEach(() => {
  undoContext = useAsyncLocalStorageContext();
  h = otelHarness();
  uninstall = instrumentTheus({ tracerProvider: h.tracerProvider, meterProvider: h.meterProvider });
  engine = new TheusEngine({ domain: { n: 0 } }, { backoffBaseMs: 0, backoffMaxMs: 0 });
});
afterEach(async () => {
  uninstall();
  undoContext();
  await engine.close();
  await h.shutdown();
});

const inc = defineProcess({ name: 'inc', inputs: ['domain.n'], outputs: ['domain.n'] }, async (ctx: any) => {
  const v = ctx.domain.n;
  await new Promise((r) => setTimeout(r, 2));
  ctx.domain.n = v + 1;
});

describe('instrumentTheus on a real engine', () => {
  it('traces execute and attempts, records conflicts with their paths, retries and commits', async () => {
    engine.register(inc);
    await Promise.all([engine.execute('inc'), engine.execute('inc'), engine.execute('inc')]);
    const executes = h.byName('theus.execute inc');
    const attempts = h.byName('theus.attempt inc');
    expect(executes).toHaveLength(3);
    expect(attempts.length).toBeGreaterThan(3);
    for (const a of attempts) expect(executes.map((x) => x.spanContext().spanId)).toContain(a.parentSpanContext?.spanId);
    const conflictEvents = attempts.flatMap((a) => a.events.filter((e) => e.name === 'theus.conflict'));
    expect(conflictEvents.length).toBeGreaterThan(0);
    expect(conflictEvents[0]!.attributes?.['theus.conflict.paths']).toEqual(['domain.n']);
    const m = await h.metrics();
    const total = (name: string) => (m.get(name)?.dataPoints ?? []).reduce((a, p) => a + (p.value as number), 0);
    expect(total('theus.commits')).toBe(3);
    expect(total('theus.conflicts')).toBe(conflictEvents.length);
    expect(total('theus.retries')).toBe(attempts.length - 3);
    expect(engine.state.domain.n).toBe(3);
  });

  it('marks a failed execute with ERROR and the exception', async () => {
    engine.register(defineProcess({ name: 'bad', inputs: [], outputs: ['domain.n'] }, () => { throw new RangeError('nope'); }));
    await expect(engine.execute('bad')).rejects.toThrow('nope');
    const [span] = h.byName('theus.execute bad');
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'nope' });
    expect(span!.events.some((e) => e.name === 'exception' && e.attributes?.['exception.type'] === 'RangeError')).toBe(true);
  });

  it('runs user code inside the attempt span, awaits included; its spans are the attempt\'s children', async () => {
    let before: string | undefined;
    let after: string | undefined;
    engine.register(
      defineProcess({ name: 'who', inputs: [], outputs: ['domain.n'] }, async (c: any) => {
        before = trace.getActiveSpan()?.spanContext().spanId;
        await new Promise((r) => setTimeout(r, 1));
        after = trace.getActiveSpan()?.spanContext().spanId;
        h.tracerProvider.getTracer('user').startSpan('user.work').end();
        c.domain.n = 1;
      }),
    );
    await engine.execute('who');
    const [attempt] = h.byName('theus.attempt who');
    const [user] = h.byName('user.work');
    expect(before).toBe(attempt!.spanContext().spanId);
    expect(after).toBe(attempt!.spanContext().spanId);
    expect(user!.parentSpanContext?.spanId).toBe(attempt!.spanContext().spanId);
    expect(trace.getActiveSpan()).toBeUndefined(); // nothing leaks out of the call
  });

  it('enters stores bound to the attempt channel for the body only, and parents the attempt on its execute under a caller span', async () => {
    const probe = new AsyncLocalStorage<string>();
    attemptChannel.start.bindStore(probe as never, () => 'in');
    let seen: string | undefined;
    try {
      engine.register(defineProcess({ name: 'probe', inputs: [], outputs: ['domain.n'] }, (c: any) => { seen = probe.getStore(); c.domain.n = 2; }));
      const outer = h.tracerProvider.getTracer('app').startSpan('http.request');
      await context.with(trace.setSpan(context.active(), outer), () => engine.execute('probe'));
      outer.end();
      expect(seen).toBe('in');
      expect(probe.getStore()).toBeUndefined();
      const [exec] = h.byName('theus.execute probe');
      const [att] = h.byName('theus.attempt probe');
      expect(exec!.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
      expect(att!.parentSpanContext?.spanId).toBe(exec!.spanContext().spanId);
    } finally {
      attemptChannel.start.unbindStore(probe as never);
    }
  });
});

describe('trace context in worker tasks', () => {
  it('a span a parallel process starts in its worker is a child of the attempt span', async () => {
    const { tracedWork } = await import('./fixtures/traced-parallel.js');
    const e = new TheusEngine({ domain: { n: 0 } }, { workers: { maxThreads: 1, minThreads: 0 } });
    try {
      e.register(tracedWork);
      const out = await e.execute(tracedWork);
      const [att] = h.byName('theus.attempt tracedWork');
      expect(out).toEqual({ parentSpanId: att!.spanContext().spanId, traceId: att!.spanContext().traceId });
      // Not instrumented: the task carries no context and the worker's span is a root.
      uninstall();
      expect(await e.execute(tracedWork)).toMatchObject({ parentSpanId: null });
    } finally {
      await e.close();
    }
  }, 90_000); // the first task starts a worker that compiles the TypeScript sources
});
