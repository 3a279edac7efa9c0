// What feeds the inspector's workflow graphs and worker-pool lanes: step events from the workflow
// runner and the state machine, task events from the engine's parallel path, all named by engine.
import { afterEach, describe, expect, it } from 'vitest';
import { TheusEngine, process as defineProcess, type WorkerTaskEvent, type WorkflowStepEvent } from '../../src/index.js';
import { workerTaskChannel, workflowStepChannel } from '../../src/engine/channels.js';
import * as procs from '../engine/fixtures/parallel-procs.js';
import { inspected } from './harness.js';

const engines: TheusEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

function listen<T>(channel: { subscribe(f: (m: unknown) => void): void; unsubscribe(f: (m: unknown) => void): unknown }): { events: T[]; stop: () => void } {
  const events: T[] = [];
  const on = (m: unknown) => void events.push(m as T);
  channel.subscribe(on);
  return { events, stop: () => void channel.unsubscribe(on) };
}

const step = (name: string, fail = false) =>
  defineProcess({ name, inputs: ['domain.n'], outputs: ['domain.n'] }, (ctx: any) => {
    if (fail) throw new RangeError(`${name} failed`);
    ctx.domain.n += 1;
  });

function engineWithSteps(): TheusEngine {
  const e = new TheusEngine({ domain: { n: 0 } });
  engines.push(e);
  for (const p of [step('load'), step('compute'), step('explode', true)]) e.register(p);
  return e;
}

describe('workflow step events', () => {
  it('a workflow publishes start and done per step, failed with the error, under its name and engine', async () => {
    const engine = engineWithSteps();
    const seen = listen<WorkflowStepEvent>(workflowStepChannel);
    try {
      await engine.executeWorkflow({ name: 'checkout', steps: ['load', 'compute'] });
      await expect(engine.executeWorkflow({ name: 'broken', steps: ['load', 'explode', 'compute'] })).rejects.toThrow('explode failed');
    } finally {
      seen.stop();
    }
    expect(seen.events.map((e) => [e.workflow, e.kind, e.step, e.status, e.version])).toEqual([
      ['checkout', 'workflow', 'load', 'start', 0],
      ['checkout', 'workflow', 'load', 'done', 1],
      ['checkout', 'workflow', 'compute', 'start', 1],
      ['checkout', 'workflow', 'compute', 'done', 2],
      ['broken', 'workflow', 'load', 'start', 2],
      ['broken', 'workflow', 'load', 'done', 3],
      ['broken', 'workflow', 'explode', 'start', 3],
      ['broken', 'workflow', 'explode', 'failed', 3],
    ]);
    expect(seen.events.every((e) => e.engineId === engine.engineId)).toBe(true);
    expect(seen.events.at(-1)!.error).toBeInstanceOf(RangeError);
  });

  it('a state machine publishes each state it enters, and whether its entry finished or failed', async () => {
    const engine = engineWithSteps();
    const seen = listen<WorkflowStepEvent>(workflowStepChannel);
    try {
      const ok = engine.orchestrate({ name: 'job', initial: 'LOAD', states: { LOAD: { entry: 'load', events: { EVT_CHAIN_DONE: 'END' } }, END: { final: true } } });
      await ok.done;
      const bad = engine.orchestrate({ name: 'risky', initial: 'BOOM', states: { BOOM: { entry: 'explode', events: { EVT_CHAIN_FAIL: 'ERR' } }, ERR: { final: true } } });
      await bad.done;
    } finally {
      seen.stop();
    }
    const machine = seen.events.filter((e) => e.kind === 'machine').map((e) => [e.workflow, e.step, e.status]);
    expect(machine).toEqual([
      ['job', 'LOAD', 'transition'],
      ['job', 'LOAD', 'done'],
      ['job', 'END', 'transition'],
      ['risky', 'BOOM', 'transition'],
      ['risky', 'BOOM', 'failed'],
      ['risky', 'ERR', 'transition'],
    ]);
    // The entry workflows are graphs of their own, named after the machine and state.
    expect(seen.events.some((e) => e.kind === 'workflow' && e.workflow === 'job.LOAD' && e.step === 'load' && e.status === 'done')).toBe(true);
  });

  it('the inspector draws the graph of a running workflow from these events', async () => {
    const t = await inspected({ domain: { n: 0 } });
    try {
      for (const p of [step('load'), step('compute')]) t.engine.register(p);
      await t.engine.executeWorkflow({ name: 'checkout', steps: ['load', 'compute'] });
      const { graphs } = await t.api('graphs');
      const g = graphs.find((x: any) => x.name === 'checkout');
      expect(g).toMatchObject({ kind: 'workflow', engineId: t.engine.engineId, current: null, failed: null });
      expect(g.nodes).toEqual([
        { id: 'load', runs: 1, done: 1, failed: 0 },
        { id: 'compute', runs: 1, done: 1, failed: 0 },
      ]);
      expect(g.edges).toEqual([{ from: 'load', to: 'compute', count: 1 }]);
    } finally {
      await t.close();
    }
  });
});

describe('worker task events', () => {
  it('a parallel process publishes its settled task with the thread that ran it', async () => {
    const engine = new TheusEngine({ domain: { n: 0, x: 0 } }, { workers: { maxThreads: 1, minThreads: 0 } });
    engines.push(engine);
    engine.register(procs.pinc);
    engine.register(procs.failing);
    const seen = listen<WorkerTaskEvent>(workerTaskChannel);
    try {
      await engine.execute(procs.pinc);
      await expect(engine.execute(procs.failing)).rejects.toThrow('worker says no');
    } finally {
      seen.stop();
    }
    expect(seen.events).toHaveLength(2);
    const [done, failed] = seen.events;
    expect(done).toMatchObject({ pool: `engine ${engine.engineId.slice(0, 8)}`, task: 'pinc', status: 'done' });
    expect(done!.worker).toBeGreaterThan(0);
    expect(done!.durationMs).toBeGreaterThanOrEqual(5);
    expect(failed).toMatchObject({ task: 'failing', status: 'failed', worker: 0 });
    // Nobody listening: nothing is published (and the engine keeps working).
    await engine.execute(procs.pinc);
    expect(seen.events).toHaveLength(2);
    expect(engine.state.domain.n).toBe(2);
  }, 90_000); // the first task starts a worker that compiles the TypeScript sources
});
