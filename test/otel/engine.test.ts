// OpenTelemetry on a real engine: spans, conflict events, errors and metrics from the engine's
// own channel events.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AsyncLocalStorage } from 'node:async_hooks';
import { SpanStatusCode, trace } from '@opentelemetry/api';
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

/** Whether the engine runs attempts inside the tracing channel's bound stores (runStores). */
async function engineEntersStores(): Promise<boolean> {
  const probe = new AsyncLocalStorage<string>();
  attemptChannel.start.bindStore(probe as never, () => 'in');
  try {
    const e = new TheusEngine({ domain: { x: 0 } });
    let seen: string | undefined;
    e.register(defineProcess({ name: 'probe', inputs: [], outputs: ['domain.x'] }, (ctx: any) => { seen = probe.getStore(); ctx.domain.x = 1; }));
    await e.execute('probe');
    await e.close();
    return seen === 'in';
  } finally {
    attemptChannel.start.unbindStore(probe as never);
  }
}

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

  it('runs user code inside the attempt span (when the engine enters the tracing channel stores)', async (ctx) => {
    if (!(await engineEntersStores())) ctx.skip();
    let active: string | undefined;
    engine.register(defineProcess({ name: 'who', inputs: [], outputs: ['domain.n'] }, (c: any) => { active = trace.getActiveSpan()?.spanContext().spanId; c.domain.n = 1; }));
    await engine.execute('who');
    const [attempt] = h.byName('theus.attempt who');
    expect(active).toBe(attempt!.spanContext().spanId);
  });
});
