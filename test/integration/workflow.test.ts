import { afterEach, describe, expect, it } from 'vitest';
import { AuditAbortError, TheusEngine, TheusError, WorkflowError, WorkflowSyntaxError, parseWorkflow, process } from '../../src/index.js';
import type { ProcessDefinition, WorkflowResult } from '../../src/index.js';
import { expectCode, gate, rejected, tempDir, thrown, until } from './fixtures/workflow/helpers.js';
import { ORIGINAL_WORKFLOW_EXAMPLE } from '../fixtures/reference-examples.js';

/** Workflows through the real engine: every step is a registered process committed in its own transaction. */

const engines: TheusEngine[] = [];
function engineWith(context: Record<string, unknown>, processes: ProcessDefinition[], options: ConstructorParameters<typeof TheusEngine>[1] = {}): TheusEngine {
  const engine = new TheusEngine(context, options);
  for (const p of processes) engine.register(p);
  engines.push(engine);
  return engine;
}
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.close();
});

const names = (r: WorkflowResult) => r.steps.map((s) => s.name);

/** Appends its name to `domain.trail`: the committed trail is the order in which steps really ran. */
function traced(name: string): ProcessDefinition {
  return process({ name, inputs: ['domain.trail'], outputs: ['domain.trail'] }, (ctx) => {
    ctx.domain.trail.push(name);
  });
}

const countdown = process({ name: 'countdown', inputs: ['domain.remaining', 'domain.trail'], outputs: ['domain.remaining', 'domain.trail'] }, (ctx) => {
  ctx.domain.remaining -= 1;
  ctx.domain.trail.push(`countdown:${ctx.domain.remaining}`);
});

const EVERY_CONSTRUCT_YAML = `
name: every construct
description: process, shorthand, while, if/else, run, nested
steps:
  - process: start
  - "validate"
  - flux: while
    condition: "domain['remaining'] > 0"
    do:
      - countdown
      - flux: if
        condition: "domain.remaining % 2 == 0"
        then: [even]
        else:
          - flux: if
            condition: domain.remaining == 1
            then: [one]
  - flux: run
    steps: [cleanup, finalize]
`;

const EXPECTED_TRAIL = ['start', 'validate', 'countdown:2', 'even', 'countdown:1', 'one', 'countdown:0', 'even', 'cleanup', 'finalize'];

function everyConstructEngine(): TheusEngine {
  return engineWith({ domain: { remaining: 3, trail: [] } }, [...['start', 'validate', 'even', 'one', 'cleanup', 'finalize'].map(traced), countdown]);
}

