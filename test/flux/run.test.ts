import { describe, expect, it } from 'vitest';
import { AuditAbortError, TheusError, WorkflowError, WorkflowSyntaxError } from '../../src/errors.js';
import { ConditionEvaluationError, parseWorkflow, runWorkflow } from '../../src/flux/index.js';
import type { StepReport } from '../../src/flux/index.js';
import { FakeHost, hostWith } from './fake-host.js';
import { ORIGINAL_WORKFLOW_EXAMPLE } from '../fixtures/reference-examples.js';

const ORIGINAL_EXAMPLE = ORIGINAL_WORKFLOW_EXAMPLE;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('runWorkflow: execution', () => {
  it('runs the original example unchanged, conditions seeing each committed step', async () => {
    const host = new FakeHost({ domain: { remaining: 0, log: [] } })
      .register('p_init', (ctx) => void (ctx.domain.remaining = 60))
      .register('p_validate', () => undefined)
      .register('p_next_item', (ctx) => {
        ctx.domain.remaining -= 10;
        ctx.domain.log.push(ctx.domain.remaining);
      })
      .register('p_checkpoint', (ctx) => void (ctx.domain.checkpoints = (ctx.domain.checkpoints ?? 0) + 1))
      .register('p_cleanup', () => undefined)
      .register('p_finalize', () => 'done');
    const result = await runWorkflow(host, ORIGINAL_EXAMPLE);
    // 60 → 50, 40 (checkpoint), 30, 20 (checkpoint), 10: the log reaches 5 entries and the loop ends
    expect(host.names()).toEqual([
      'p_init', 'p_validate',
      'p_next_item', 'p_next_item', 'p_checkpoint', 'p_next_item', 'p_next_item', 'p_checkpoint', 'p_next_item',
      'p_cleanup', 'p_finalize',
    ]);
    expect(host.domain).toEqual({ remaining: 10, log: [50, 40, 30, 20, 10], checkpoints: 2 });
    expect(result.steps.map((s) => s.name)).toEqual(host.names());
    expect(result.steps.map((s) => s.version)).toEqual(host.names().map((_, i) => i + 1));
    expect(result.iterations).toBe(6);
    expect(result.version).toBe(11);
    expect(result.steps[2]).toMatchObject({ path: 'steps[2].do[0]' });
    expect(host.beginSteps).toBe(11);
  });

  it('if takes then or else; an if with no branches does nothing', async () => {
    const yaml = `steps:
  - flux: if
    condition: domain.flag
    then: [yes]
    else: [no]
  - flux: if
    condition: "True"
`;
    const on = hostWith(['yes', 'no'], { domain: { flag: true } });
    await runWorkflow(on, yaml);
    expect(on.names()).toEqual(['yes']);
    const off = hostWith(['yes', 'no'], { domain: { flag: [] } });
    await runWorkflow(off, yaml);
    expect(off.names()).toEqual(['no']);
  });

  it('accepts object definitions and reuses a parsed workflow across runs', async () => {
    const workflow = parseWorkflow({ steps: ['a', { flux: 'run', steps: ['b'] }] });
    const host = hostWith(['a', 'b']);
    await runWorkflow(host, workflow);
    await runWorkflow(host, workflow);
    expect(host.names()).toEqual(['a', 'b', 'a', 'b']);
  });

  it('signals latched by a step are visible to the next condition, then cleared by the next commit', async () => {
    const host = new FakeHost()
      .register('emit', (ctx) => ctx.emit('cmd_stop', 'True'))
      .register('noop', () => undefined)
      .register('seen', () => undefined)
      .register('missed', () => undefined);
    await runWorkflow(host, `steps:
  - emit
  - flux: if
    condition: "signal.get('cmd_stop') == 'True' and cmd.cmd_stop == 'True'"
    then: [seen]
  - noop
  - flux: if
    condition: "signal.get('cmd_stop') is None"
    then: [missed]
`);
    expect(host.names()).toEqual(['emit', 'seen', 'noop', 'missed']);
  });

  it('calls onStep after each committed step; an onStep error stops the workflow', async () => {
    const host = hostWith(['a', 'b', 'c']);
    const seen: StepReport[] = [];
    await runWorkflow(host, { steps: ['a', 'b'] }, { onStep: (r) => seen.push(r) });
    expect(seen.map((r) => [r.name, r.version])).toEqual([['a', 1], ['b', 2]]);
    expect(seen.every((r) => r.durationMs >= 0)).toBe(true);
    const boom = new Error('progress bar broke');
    expect(await rejection(runWorkflow(host, { steps: ['c', 'a'] }, { onStep: () => { throw boom; } }))).toBe(boom);
    expect(host.names().slice(2)).toEqual(['c']);
  });
});

