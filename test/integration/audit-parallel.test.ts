/**
 * Audit of a `parallel: true` process: input rules run on the main thread before any work is dispatched, output
 * rules run on the main thread against what the worker asks to commit, and worker failures count on `<exception>`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AuditBlockError, TheusEngine } from '../../src/index.js';
import { pscore } from './fixtures/audit/parallel-audited.js';
import { expectTheus, expectUntouched, rejection, snapshotOf } from './fixtures/audit/support.js';

const RECIPE = {
  process_recipes: {
    pscore: {
      level: 'C',
      inputs: [{ field: 'value', max: 100, level: 'B', max_threshold: 0 }],
      outputs: [{ field: 'domain.score', min: 0, level: 'B', max_threshold: 0 }],
    },
  },
};

const engines: TheusEngine[] = [];

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

function makeEngine(): { engine: TheusEngine; hits: () => number } {
  const engine = new TheusEngine({ domain: { score: 0, thread: 0 } }, { auditRecipe: RECIPE, workers: { maxThreads: 1, minThreads: 1 } });
  engines.push(engine);
  const hits = engine.heavy.alloc('hits', [1], 'int32');
  engine.register(pscore);
  return { engine, hits: () => Atomics.load(hits.data, 0) };
}

describe('audit of a parallel process', { timeout: 60_000 }, () => {
  it('a passing call runs in a worker and commits', async () => {
    const { engine, hits } = makeEngine();
    await engine.executeParallel('pscore', { value: 21 });
    expect(engine.state.domain.score).toBe(42);
    expect(engine.state.domain.thread).toBeGreaterThan(0);
    expect(hits()).toBe(1);
    expect(engine.audit.log()).toEqual([]);
  });

  it('an input rule blocks on the main thread before the task is dispatched: no worker runs', async () => {
    const { engine, hits } = makeEngine();
    const before = snapshotOf(engine);
    const err = expectTheus(await rejection(engine.executeParallel('pscore', { value: 500 })), AuditBlockError, 'AUDIT_BLOCK');
    expect(err.rule).toBe('input:value');
    expect(hits()).toBe(0);
    expectUntouched(engine, before);
    // execute() of a parallel process goes through the same gate.
    await expect(engine.execute('pscore', { value: 101 })).rejects.toBeInstanceOf(AuditBlockError);
    expect(hits()).toBe(0);
  });

  it('an output rule checks what the worker returned, on the main thread, and rejects the commit', async () => {
    const { engine, hits } = makeEngine();
    const before = snapshotOf(engine);
    const err = expectTheus(await rejection(engine.executeParallel('pscore', { value: -4 })), AuditBlockError, 'AUDIT_BLOCK');
    expect(err.rule).toBe('output:domain.score');
    expect(hits()).toBe(1); // the worker ran; its result was refused
    expectUntouched(engine, before);
    expect(engine.audit.log()).toMatchObject([{ process: 'pscore', rule: 'output:domain.score', value: -8, action: 'blocked' }]);
  });

  it('a worker that throws is counted on <exception> with the process level (C: the error propagates)', async () => {
    const { engine } = makeEngine();
    const err = await rejection(engine.executeParallel('pscore', { value: 13 }));
    expect(err).toMatchObject({ name: 'RangeError', message: 'unlucky value' });
    expect(engine.audit.log()).toMatchObject([{ process: 'pscore', rule: '<exception>', level: 'C', action: 'logged' }]);
    expect(engine.audit.stats().processes.find((p) => p.process === 'pscore')).toMatchObject({ failures: 1, successes: 0 });
    await engine.executeParallel('pscore', { value: 1 });
    expect(engine.audit.stats().processes.find((p) => p.process === 'pscore')).toMatchObject({ failures: 1, successes: 1 });
  });
});