describe('every construct runs through engine.executeWorkflow', () => {
  it('from YAML text: steps run in order, each committed as its own version', async () => {
    const engine = everyConstructEngine();
    const result = await engine.executeWorkflow(EVERY_CONSTRUCT_YAML);
    expect(engine.state.domain.trail).toEqual(EXPECTED_TRAIL);
    expect(engine.state.domain.remaining).toBe(0);
    expect(names(result)).toEqual(['start', 'validate', 'countdown', 'even', 'countdown', 'one', 'countdown', 'even', 'cleanup', 'finalize']);
    expect(result.iterations).toBe(4); // three true evaluations and the false one
    expect(result.version).toBe(10);
    expect(engine.state.version).toBe(10);
    expect(result.steps.map((s) => s.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(result.steps.map((s) => s.path)).toEqual([
      'steps[0]',
      'steps[1]',
      'steps[2].do[0]',
      'steps[2].do[1].then[0]',
      'steps[2].do[0]',
      'steps[2].do[1].else[0].then[0]',
      'steps[2].do[0]',
      'steps[2].do[1].then[0]',
      'steps[3].steps[0]',
      'steps[3].steps[1]',
    ]);
  });

  it('from a YAML file in a temporary directory, read again on every call', async () => {
    const tmp = await tempDir('theus-workflow-');
    try {
      const file = await tmp.write('flow.yaml', EVERY_CONSTRUCT_YAML);
      const engine = everyConstructEngine();
      await engine.executeWorkflow(file);
      expect(engine.state.domain.trail).toEqual(EXPECTED_TRAIL);
      await tmp.write('flow.yaml', 'steps: [cleanup]\n');
      await engine.executeWorkflow(file);
      expect(engine.state.domain.trail).toEqual([...EXPECTED_TRAIL, 'cleanup']);
    } finally {
      await tmp.remove();
    }
  });

  it('from an object, and from a workflow parsed once and run several times', async () => {
    const definition = {
      steps: [
        { process: 'start' },
        'validate',
        { flux: 'while', condition: 'domain.remaining > 0', do: ['countdown', { flux: 'if', condition: 'domain.remaining % 2 == 0', then: ['even'], else: [{ flux: 'if', condition: 'domain.remaining == 1', then: ['one'] }] }] },
        { flux: 'run', steps: ['cleanup', 'finalize'] },
      ],
    };
    const engine = everyConstructEngine();
    await engine.executeWorkflow(definition);
    expect(engine.state.domain.trail).toEqual(EXPECTED_TRAIL);

    const parsed = parseWorkflow(EVERY_CONSTRUCT_YAML);
    const again = everyConstructEngine();
    await again.executeWorkflow(parsed);
    again.edit((c) => {
      c.domain.remaining = 3;
      c.domain.trail = [];
    });
    await again.executeWorkflow(parsed);
    expect(again.state.domain.trail).toEqual(EXPECTED_TRAIL);
  });

  it('mixes sync and async processes; what step N commits is what step N+1 reads', async () => {
    const seenByNext: number[] = [];
    const writeAsync = process({ name: 'writeAsync', inputs: ['domain.n'], outputs: ['domain.n'] }, async (ctx) => {
      await new Promise((r) => setImmediate(r));
      ctx.domain.n += 10;
    });
    const readSync = process({ name: 'readSync', inputs: ['domain.n'], outputs: ['domain.n'] }, (ctx) => {
      seenByNext.push(ctx.domain.n);
      ctx.domain.n += 1;
    });
    const engine = engineWith({ domain: { n: 0 } }, [writeAsync, readSync]);
    await engine.executeWorkflow({ steps: ['writeAsync', 'readSync', 'writeAsync', 'readSync'] });
    expect(seenByNext).toEqual([10, 21]);
    expect(engine.state.domain.n).toBe(22);
  });

  it('an empty workflow (no steps, steps: [] or steps: null) runs nothing and commits nothing', async () => {
    const engine = everyConstructEngine();
    for (const def of ['name: empty\n', 'steps: []\n', 'steps:\n', { steps: [] }]) {
      const result = await engine.executeWorkflow(def);
      expect(result.steps).toEqual([]);
    }
    expect(engine.state.version).toBe(0);
  });

  it('100 loop iterations run 100 process steps', async () => {
    const engine = engineWith({ domain: { remaining: 100, trail: [] } }, [countdown]);
    const result = await engine.executeWorkflow({ steps: [{ flux: 'while', condition: 'domain.remaining > 0', do: ['countdown'] }] });
    expect(result.steps).toHaveLength(100);
    expect(engine.state.domain.trail).toHaveLength(100);
    expect(engine.state.version).toBe(100);
  });

  it('workflow args reach the processes and step args win over them', async () => {
    const got: unknown[] = [];
    const take = process({ name: 'take', outputs: ['domain.last'] }, (_ctx, args: Record<string, unknown>) => {
      got.push(args);
      return args.who;
    });
    const engine = engineWith({ domain: { last: null } }, [take]);
    await engine.executeWorkflow(
      `
steps:
  - take
  - process: take
    args: { who: step, extra: 1 }
`,
      { args: { who: 'workflow', orderId: 42 } },
    );
    expect(got).toEqual([
      { who: 'workflow', orderId: 42 },
      { who: 'step', orderId: 42, extra: 1 },
    ]);
    expect(engine.state.domain.last).toBe('step');
  });
});

describe("the original's example workflows run unchanged (REFERENCE §9)", () => {
  it('the §9.2 example: p_init, p_validate, while with a Python condition, if with else: [], run', async () => {
    const example = ORIGINAL_WORKFLOW_EXAMPLE;
    const p_init = process({ name: 'p_init', outputs: ['domain.remaining', 'domain.log', 'domain.checkpoints', 'domain.status'] }, () => [42, [], [], 'init']);
    const p_validate = process({ name: 'p_validate', inputs: ['domain.remaining'], outputs: ['domain.status'] }, (ctx) => {
      if (ctx.domain.remaining < 0) throw new RangeError('remaining must not be negative');
      return 'valid';
    });
    const p_next_item = process({ name: 'p_next_item', inputs: ['domain.remaining', 'domain.log'], outputs: ['domain.remaining', 'domain.log'] }, (ctx) => {
      ctx.domain.remaining -= 1;
      ctx.domain.log.push(ctx.domain.remaining);
    });
    const p_checkpoint = process({ name: 'p_checkpoint', inputs: ['domain.remaining', 'domain.checkpoints'], outputs: ['domain.checkpoints'] }, (ctx) => {
      ctx.domain.checkpoints.push(ctx.domain.remaining);
    });
    const p_cleanup = process({ name: 'p_cleanup', outputs: ['domain.status'] }, () => 'cleaned');
    const p_finalize = process({ name: 'p_finalize', inputs: ['domain.status'], outputs: ['domain.status'] }, (ctx) => `${ctx.domain.status}+final`);
    const engine = engineWith({ domain: {} }, [p_init, p_validate, p_next_item, p_checkpoint, p_cleanup, p_finalize]);
    const result = await engine.executeWorkflow(example);
    expect(engine.state.domain).toEqual({ remaining: 37, log: [41, 40, 39, 38, 37], checkpoints: [40], status: 'cleaned+final' });
    expect(names(result)).toEqual(['p_init', 'p_validate', ...['p_next_item', 'p_next_item', 'p_checkpoint', 'p_next_item', 'p_next_item', 'p_next_item'], 'p_cleanup', 'p_finalize']);
  });

  it("the ecommerce template's attribute condition (domain.processed_count < 50), which failed in the original, works", async () => {
    const process_order = process({ name: 'process_order', inputs: ['domain.processed_count'], outputs: ['domain.processed_count'] }, (ctx) => ctx.domain.processed_count + 10);
    const engine = engineWith({ domain: { processed_count: 0 } }, [process_order]);
    await engine.executeWorkflow('steps:\n  - flux: while\n    condition: domain.processed_count < 50\n    do: [process_order]\n');
    expect(engine.state.domain.processed_count).toBe(50);
  });

  it("test_flux_signals: a loop stops on signal.get('cmd_stop') == 'True' emitted by a process", async () => {
    const worker = process({ name: 'worker', inputs: ['domain.n'], outputs: ['domain.n', 'signal.cmd_stop'] }, (ctx) => {
      ctx.domain.n += 1;
      if (ctx.domain.n === 3) ctx.signal.cmd_stop = 'True';
    });
    const engine = engineWith({ domain: { n: 0 } }, [worker]);
    await engine.executeWorkflow(`
steps:
  - flux: while
    condition: "signal.get('cmd_stop') != 'True'"
    do: [worker]
`);
    expect(engine.state.domain.n).toBe(3);
  });
});

describe('conditions read the committed state', () => {
  const record = process({ name: 'record', inputs: ['domain.hits'], outputs: ['domain.hits'] }, (ctx, args: { tag: string }) => {
    ctx.domain.hits.push(args.tag);
  });

  async function decide(condition: string, context: Record<string, unknown>, args?: Record<string, unknown>, before?: (engine: TheusEngine) => Promise<void>): Promise<boolean> {
    const engine = engineWith({ domain: { hits: [] }, ...context }, [record, emitGo, quiet, emitNothing]);
    await before?.(engine);
    const def = { steps: [{ flux: 'if', condition, then: [{ process: 'record', args: { tag: 'then' } }], else: [{ process: 'record', args: { tag: 'else' } }] }] };
    await engine.executeWorkflow(def, args === undefined ? {} : { args });
    const hits = engine.state.domain.hits as string[];
    expect(hits).toHaveLength(1);
    return hits[0] === 'then';
  }

  const emitGo = process({ name: 'emitGo', outputs: ['signal.go'] }, () => 'yes');
  const quiet = process({ name: 'quiet', inputs: ['domain.hits'], outputs: ['domain.hits'] }, (ctx) => void ctx.domain.hits.push('quiet'));
  const emitNothing = process({ name: 'emitNothing', inputs: ['domain.hits'] }, () => undefined);

  it.each([
    ["domain['order']['total'] >= 100 and domain.get('vip') == True", true],
    ['domain.order.total >= 100 && domain.vip === true', true],
    ["not domain['vip'] or len(domain['order']['items']) > 5", false],
    ['!domain.vip || domain.order.items.length > 5', false],
    ["domain.get('missing') is None and domain?.missing?.deep === undefined", true],
    ["'book' in domain.order.items and domain.order.items[-1] == 'pen'", true],
  ])('domain: %s', async (condition, expected) => {
    expect(await decide(condition, { domain: { hits: [], vip: true, order: { total: 120, items: ['book', 'pen'] } } })).toBe(expected);
  });

  it.each([
    ["global['max_steps'] > 3 and global.get('mode') == 'prod'", true],
    ["global.max_steps > 3 && global.mode !== 'prod'", false],
  ])('global: %s', async (condition, expected) => {
    expect(await decide(condition, { global: { max_steps: 5, mode: 'prod' } })).toBe(expected);
  });

  it.each([
    ["meta['stage'] == 'beta'", true],
    ["meta.stage === 'beta' && meta.get('flag', False) == False", true],
  ])('meta: %s', async (condition, expected) => {
    expect(await decide(condition, {}, undefined, async (engine) => void engine.edit((c) => void (c.meta.stage = 'beta')))).toBe(expected);
  });

  it.each([
    ["args['limit'] > 2 and args.get('dry') is None", true],
    ['args.limit > 2 && args.dry === undefined', true],
    ['args.limit > 10', false],
  ])('args: %s', async (condition, expected) => {
    expect(await decide(condition, {}, { limit: 3 })).toBe(expected);
  });

  it.each([
    ["signal.get('go') == 'yes'", true],
    ["cmd['go'] == 'yes'", true],
    ["signal.go === 'yes' && cmd?.go === 'yes'", true],
  ])('signal latched before the workflow: %s', async (condition, expected) => {
    expect(await decide(condition, {}, undefined, async (engine) => void (await engine.execute('emitGo')))).toBe(expected);
  });

  it('a latched signal is seen by the next condition and gone once the next step has run (committing or not)', async () => {
    const engine = engineWith({ domain: { hits: [] } }, [record, emitGo, quiet, emitNothing]);
    const ifGo = (tag: string) => ({ flux: 'if', condition: "signal.get('go') == 'yes' and cmd.go == 'yes'", then: [{ process: 'record', args: { tag } }] });
    await engine.executeWorkflow({ steps: ['emitGo', ifGo('after emit'), 'emitGo', 'quiet', ifGo('after a committing step'), 'emitGo', 'emitNothing', ifGo('after a step that commits nothing')] });
    expect(engine.state.domain.hits).toEqual(['after emit', 'quiet']);
  });

  it('a condition failing at evaluation stops the workflow with ConditionEvaluationError (a WorkflowError) and keeps earlier steps', async () => {
    const engine = engineWith({ domain: { hits: [], name: 'x' } }, [record]);
    const err = await rejected(engine.executeWorkflow(`
steps:
  - process: record
    args: { tag: first }
  - flux: if
    condition: "domain.name < 3"
    then: [record]
`));
    expect(err).toBeInstanceOf(WorkflowError);
    expect((err as WorkflowError).message).toContain('<inline>:6:');
    expect(engine.state.domain.hits).toEqual(['first']);
  });

  it('conditions cannot reach globals, prototypes or the process registry', async () => {
    const engine = engineWith({ domain: { hits: [] } }, [record]);
    for (const condition of ["process.exit(1) == None", 'domain.constructor', "domain['__proto__']", "__import__('os')", 'require("fs")', 'globalThis']) {
      expectCode(await rejected(engine.executeWorkflow({ steps: [{ flux: 'if', condition, then: [{ process: 'record', args: { tag: 'x' } }] }] })), 'WORKFLOW_SYNTAX', WorkflowSyntaxError);
    }
    const computed = await rejected(engine.executeWorkflow({ steps: [{ flux: 'if', condition: "domain['constr' + 'uctor']", then: [{ process: 'record', args: { tag: 'x' } }] }] }));
    expect(computed).toBeInstanceOf(WorkflowError);
    expect(engine.state.version).toBe(0);
  });
});

describe('progress and reports', () => {
  it('onStep reports name, path, committed version and duration after each step', async () => {
    const engine = everyConstructEngine();
    const reports: { name: string; path: string; version: number; durationMs: number; stateVersion: number }[] = [];
    const result = await engine.executeWorkflow(EVERY_CONSTRUCT_YAML, { onStep: (r) => void reports.push({ ...r, stateVersion: engine.state.version }) });
    expect(reports.map((r) => r.name)).toEqual(names(result));
    for (const r of reports) {
      expect(r.version).toBe(r.stateVersion);
      expect(typeof r.durationMs).toBe('number');
      expect(r.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(reports.map(({ stateVersion: _s, ...r }) => r)).toEqual(result.steps);
    expect(typeof result.durationMs).toBe('number');
  });

  it('an onStep that throws stops the workflow with its error; the reported step stays committed', async () => {
    const engine = everyConstructEngine();
    const stop = new Error('enough');
    const err = await rejected(
      engine.executeWorkflow(EVERY_CONSTRUCT_YAML, {
        onStep: (r) => {
          if (r.name === 'validate') throw stop;
        },
      }),
    );
    expect(err).toBe(stop);
    expect(engine.state.domain.trail).toEqual(['start', 'validate']);
  });
});

describe('problems found before any step runs leave the state untouched', () => {
  it('unknown process names are all reported at once, with where they were written', async () => {
    const engine = everyConstructEngine();
    const err = expectCode(
      await rejected(
        engine.executeWorkflow(`
steps:
  - start
  - flux: if
    condition: "True"
    then: [ghost_one]
    else:
      - process: ghost_two
`),
      ),
      'UNKNOWN_PROCESS',
    );
    expect(err.message).toContain("'ghost_one' at <inline>:6:");
    expect(err.message).toContain("'ghost_two' at <inline>:8:");
    expect(err.message).not.toContain("'start'");
    expect(engine.state.version).toBe(0);
    expect(engine.state.domain.trail).toEqual([]);
  });

  it('a YAML file with a bad step → WorkflowSyntaxError with the file, line and column', async () => {
    const tmp = await tempDir('theus-workflow-');
    try {
      const file = await tmp.write(
        'bad.yaml',
        ['steps:', '  - start', '  - flux: while', '    do: [countdown]', '  - finalize', ''].join('\n'),
      );
      const engine = everyConstructEngine();
      const err = await rejected(engine.executeWorkflow(file));
      expect(err).toBeInstanceOf(WorkflowSyntaxError);
      const e = err as WorkflowSyntaxError;
      expect(e.code).toBe('WORKFLOW_SYNTAX');
      expect(e.file).toBe(file);
      expect(e.line).toBe(3);
      expect(e.column).toBeGreaterThan(0);
      expect(e.message).toContain(`${file}:3:`);
      expect(e.message).toContain('condition');
      expect(engine.state.version).toBe(0);
    } finally {
      await tmp.remove();
    }
  });

  it.each([
    ['invalid YAML (an unterminated quote)', 'steps:\n  - start\n  - "unterminated\n  - start\n', 5],
    ['a duplicate key', 'steps:\n  - start\nsteps: []\n', 3],
    ['a condition syntax error', 'steps:\n  - start\n  - flux: if\n    condition: "domain.x >>"\n    then: [start]\n', 4],
    ['an unknown flux type', 'steps:\n  - start\n  - flux: foreach\n    steps: [start]\n', 3],
    ['a step with both process and flux', 'steps:\n  - start\n  - process: start\n    flux: run\n', 4],
    ['an unknown top-level key', 'steps: [start]\nstpes: [start]\n', 2],
    ['a number as a step', 'steps:\n  - start\n  - 42\n', 3],
  ])('%s → WorkflowSyntaxError at its line, nothing runs', async (_what, text, line) => {
    const engine = everyConstructEngine();
    const err = await rejected(engine.executeWorkflow(text));
    expect(err).toBeInstanceOf(WorkflowSyntaxError);
    expect((err as WorkflowSyntaxError).line).toBe(line);
    expect(engine.state.version).toBe(0);
  });

  it('bad definitions and options at the entry point are refused with typed errors', async () => {
    const engine = everyConstructEngine();
    expectCode(await rejected(engine.executeWorkflow('/nonexistent/dir/flow.yaml')), 'INVALID_ARGUMENT');
    expectCode(await rejected(engine.executeWorkflow(null as never)), 'INVALID_ARGUMENT');
    expectCode(await rejected(engine.executeWorkflow(42 as never)), 'INVALID_ARGUMENT');
    expectCode(await rejected(engine.executeWorkflow(['start'] as never)), 'INVALID_ARGUMENT');
    expectCode(await rejected(engine.executeWorkflow({ states: { IDLE: {} } })), 'WORKFLOW_SYNTAX');
    expectCode(await rejected(engine.executeWorkflow({ steps: ['start'] }, { maxIterations: 0 })), 'INVALID_ARGUMENT');
    expectCode(await rejected(engine.executeWorkflow({ steps: ['start'] }, { signal: 'stop' as never })), 'INVALID_ARGUMENT');
    expectCode(await rejected(engine.executeWorkflow({ steps: ['start'] }, { args: [1] as never })), 'INVALID_ARGUMENT');
    expectCode(await rejected(engine.executeWorkflow({ steps: [{ process: 'start', args: { __proto__: { x: 1 } } }] })), 'WORKFLOW_SYNTAX');
    expect(engine.state.version).toBe(0);
    await engine.close();
    expectCode(await rejected(engine.executeWorkflow({ steps: ['start'] })), 'ENGINE_CLOSED');
  });
});

describe('the while loop limit (workflow/INC-021)', () => {
  it('an empty body still trips the limit: WorkflowError "Flux Safety Trip", nothing committed', async () => {
    const engine = everyConstructEngine();
    const err = await rejected(engine.executeWorkflow('steps:\n  - flux: while\n    condition: "True"\n    do: []\n', { maxIterations: 10 }));
    expect(err).toBeInstanceOf(WorkflowError);
    expect((err as WorkflowError).code).toBe('WORKFLOW_ERROR');
    expect((err as Error).message).toContain('Safety Trip');
    expect((err as Error).message).toContain('<inline>:2:');
    expect(engine.state.version).toBe(0);
  });

  it('the empty-body loop also trips at the default limit', async () => {
    const engine = everyConstructEngine();
    const err = await rejected(engine.executeWorkflow({ steps: ['start', { flux: 'while', condition: 'True', do: [] }] }));
    expect(err).toBeInstanceOf(WorkflowError);
    expect((err as Error).message).toContain('10000');
    expect(engine.state.domain.trail).toEqual(['start']);
  });

  it('a loop with a body runs maxIterations times, then trips; the iterations that ran stay committed', async () => {
    const engine = everyConstructEngine();
    const err = await rejected(engine.executeWorkflow({ steps: [{ flux: 'while', condition: 'True', do: [{ flux: 'if', condition: 'True', then: ['start'] }] }] }, { maxIterations: 3 }));
    expect(err).toBeInstanceOf(WorkflowError);
    expect(engine.state.domain.trail).toEqual(['start', 'start', 'start']);
  });

  it('the limit counts across nested loops for the whole run', async () => {
    const engine = everyConstructEngine();
    const nested = { steps: [{ flux: 'while', condition: 'True', do: [{ flux: 'while', condition: 'False', do: ['start'] }] }] };
    const err = await rejected(engine.executeWorkflow(nested, { maxIterations: 7 }));
    expect(err).toBeInstanceOf(WorkflowError);
    expect(engine.state.version).toBe(0);
  });
});

describe('stopping a workflow', () => {
  it('an AbortSignal stops it between steps: the aborted step’s writes are absent, earlier steps stay committed', async () => {
    const hold = gate();
    let waiting = false;
    const slow = process({ name: 'slow', inputs: ['domain.trail'], outputs: ['domain.trail'] }, async (ctx) => {
      ctx.domain.trail.push('slow (must not commit)');
      waiting = true;
      await hold.promise;
    });
    const engine = engineWith({ domain: { trail: [] } }, [traced('first'), slow, traced('never')]);
    const controller = new AbortController();
    const run = engine.executeWorkflow({ steps: ['first', 'slow', 'never'] }, { signal: controller.signal });
    await until(() => waiting);
    const reason = new Error('user pressed stop');
    controller.abort(reason);
    hold.open();
    const err = expectCode(await rejected(run), 'ABORTED');
    expect(err.cause).toBe(reason);
    expect(engine.state.domain.trail).toEqual(['first']);
    expect(engine.state.version).toBe(1);
  });

  it('an abort from onStep stops before the next step; an already aborted signal runs nothing', async () => {
    const engine = everyConstructEngine();
    const controller = new AbortController();
    await rejected(engine.executeWorkflow(EVERY_CONSTRUCT_YAML, { signal: controller.signal, onStep: (r) => r.name === 'validate' && controller.abort() }));
    expect(engine.state.domain.trail).toEqual(['start', 'validate']);
    const other = everyConstructEngine();
    expectCode(await rejected(other.executeWorkflow(EVERY_CONSTRUCT_YAML, { signal: AbortSignal.abort() })), 'ABORTED');
    expect(other.state.version).toBe(0);
  });

  it('a step that throws stops the workflow with that very error; earlier steps stay committed, later ones never run', async () => {
    class PaymentDeclined extends Error {}
    const declined = new PaymentDeclined('card declined');
    const pay = process({ name: 'pay', inputs: ['domain.trail'], outputs: ['domain.trail'] }, (ctx) => {
      ctx.domain.trail.push('pay (rolled back)');
      throw declined;
    });
    const engine = engineWith({ domain: { trail: [] } }, [traced('order'), pay, traced('ship')]);
    const err = await rejected(engine.executeWorkflow({ steps: ['order', { flux: 'run', steps: ['pay'] }, 'ship'] }));
    expect(err).toBe(declined);
    expect(err).toBeInstanceOf(PaymentDeclined);
    expect(engine.state.domain.trail).toEqual(['order']);
  });

  it('an audit level-A rule aborts the workflow with AuditAbortError; the failing step commits nothing', async () => {
    const charge = process({ name: 'charge', inputs: ['domain.trail'], outputs: ['domain.trail'] }, (ctx, args: { amount: number }) => {
      ctx.domain.trail.push(`charge ${args.amount}`);
    });
    const auditRecipe = { process_recipes: { charge: { inputs: [{ field: 'amount', min: 10, level: 'A', max_threshold: 0, message: 'amount below the minimum' }] } } };
    const engine = engineWith({ domain: { trail: [] } }, [traced('order'), charge, traced('ship')], { auditRecipe });
    const yaml = `
steps:
  - order
  - process: charge
    args: { amount: 50 }
  - process: charge
    args: { amount: 5 }
  - ship
`;
    const err = await rejected(engine.executeWorkflow(yaml));
    expect(err).toBeInstanceOf(AuditAbortError);
    expect((err as AuditAbortError).process).toBe('charge');
    expect((err as Error).message).toContain('amount below the minimum');
    expect(engine.state.domain.trail).toEqual(['order', 'charge 50']);
    expect(engine.audit.log().some((e) => e.process === 'charge' && e.action === 'aborted')).toBe(true);
  });

  it('the workflow args are what input audit rules read', async () => {
    const charge = process({ name: 'charge', outputs: ['domain.charged'] }, (_ctx, args: { amount: number }) => args.amount);
    const auditRecipe = { process_recipes: { charge: { inputs: [{ field: 'amount', min: 10, level: 'A', max_threshold: 0 }] } } };
    const engine = engineWith({ domain: { charged: 0 } }, [charge], { auditRecipe });
    expect(await rejected(engine.executeWorkflow({ steps: ['charge'] }, { args: { amount: 1 } }))).toBeInstanceOf(AuditAbortError);
    await engine.executeWorkflow({ steps: ['charge'] }, { args: { amount: 20 } });
    expect(engine.state.domain.charged).toBe(20);
  });
});

describe('the event loop stays free while a workflow runs (INC-008)', () => {
  it('a 10 ms interval keeps ticking between synchronous steps: the loop only ends because ticks arrive', async () => {
    let ticks = 0;
    const interval = setInterval(() => void ticks++, 10);
    try {
      // Each synchronous step copies the tick count into the state; the loop waits for three ticks.
      // If the workflow held the event loop, no tick would ever arrive and the loop would trip its limit.
      const observe = process({ name: 'observe', inputs: ['domain.seen', 'domain.steps'], outputs: ['domain.seen', 'domain.steps'] }, (ctx) => {
        let spin = 0;
        for (let i = 0; i < 2_000; i++) spin += i;
        ctx.domain.steps += spin > 0 ? 1 : 0;
        ctx.domain.seen = ticks;
      });
      const engine = engineWith({ domain: { seen: 0, steps: 0 } }, [observe]);
      const result = await engine.executeWorkflow({ steps: [{ flux: 'while', condition: 'domain.seen < 3', do: ['observe'] }] }, { maxIterations: 1_000_000 });
      expect(engine.state.domain.seen).toBeGreaterThanOrEqual(3);
      expect(result.steps.length).toBe(engine.state.domain.steps);
    } finally {
      clearInterval(interval);
    }
  });

  it('other async work interleaves with a long linear workflow of synchronous steps', async () => {
    const many = Array.from({ length: 200 }, () => 'bump');
    const bump = process({ name: 'bump', inputs: ['domain.n'], outputs: ['domain.n'] }, (ctx) => void (ctx.domain.n += 1));
    const engine = engineWith({ domain: { n: 0 } }, [bump]);
    const observedMidway: number[] = [];
    let done = false;
    const watcher = (async () => {
      while (!done) {
        observedMidway.push(engine.state.domain.n);
        await new Promise((r) => setImmediate(r));
      }
    })();
    await engine.executeWorkflow({ steps: many });
    done = true;
    await watcher;
    expect(engine.state.domain.n).toBe(200);
    // The watcher ran while the workflow was in progress, not only before or after it.
    expect(observedMidway.some((n) => n > 0 && n < 200)).toBe(true);
  });
});

describe('re-entrant engine calls from inside a process are refused (REENTRANT_CALL)', () => {
  it('executeWorkflow from inside a process fails that process; nothing it wrote commits', async () => {
    // The process refers to the engine that will run it (declared below, used only once it runs).
    const nested = process({ name: 'nested', inputs: ['domain.trail'], outputs: ['domain.trail'] }, async (ctx) => {
      ctx.domain.trail.push('nested (rolled back)');
      await engine.executeWorkflow({ steps: ['first'] });
    });
    const engine = engineWith({ domain: { trail: [] } }, [traced('first'), nested]);
    expectCode(await rejected(engine.execute(nested)), 'REENTRANT_CALL');
    const err = expectCode(await rejected(engine.executeWorkflow({ steps: ['first', 'nested', 'first'] })), 'REENTRANT_CALL');
    expect(err.message).toContain('executeWorkflow');
    expect(engine.state.domain.trail).toEqual(['first']);
  });

  it('orchestrate and execute from inside a workflow step are refused too', async () => {
    const codes: string[] = [];
    const probe = process({ name: 'probe', outputs: ['domain.codes'] }, async () => {
      codes.push((thrown(() => engine.orchestrate({ states: { IDLE: {} } })) as TheusError).code);
      codes.push(((await rejected(engine.execute('first'))) as TheusError).code);
      codes.push((thrown(() => engine.edit(() => undefined)) as TheusError).code);
      return codes.slice();
    });
    const engine = engineWith({ domain: { trail: [], codes: [] } }, [traced('first'), probe]);
    await engine.executeWorkflow({ steps: ['probe'] });
    expect(engine.state.domain.codes).toEqual(['REENTRANT_CALL', 'REENTRANT_CALL', 'REENTRANT_CALL']);
  });

  it('workflows started outside processes may run concurrently on one engine and on separate engines', async () => {
    const engine = engineWith({ domain: { n: 0 } }, [process({ name: 'inc', inputs: ['domain.n'], outputs: ['domain.n'] }, (ctx) => void (ctx.domain.n += 1))]);
    const other = engineWith({ domain: { n: 100 } }, [process({ name: 'inc', inputs: ['domain.n'], outputs: ['domain.n'] }, (ctx) => void (ctx.domain.n += 1))]);
    const five = { steps: ['inc', 'inc', 'inc', 'inc', 'inc'] };
    await Promise.all([engine.executeWorkflow(five), engine.executeWorkflow(five), other.executeWorkflow(five)]);
    expect(engine.state.domain.n).toBe(10);
    expect(other.state.domain.n).toBe(105);
  });
});

describe('conditions over committed Maps and Sets', () => {
  it('read entries, sizes and membership through the read-only wrappers', async () => {
    const engine = new TheusEngine({ domain: { stock: new Map([['sku-1', 3]]), tags: new Set(['vip']), done: false } });
    engine.register(process({ name: 'finish', outputs: ['domain.done'] }, () => true));
    const result = await engine.executeWorkflow({
      steps: [{ flux: 'if', condition: "domain.stock['sku-1'] == 3 and len(domain.stock) == 1 and 'vip' in domain.tags and domain.stock.get('x', 0) == 0", then: ['finish'] }],
    });
    expect(result.steps.map((s) => s.name)).toEqual(['finish']);
    expect(engine.state.domain.done).toBe(true);
    await engine.close();
  });
});
