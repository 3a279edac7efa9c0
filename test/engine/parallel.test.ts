import { afterEach, describe, expect, it } from 'vitest';
import { ContractViolationError, PermissionDeniedError, TheusEngine, WorkerCrashedError, process } from '../../src/index.js';
import * as procs from './fixtures/parallel-procs.js';

const engines: TheusEngine[] = [];
function make(context: Record<string, unknown> = {}, options = {}): TheusEngine {
  const e = new TheusEngine(context, { workers: { maxThreads: 2, minThreads: 1 }, ...options });
  engines.push(e);
  return e;
}
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

describe('heavy zone', () => {
  it('alloc commits the array into state.heavy by reference; free removes it transactionally', () => {
    const engine = make();
    const m = engine.heavy.alloc('matrix', [2, 3], 'float32');
    expect(engine.state.version).toBe(1);
    expect(engine.state.heavy.matrix).toBe(m);
    m.set(1, 2, 7.5);
    expect(engine.state.heavy.matrix.get(1, 2)).toBe(7.5); // in-place, shared, not versioned
    expect(engine.heavy.stats().count).toBe(1);
    expect(() => engine.heavy.alloc('matrix', [1], 'int8')).toThrow(/already exists/);
    expect(engine.heavy.free('matrix')).toBe(true);
    expect(engine.state.heavy.matrix).toBeUndefined();
    expect(engine.state.version).toBe(2);
    expect(engine.heavy.stats().count).toBe(0);
  });

  it('refuses bad input with typed errors and allocates nothing', () => {
    const engine = make();
    for (const bad of [() => engine.heavy.alloc('a', [2], 'float128' as never), () => engine.heavy.alloc('b', [-1], 'int8'), () => engine.heavy.alloc('c', [1.5], 'int8'), () => engine.heavy.alloc('__proto__', [1], 'int8')]) {
      expect(bad).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    expect(engine.heavy.stats().count).toBe(0);
    expect(engine.state.version).toBe(0);
  });
});

describe('parallel processes', { timeout: 60_000 }, () => {
  it('run in a worker and commit their outputs with version + 1 (INC-009)', async () => {
    const engine = make({ domain: {} });
    engine.register(procs.evidence);
    await engine.execute('evidence');
    expect(engine.state.domain.evidence).toMatch(/^Processed by thread \d+$/);
    expect(engine.state.domain.evidence).not.toBe('Processed by thread 0');
    expect(engine.state.version).toBe(1);
  });

  it('zero copy: a worker writes into the heavy array and the main thread sees it on the same buffer (INC-014)', async () => {
    const engine = make();
    const m = engine.heavy.alloc('matrix', [4, 4], 'float64');
    engine.register(procs.stamp);
    const tid = await engine.executeParallel('stamp', { value: 123.5 });
    expect(tid).toBeGreaterThan(0);
    expect(m.data[0]).toBe(123.5);
    expect(engine.state.heavy.matrix.buffer).toBe(m.buffer);
    expect(m.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('row bands over several workers sum to the sequential result', async () => {
    const engine = make();
    const m = engine.heavy.alloc('matrix', [64, 32], 'float32');
    for (let i = 0; i < m.data.length; i++) m.data[i] = (i % 7) - 3;
    engine.register(procs.bandSum);
    const parts = await Promise.all([0, 16, 32, 48].map((from) => engine.executeParallel<number>('bandSum', { from, to: from + 16 })));
    const sequential = Array.from(m.data).reduce((a, b) => a + b, 0);
    expect(parts.reduce((a, b) => a + b, 0)).toBeCloseTo(sequential);
  });

  it('concurrent workers on one key conflict and retry to an exact count; disjoint keys never retry', async () => {
    const engine = make({ domain: { n: 0, keys: {} } }, { maxRetries: 50 });
    engine.register(procs.pinc);
    engine.register(procs.pset);
    await Promise.all(Array.from({ length: 4 }, () => engine.execute('pinc')));
    expect(engine.state.domain.n).toBe(4);
    expect(engine.metrics().byProcess.pinc!.retries).toBeGreaterThan(0);
    await Promise.all(['a', 'b', 'c', 'd'].map((key) => engine.execute('pset', { key })));
    expect(Object.keys(engine.state.domain.keys).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(engine.metrics().byProcess.pset!.retries).toBe(0);
  });

  it('contract enforcement holds in the worker; signals publish after the commit', async () => {
    const engine = make({ domain: { n: 1, y: 0 } });
    engine.register(procs.sneaky);
    engine.register(procs.signaller);
    const err = await engine.execute('sneaky').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'PermissionDeniedError', code: 'ILLEGAL_WRITE' });
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect(engine.state.domain.n).toBe(1);
    const seen: unknown[] = [];
    engine.signals.subscribe('done', (m) => seen.push([m.payload, engine.state.domain.y]));
    await engine.execute('signaller');
    expect(seen).toEqual([[{ ok: true }, 2]]);
  });

  it('faults: a throw, process.exit and a timeout reject, commit nothing, and the pool keeps serving', async () => {
    const engine = make({ domain: { x: 0 } });
    for (const p of [procs.failing, procs.exiting, procs.sleepy, procs.evidence]) engine.register(p);
    const thrown = await engine.execute('failing').catch((e: unknown) => e);
    expect(thrown).toMatchObject({ name: 'RangeError', message: 'worker says no' });
    await expect(engine.execute('evidence')).resolves.toMatch(/Processed by thread/);
    await expect(engine.execute('exiting')).rejects.toBeInstanceOf(WorkerCrashedError);
    await expect(engine.executeParallel('sleepy', {}, { timeoutMs: 200 })).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(engine.state.domain.x).toBe(0);
    await engine.execute('evidence');
    expect(engine.state.domain.evidence).toMatch(/Processed by thread/);
  });

  it('bad input: a non-parallel process, uncloneable args, an unlocatable module', async () => {
    const engine = make({ domain: {} });
    const local = process({ name: 'local', outputs: ['domain.z'] }, () => 1);
    engine.register(local);
    await expect(engine.executeParallel('local')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    engine.register(procs.evidence);
    await expect(engine.execute('evidence', { f: () => 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(engine.executeParallel('evidence', {}, { timeoutMs: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('close() shuts the pool down; later calls fail with ENGINE_CLOSED', async () => {
    const engine = make({ domain: {} });
    engine.register(procs.evidence);
    await engine.execute('evidence');
    await engine.close();
    await expect(engine.execute('evidence')).rejects.toMatchObject({ code: 'ENGINE_CLOSED' });
  });

  it('records where a process is defined, and refuses a parallel process whose module cannot be found, at registration', () => {
    const engine = make();
    const def = process({ name: 'inline', parallel: true }, () => 1);
    expect(def.moduleUrl).toMatch(/^file:.*parallel\.test\.ts$/);
    const forged = (moduleUrl: string | undefined, name: string) =>
      Object.assign(function forged() {}, { [Symbol.for('theus.process')]: true, processName: name, spec: { parallel: true }, fn: () => 1, moduleUrl });
    expect(() => engine.register(forged('file:///nowhere/ghost.js', 'ghost') as never)).toThrow(ContractViolationError);
    expect(() => engine.register(forged(undefined, 'ghost2') as never)).toThrow(/cannot be located/);
    expect(engine.processes()).toEqual([]);
  });
});
