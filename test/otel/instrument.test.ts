import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { instrumentTheus } from '../../src/otel/index.js';
import { attemptChannel, auditChannel, commitChannel, conflictChannel, executeChannel, type CommitEvent, type ConflictEvent } from '../../src/engine/channels.js';
import { TheusError } from '../../src/errors.js';
import { attemptEvent, executeEvent, otelHarness, useAsyncLocalStorageContext } from './otel-harness.js';

let h: ReturnType<typeof otelHarness>;
let uninstall: () => void;
let undoContext: () => void;

beforeEach(() => {
  undoContext = useAsyncLocalStorageContext();
  h = otelHarness();
  uninstall = instrumentTheus({ tracerProvider: h.tracerProvider, meterProvider: h.meterProvider });
});
afterEach(async () => {
  uninstall();
  undoContext();
  await h.shutdown();
});

const conflict = (ex: { engineId: string; executionId: string; process: string }, paths: string[]): ConflictEvent => ({
  engineId: ex.engineId,
  process: ex.process,
  route: 'execute',
  executionId: ex.executionId,
  attempt: 1,
  baseVersion: 3,
  winningVersion: 4,
  paths,
  ops: [],
});

const commit = (ex: { engineId: string; executionId: string; process: string }, version: number): CommitEvent => ({
  engineId: ex.engineId,
  version,
  baseVersion: version - 1,
  process: ex.process,
  route: 'execute',
  executionId: ex.executionId,
  ops: [{ op: 'replace', path: ['domain', 'n'], value: version }],
  signals: [],
  outbox: 0,
  at: Date.now(),
});