describe('runWorkflow: arguments', () => {
  it('passes workflow args merged under each step args (step wins) and exposes them to conditions', async () => {
    const host = hostWith(['charge', 'notify', 'skipped']);
    await runWorkflow(host, `steps:
  - process: charge
    args: { amount: 5, currency: EUR }
  - flux: if
    condition: args.orderId == 42 and args['region'] == 'eu'
    then: [notify]
    else: [skipped]
`, { args: { orderId: 42, region: 'eu', amount: 1 } });
    expect(host.calls).toEqual([
      { name: 'charge', args: { orderId: 42, region: 'eu', amount: 5, currency: 'EUR' } },
      { name: 'notify', args: { orderId: 42, region: 'eu', amount: 1 } },
    ]);
  });

  it('gives each step a fresh object, so a process cannot change what the next one receives', async () => {
    const host = new FakeHost()
      .register('mutate', (_ctx, args) => {
        args.extra = true;
      })
      .register('read', () => undefined);
    await runWorkflow(host, { steps: ['mutate', 'read'] }, { args: { id: 1 } });
    expect(host.calls[1]?.args).toEqual({ id: 1 });
    await runWorkflow(host, { steps: ['read'] });
    expect(host.calls[2]?.args).toEqual({});
  });

  it.each([
    [{ args: [1] }, /args must be a plain object/],
    [{ args: 'x' }, /args must be a plain object/],
    [{ maxIterations: 0 }, /maxIterations must be a positive integer/],
    [{ maxIterations: 1.5 }, /maxIterations must be a positive integer/],
    [{ maxIterations: Infinity }, /maxIterations must be a positive integer/],
    [{ signal: {} }, /signal must be an AbortSignal/],
    [{ onStep: 1 }, /onStep must be a function/],
  ])('refuses bad options %j', async (options, message) => {
    const host = hostWith(['a']);
    const error = await rejection(runWorkflow(host, { steps: ['a'] }, options as never));
    expect(error).toBeInstanceOf(TheusError);
    expect((error as TheusError).code).toBe('INVALID_ARGUMENT');
    expect((error as Error).message).toMatch(message);
    expect(host.calls).toEqual([]);
  });

  it('refuses a host that is not one', async () => {
    expect(await rejection(runWorkflow({} as never, { steps: [] }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await rejection(runWorkflow(null as never, { steps: [] }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('runWorkflow: loop limit (workflow/INC-021)', () => {
  it('an empty body with condition True trips instead of hanging', async () => {
    const host = hostWith([]);
    const error = await rejection(runWorkflow(host, 'steps:\n  - flux: while\n    condition: True\n    do: []\n', { maxIterations: 10 }));
    expect(error).toBeInstanceOf(WorkflowError);
    expect((error as WorkflowError).code).toBe('WORKFLOW_ERROR');
    expect((error as Error).message).toMatch(/Safety Trip: 'while' conditions were evaluated more than 10 times \(maxIterations\) at <inline>:2:5/);
  });

  it('the default limit is 10 000 evaluations', async () => {
    const error = await rejection(runWorkflow(hostWith([]), { steps: [{ flux: 'while', condition: 'True', do: [] }] }));
    expect((error as Error).message).toMatch(/more than 10000 times/);
  });

  it('nested while → if → process stops at no more than the limit executions', async () => {
    const host = hostWith(['work']);
    const error = await rejection(
      runWorkflow(host, { steps: [{ flux: 'while', condition: 'True', do: [{ flux: 'if', condition: 'True', then: ['work'] }] }] }, { maxIterations: 10 }),
    );
    expect(error).toBeInstanceOf(WorkflowError);
    expect(host.calls.length).toBeGreaterThan(0);
    expect(host.calls.length).toBeLessThanOrEqual(10);
  });

  it('with a limit of 1, a loop runs its body once and trips on the second evaluation', async () => {
    const host = hostWith(['work']);
    await rejection(runWorkflow(host, { steps: [{ flux: 'while', condition: 'True', do: ['work'] }] }, { maxIterations: 1 }));
    expect(host.names()).toEqual(['work']);
  });

  it('the cap counts evaluations across all loops of the run', async () => {
    const host = new FakeHost({ domain: { n: 0 } }).register('inc', (ctx) => void ctx.domain.n++);
    const loop = { flux: 'while', condition: 'domain.n % 4 != 3', do: ['inc'] };
    // first loop: 4 evaluations (n = 0, 1, 2 true; 3 false); second: n=3 false at once → 1; total 5
    const ok = await runWorkflow(host, { steps: [loop, loop] }, { maxIterations: 5 });
    expect(ok.iterations).toBe(5);
    const again = new FakeHost({ domain: { n: 0 } }).register('inc', (ctx) => void ctx.domain.n++);
    await expect(runWorkflow(again, { steps: [loop, 'inc', loop] }, { maxIterations: 5 })).rejects.toThrow(/Safety Trip/);
  });

  it('100 iterations with a large limit run fine', async () => {
    const host = new FakeHost({ domain: { n: 0 } }).register('inc', (ctx) => void ctx.domain.n++);
    const result = await runWorkflow(host, { steps: [{ flux: 'while', condition: 'domain.n < 100', do: ['inc'] }] }, { maxIterations: 50_000 });
    expect(result.steps).toHaveLength(100);
  });
});

describe('runWorkflow: unknown processes', () => {
  it('are all reported, with positions, before any step runs', async () => {
    const host = hostWith(['known']);
    const error = await rejection(runWorkflow(host, 'steps:\n  - known\n  - flux: if\n    condition: "True"\n    then: [ghost]\n  - phantom\n'));
    expect(error).toBeInstanceOf(TheusError);
    expect((error as TheusError).code).toBe('UNKNOWN_PROCESS');
    expect((error as Error).message).toContain("'ghost' at <inline>:5:12 (steps[1].then[0])");
    expect((error as Error).message).toContain("'phantom' at <inline>:6:5 (steps[2])");
    expect(host.calls).toEqual([]);
  });

  it('syntax errors also come before any step runs', async () => {
    const host = hostWith(['a']);
    const error = await rejection(runWorkflow(host, 'steps:\n  - a\n  - flux: if\n    condition: "domain.x >"\n'));
    expect(error).toBeInstanceOf(WorkflowSyntaxError);
    expect(host.calls).toEqual([]);
  });
});

describe('runWorkflow: failures', () => {
  class InsufficientFunds extends Error {}

  it('a failing step stops the workflow and its error is rethrown unchanged', async () => {
    const business = new InsufficientFunds('balance too low');
    const host = hostWith(['a', 'c']).register('b', () => {
      throw business;
    });
    expect(await rejection(runWorkflow(host, { steps: ['a', 'b', 'c'] }))).toBe(business);
    expect(host.names()).toEqual(['a', 'b']);
    expect(host.version()).toBe(1);
  });

  it('audit aborts keep their class so callers can tell them apart', async () => {
    const audit = new AuditAbortError('Audit Abort: amount operation cancelled', { process: 'pay', rule: 'amount' });
    const host = new FakeHost().register('pay', async () => {
      throw audit;
    });
    const error = await rejection(runWorkflow(host, { steps: ['pay'] }));
    expect(error).toBe(audit);
    expect((error as AuditAbortError).code).toBe('AUDIT_ABORT');
  });

  it('a condition that fails at evaluation stops the workflow with a positioned ConditionEvaluationError', async () => {
    const host = hostWith(['after'], { domain: { name: 'x' } });
    const error = await rejection(runWorkflow(host, 'steps:\n  - flux: if\n    condition: domain.name > 3\n    then: [after]\n'));
    expect(error).toBeInstanceOf(ConditionEvaluationError);
    expect([(error as ConditionEvaluationError).line, (error as ConditionEvaluationError).column]).toEqual([3, 28]);
    expect(host.calls).toEqual([]);
  });
});

describe('runWorkflow: abort', () => {
  it('an already aborted signal runs nothing', async () => {
    const host = hostWith(['a']);
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    controller.abort(reason);
    const error = await rejection(runWorkflow(host, { steps: ['a'] }, { signal: controller.signal }));
    expect(error).toBeInstanceOf(TheusError);
    expect((error as TheusError).code).toBe('ABORTED');
    expect((error as Error).cause).toBe(reason);
    expect(host.calls).toEqual([]);
  });

  it('aborting during a step lets that step finish, passes it the signal, and runs no further step', async () => {
    const controller = new AbortController();
    let received: AbortSignal | undefined;
    const host = hostWith(['after']).register('slow', async (ctx, _args, signal) => {
      received = signal;
      controller.abort('stop please');
      await new Promise((resolve) => setTimeout(resolve, 5));
      ctx.domain.slowDone = true;
    });
    const error = await rejection(runWorkflow(host, { steps: ['slow', 'after'] }, { signal: controller.signal }));
    expect((error as TheusError).code).toBe('ABORTED');
    expect((error as Error).cause).toBe('stop please');
    expect(received).toBe(controller.signal);
    expect(host.names()).toEqual(['slow']);
    expect(host.domain.slowDone).toBe(true);
  });

  it('a step that rejects because of the abort yields the ABORTED error, with signal.reason as cause', async () => {
    const controller = new AbortController();
    const host = hostWith(['after']).register('listening', (_ctx, _args, signal) =>
      new Promise((_resolve, reject) => {
        signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        setImmediate(() => controller.abort('timeout'));
      }),
    );
    const error = await rejection(runWorkflow(host, { steps: ['listening', 'after'] }, { signal: controller.signal }));
    expect((error as TheusError).code).toBe('ABORTED');
    expect((error as Error).cause).toBe('timeout');
    expect((error as Error).message).toMatch(/during process 'listening'/);
    expect(host.version()).toBe(0);
  });

  it('aborting stops a loop between iterations', async () => {
    const controller = new AbortController();
    const host = new FakeHost({ domain: { n: 0 } }).register('inc', (ctx) => {
      ctx.domain.n++;
      if (ctx.domain.n === 3) controller.abort();
    });
    const error = await rejection(runWorkflow(host, { steps: [{ flux: 'while', condition: 'True', do: ['inc'] }] }, { signal: controller.signal }));
    expect((error as TheusError).code).toBe('ABORTED');
    expect(host.domain.n).toBe(3);
  });
});

describe('runWorkflow: event loop (runtime/INC-008)', () => {
  it('a 10 ms interval keeps ticking while a workflow of synchronous steps runs', async () => {
    const busy = (ms: number): void => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        // a synchronous, CPU-bound process
      }
    };
    const host = new FakeHost().register('cpu', () => busy(5));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      await runWorkflow(host, { steps: Array.from({ length: 60 }, () => 'cpu') });
    } finally {
      clearInterval(timer);
    }
    // 60 × 5 ms of blocking work; without yielding between steps the interval could not fire at all
    expect(ticks).toBeGreaterThanOrEqual(5);
  });

  it('an empty loop body also yields', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const host = hostWith([]);
      await rejection(runWorkflow(host, { steps: [{ flux: 'while', condition: 'True', do: [] }] }, { maxIterations: 20_000 }));
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
  });
});