describe('instrumentTheus: spans', () => {
  it('opens theus.execute and theus.attempt, with user code running inside the attempt span', async () => {
    const ex = executeEvent('transfer');
    let active: Span | undefined;
    let child: Span | undefined;
    const result = await executeChannel.tracePromise(async () => {
      return attemptChannel.tracePromise(async () => {
        await new Promise((r) => setImmediate(r)); // the context survives an await
        active = trace.getActiveSpan();
        child = h.tracerProvider.getTracer('user').startSpan('user.work');
        child.end();
        commitChannel.publish(commit(ex, 7));
        return 'ok';
      }, attemptEvent(ex));
    }, ex);
    expect(result).toBe('ok');
    const [exec] = h.byName('theus.execute transfer');
    const [att] = h.byName('theus.attempt transfer');
    const [user] = h.byName('user.work');
    expect(exec && att && user).toBeTruthy();
    expect(att!.parentSpanContext?.spanId).toBe(exec!.spanContext().spanId);
    expect(active?.spanContext().spanId).toBe(att!.spanContext().spanId);
    expect(user!.parentSpanContext?.spanId).toBe(att!.spanContext().spanId);
    expect(exec!.attributes['theus.process']).toBe('transfer');
    expect(exec!.attributes['theus.version']).toBe(7);
    expect(exec!.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('parents the execute span on the caller’s active span', async () => {
    const outer = h.tracerProvider.getTracer('app').startSpan('http.request');
    const ex = executeEvent('p');
    const { context } = await import('@opentelemetry/api');
    await context.with(trace.setSpan(context.active(), outer), () => executeChannel.tracePromise(async () => undefined, ex));
    outer.end();
    const [exec] = h.byName('theus.execute p');
    expect(exec!.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
  });

  it('records conflicts as span events with the contested paths, and counts the retry', async () => {
    const ex = executeEvent('hot');
    await executeChannel.tracePromise(async () => {
      await attemptChannel.tracePromise(async () => {
        conflictChannel.publish(conflict(ex, ['domain.counter', '__proto__']));
      }, attemptEvent(ex, 1));
      await attemptChannel.tracePromise(async () => undefined, attemptEvent(ex, 2, 3));
    }, ex);
    const attempts = h.byName('theus.attempt hot');
    expect(attempts).toHaveLength(2);
    const first = attempts.find((s) => s.attributes['theus.attempt'] === 1)!;
    const ev = first.events.find((e) => e.name === 'theus.conflict')!;
    expect(ev.attributes?.['theus.conflict.paths']).toEqual(['domain.counter', '__proto__']);
    expect(ev.attributes?.['theus.winning_version']).toBe(4);
    const second = attempts.find((s) => s.attributes['theus.attempt'] === 2)!;
    expect(second.attributes['theus.backoff_ms']).toBe(3);
    const m = await h.metrics();
    expect(sum(m.get('theus.conflicts'))).toBe(1);
    expect(sum(m.get('theus.retries'))).toBe(1);
  });

  it('marks a failure with ERROR status and the exception, on both spans', async () => {
    const ex = executeEvent('boom');
    const err = new RangeError('amount must be positive');
    await expect(
      executeChannel.tracePromise(async () => attemptChannel.tracePromise(async () => Promise.reject(err), attemptEvent(ex)), ex),
    ).rejects.toBe(err);
    for (const name of ['theus.execute boom', 'theus.attempt boom']) {
      const [s] = h.byName(name);
      expect(s!.status.code).toBe(SpanStatusCode.ERROR);
      expect(s!.status.message).toBe('amount must be positive');
      const exc = s!.events.find((e) => e.name === 'exception')!;
      expect(exc.attributes?.['exception.type']).toBe('RangeError');
    }
    const m = await h.metrics();
    const d = m.get('theus.execute.duration')!;
    const point = d.dataPoints[0]!;
    expect(point.attributes['theus.outcome']).toBe('error');
    expect(point.attributes['error.type']).toBe('RangeError');
  });

  it('handles synchronous bodies traced with traceSync, a thrown non-Error, and a thenable seen at end', async () => {
    const ex = executeEvent('sync');
    executeChannel.traceSync(() => attemptChannel.traceSync(() => 1, attemptEvent(ex)), ex);
    expect(h.byName('theus.execute sync')).toHaveLength(1);
    expect(h.byName('theus.attempt sync')).toHaveLength(1);

    const ex2 = executeEvent('weird');
    expect(() => executeChannel.traceSync(() => { throw 'not an error'; }, ex2)).toThrow();
    const [w] = h.byName('theus.execute weird');
    expect(w!.status.code).toBe(SpanStatusCode.ERROR);

    const ex3 = executeEvent('late');
    let resolve!: () => void;
    const p = new Promise<void>((r) => (resolve = r));
    executeChannel.traceSync(() => p, ex3);
    expect(h.byName('theus.execute late')).toHaveLength(0); // still running
    resolve();
    await p;
    await new Promise((r) => setImmediate(r));
    expect(h.byName('theus.execute late')).toHaveLength(1);
  });
});

describe('instrumentTheus: metrics', () => {
  it('records duration in seconds, commits by route, audit violations by level, low-cardinality attributes only', async () => {
    const ex = executeEvent('transfer');
    await executeChannel.tracePromise(async () => {
      commitChannel.publish(commit(ex, 1));
    }, ex);
    for (const level of ['B', 'B', 'C', 'pass'] as const) auditChannel.publish({ engineId: 'e1', process: 'transfer', level, rule: 'max', message: 'amount > 100', version: 1 });
    const m = await h.metrics();
    const d = m.get('theus.execute.duration')!;
    expect(d.descriptor.unit).toBe('s');
    const point = d.dataPoints[0]! as { value: { count: number; sum: number } } & { attributes: Record<string, unknown> };
    expect(point.value.count).toBe(1);
    expect(point.value.sum).toBeLessThan(60);
    expect(Object.keys(point.attributes).sort()).toEqual(['theus.outcome', 'theus.process']);
    expect(sum(m.get('theus.commits'))).toBe(1);
    expect(m.get('theus.commits')!.dataPoints[0]!.attributes).toEqual({ 'theus.route': 'execute', 'theus.process': 'transfer' });
    const v = m.get('theus.audit.violations')!;
    const byLevel = Object.fromEntries(v.dataPoints.map((p) => [p.attributes['theus.audit.level'], p.value]));
    expect(byLevel).toEqual({ B: 2, C: 1 });
    for (const metric of m.values()) for (const p of metric.dataPoints) for (const key of Object.keys(p.attributes)) expect(key).not.toMatch(/path|value|execution/);
  });
});

describe('instrumentTheus: lifecycle and bad input', () => {
  it('rejects malformed options with a typed error', () => {
    for (const bad of ['x', null, [], { tracerProvider: {} }, { meterProvider: 3 }, { tracer: 1 }, { __proto__: { x: 1 }, constructor: 1 }]) {
      expect(() => instrumentTheus(bad as never)).toThrow(TheusError);
      try {
        instrumentTheus(bad as never);
      } catch (e) {
        expect((e as TheusError).code).toBe('INVALID_ARGUMENT');
      }
    }
  });

  it('uninstalls: no spans after, and a second call is harmless', async () => {
    uninstall();
    uninstall();
    const ex = executeEvent('after');
    await executeChannel.tracePromise(async () => undefined, ex);
    expect(h.byName('theus.execute after')).toHaveLength(0);
    expect(executeChannel.hasSubscribers).toBe(false);
    uninstall = () => undefined;
  });

  it('ignores events for executions it never saw start (attached mid-flight) and conflicts without an execution', () => {
    const ex = executeEvent('mid');
    executeChannel.end.publish(ex);
    executeChannel.asyncEnd.publish(ex);
    conflictChannel.publish({ ...conflict(ex, ['domain.x']), executionId: null, route: 'compareAndSwap' });
    expect(h.finished()).toHaveLength(0);
  });
});

describe('instrumentTheus without an AsyncLocalStorage context manager', () => {
  it('still parents attempt spans on their execute span', async () => {
    uninstall();
    undoContext();
    uninstall = instrumentTheus({ tracerProvider: h.tracerProvider, meterProvider: h.meterProvider });
    const ex = executeEvent('plain');
    await executeChannel.tracePromise(async () => attemptChannel.tracePromise(async () => undefined, attemptEvent(ex)), ex);
    const [exec] = h.byName('theus.execute plain');
    const [att] = h.byName('theus.attempt plain');
    expect(att!.parentSpanContext?.spanId).toBe(exec!.spanContext().spanId);
  });
});

function sum(m: { dataPoints: { value: unknown }[] } | undefined): number {
  return (m?.dataPoints ?? []).reduce((a, p) => a + (p.value as number), 0);
}
