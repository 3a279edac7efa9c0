import { afterEach, describe, expect, it } from 'vitest';
import { TheusEngine, WorkflowSyntaxError, process, toMermaid } from '../../src/index.js';
import type { ProcessDefinition } from '../../src/index.js';
import { expectCode, gate, rejected, tempDir, thrown, until } from './fixtures/workflow/helpers.js';

/** State machines driven by the signals real processes commit (engine.orchestrate). */

const engines: TheusEngine[] = [];
function engineWith(context: Record<string, unknown>, processes: ProcessDefinition[]): TheusEngine {
  const engine = new TheusEngine(context);
  for (const p of processes) engine.register(p);
  engines.push(engine);
  return engine;
}
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.close();
});

/** Emits `topic` after committing; `args.topic` overrides it. */
function emitter(name: string, topic: string): ProcessDefinition {
  return process({ name, inputs: ['domain.trail'], outputs: ['domain.trail', 'signal'] }, (ctx, args: { topic?: string } | undefined) => {
    ctx.domain.trail.push(name);
    ctx.signal.publish(args?.topic ?? topic, true);
  });
}

function traced(name: string): ProcessDefinition {
  return process({ name, inputs: ['domain.trail'], outputs: ['domain.trail'] }, (ctx) => void ctx.domain.trail.push(name));
}

/** The original's example (REFERENCE §10.1), unchanged. */
const ORIGINAL_EXAMPLE = `
states:
  IDLE:
    events:            # preferred; legacy 'on'; alternative 'transitions'
      CMD_START: PROCESSING
  PROCESSING:
    entry: [p_load, p_compute]     # or 'process'; a string or a list of process names
    events:
      EVT_CHAIN_DONE: IDLE
      EVT_CHAIN_FAIL: ERROR
  ERROR: {}
`;

function originalExampleEngine(): TheusEngine {
  const p_load = process({ name: 'p_load', inputs: ['domain.trail'], outputs: ['domain.trail', 'domain.loaded'] }, (ctx) => {
    ctx.domain.trail.push('p_load');
    ctx.domain.loaded += 1;
  });
  const p_compute = process({ name: 'p_compute', inputs: ['domain.trail', 'domain.loaded', 'domain.broken'], outputs: ['domain.trail', 'domain.computed'] }, (ctx) => {
    if (ctx.domain.broken) throw new RangeError('cannot compute');
    ctx.domain.trail.push('p_compute');
    ctx.domain.computed = ctx.domain.loaded * 10;
  });
  return engineWith({ domain: { trail: [], loaded: 0, computed: 0, broken: false } }, [p_load, p_compute, emitter('p_start', 'CMD_START')]);
}

describe("the original's state-machine example (REFERENCE §10.1)", () => {
  it('a committed CMD_START signal runs the chain, EVT_CHAIN_DONE returns to IDLE, EVT_CHAIN_FAIL goes to ERROR', async () => {
    const engine = originalExampleEngine();
    const machine = engine.orchestrate(ORIGINAL_EXAMPLE);
    expect(machine.state).toBe('IDLE');
    expect(machine.name).toBe('machine');

    await engine.execute('p_start');
    await until(() => machine.history.length === 2);
    expect(machine.state).toBe('IDLE');
    expect(engine.state.domain.trail).toEqual(['p_start', 'p_load', 'p_compute']);
    expect(engine.state.domain.computed).toBe(10);

    engine.edit((c) => void (c.domain.broken = true));
    await engine.execute('p_start');
    await until(() => machine.state === 'ERROR');
    expect(machine.history.map((t) => `${t.from}-${t.event}->${t.to}`)).toEqual([
      'IDLE-CMD_START->PROCESSING',
      'PROCESSING-EVT_CHAIN_DONE->IDLE',
      'IDLE-CMD_START->PROCESSING',
      'PROCESSING-EVT_CHAIN_FAIL->ERROR',
    ]);
    // The failing chain committed p_load and nothing of p_compute.
    expect(engine.state.domain.trail).toEqual(['p_start', 'p_load', 'p_compute', 'p_start', 'p_load']);

    // Every transition is in the engine's meta log, oldest first.
    const logged = engine.metaLog({ kind: 'transition' });
    expect(logged.map((e) => e.message)).toEqual([
      'machine: IDLE -> PROCESSING on CMD_START',
      'machine: PROCESSING -> IDLE on EVT_CHAIN_DONE',
      'machine: IDLE -> PROCESSING on CMD_START',
      'machine: PROCESSING -> ERROR on EVT_CHAIN_FAIL',
    ]);
    expect(logged.map((e) => e.data)).toEqual(machine.history);
    for (const e of logged) expect(e.kind).toBe('transition');
    expect(engine.metaLog({ kind: 'transition', limit: 1 })[0]?.message).toContain('ERROR');

    await machine.stop();
    expect(await machine.done).toEqual({ state: 'ERROR', history: machine.history, final: false });
  });

  it('the legacy `on` key and a YAML file path work as well', async () => {
    const tmp = await tempDir('theus-machine-');
    try {
      const file = await tmp.write('machine.yaml', ORIGINAL_EXAMPLE.replace('    events:            #', '    on:            #'));
      const engine = originalExampleEngine();
      const machine = engine.orchestrate(file);
      await engine.execute('p_start');
      await until(() => machine.history.length === 2);
      expect(engine.state.domain.computed).toBe(10);
      await machine.stop();
    } finally {
      await tmp.remove();
    }
  });

  it('toMermaid of the same definition names every state and transition', () => {
    const chart = toMermaid(ORIGINAL_EXAMPLE);
    expect(chart).toContain('stateDiagram-v2');
    for (const name of ['IDLE', 'PROCESSING', 'ERROR', 'CMD_START', 'EVT_CHAIN_DONE', 'EVT_CHAIN_FAIL', 'p_load', 'p_compute']) expect(chart).toContain(name);
  });
});

const ORDER_FLOW = {
  name: 'order_flow',
  initial: 'NEW',
  states: {
    NEW: { entry: 'create_order', events: { order_created: 'PAYING' } },
    PAYING: { entry: { steps: [{ flux: 'if', condition: 'domain.card_ok', then: ['charge'], else: ['decline'] }] }, events: { paid: 'SHIPPING', declined: 'CANCELLED' } },
    SHIPPING: { entry: ['ship'], events: { shipped: 'DONE' } },
    DONE: { entry: 'archive', final: true },
    CANCELLED: { final: true },
  },
};

function orderEngine(cardOk: boolean): TheusEngine {
  const ship = process({ name: 'ship', inputs: ['domain.trail', 'domain.paid'], outputs: ['domain.trail', 'signal.shipped'] }, (ctx) => {
    // Signals drive the machine only after their commit: the payment is already visible here.
    if (ctx.domain.paid !== true) throw new Error('shipping an unpaid order');
    ctx.domain.trail.push('ship');
    ctx.signal.shipped = true;
  });
  const charge = process({ name: 'charge', inputs: ['domain.trail'], outputs: ['domain.trail', 'domain.paid', 'signal.paid'] }, (ctx) => {
    ctx.domain.trail.push('charge');
    ctx.domain.paid = true;
    ctx.signal.paid = { amount: 10 };
  });
  return engineWith({ domain: { trail: [], paid: false, card_ok: cardOk } }, [emitter('create_order', 'order_created'), charge, emitter('decline', 'declined'), ship, traced('archive')]);
}

describe('machines driven by the signals processes emit', () => {
  it('entry processes emit topics that move the machine; reaching a final state runs its entry and resolves done', async () => {
    const engine = orderEngine(true);
    const machine = engine.orchestrate(ORDER_FLOW);
    expect(machine.name).toBe('order_flow');
    const result = await machine.done;
    expect(result.final).toBe(true);
    expect(result.state).toBe('DONE');
    expect(result.history.map((t) => t.to)).toEqual(['PAYING', 'SHIPPING', 'DONE']);
    expect(result.history.map((t) => t.event)).toEqual(['order_created', 'paid', 'shipped']);
    expect(engine.state.domain.trail).toEqual(['create_order', 'charge', 'ship', 'archive']);
    // Each transition is stamped with a committed version, in order.
    const versions = result.history.map((t) => t.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(versions[0]).toBeGreaterThanOrEqual(1);
    expect(engine.metaLog({ kind: 'transition' }).map((e) => e.message)).toEqual([
      'order_flow: NEW -> PAYING on order_created',
      'order_flow: PAYING -> SHIPPING on paid',
      'order_flow: SHIPPING -> DONE on shipped',
    ]);
    // A finished machine no longer listens.
    expect(engine.signals.listenerCount('paid')).toBe(0);
  });

  it('a flux condition inside an entry picks the branch, and the other final state ends the machine', async () => {
    const engine = orderEngine(false);
    const result = await engine.orchestrate(ORDER_FLOW).done;
    expect(result).toMatchObject({ state: 'CANCELLED', final: true });
    expect(engine.state.domain.trail).toEqual(['create_order', 'decline']);
  });

  it('a signal from outside the machine (a compareAndSwap, another execute) drives it too', async () => {
    const engine = engineWith({ domain: { trail: [] } }, [traced('work'), emitter('external', 'GO')]);
    const machine = engine.orchestrate({ states: { IDLE: { events: { GO: 'WORKING' } }, WORKING: { entry: 'work', events: { EVT_CHAIN_DONE: 'IDLE' } } } });
    engine.compareAndSwap(engine.state.version, { signal: { GO: 1 } });
    await until(() => machine.history.length === 2);
    await engine.execute('external');
    await until(() => machine.history.length === 4);
    expect(engine.state.domain.trail).toEqual(['work', 'external', 'work']);
    expect(machine.state).toBe('IDLE');
    await machine.stop();
  });

  it('signals that fail to commit never move the machine', async () => {
    const failing = process({ name: 'failing', outputs: ['signal.GO'] }, (ctx) => {
      ctx.signal.GO = true;
      throw new Error('rolled back');
    });
    const engine = engineWith({ domain: { trail: [] } }, [traced('work'), failing]);
    const machine = engine.orchestrate({ states: { IDLE: { events: { GO: 'WORKING' } }, WORKING: { entry: 'work' } } });
    await rejected(engine.execute('failing'));
    await new Promise((r) => setImmediate(r));
    expect(machine.state).toBe('IDLE');
    expect(machine.history).toEqual([]);
    expect(engine.state.domain.trail).toEqual([]);
    await machine.stop();
  });

  it('an entry that throws with no EVT_CHAIN_FAIL transition rejects done with that error, unchanged', async () => {
    class InventoryError extends Error {}
    const boom = new InventoryError('out of stock');
    const reserve = process({ name: 'reserve', outputs: ['domain.reserved'] }, () => {
      throw boom;
    });
    const engine = engineWith({ domain: { reserved: false } }, [reserve]);
    const machine = engine.orchestrate({ initial: 'RESERVING', states: { RESERVING: { entry: 'reserve', events: { EVT_CHAIN_DONE: 'OK' } }, OK: { final: true } } });
    expect(await rejected(machine.done)).toBe(boom);
    expect(engine.state.version).toBe(0);
    expect(engine.signals.listenerCount('EVT_CHAIN_DONE')).toBe(0);
  });
});

describe('stopping a machine', () => {
  it('stop() while waiting resolves done with the current state; later signals are ignored', async () => {
    const engine = engineWith({ domain: { trail: [] } }, [traced('work'), emitter('go', 'GO')]);
    const machine = engine.orchestrate({ states: { IDLE: { events: { GO: 'WORKING' } }, WORKING: { entry: 'work' } } });
    expect(engine.signals.listenerCount('GO')).toBe(1);
    await machine.stop();
    expect(await machine.done).toEqual({ state: 'IDLE', history: [], final: false });
    expect(engine.signals.listenerCount('GO')).toBe(0);
    await engine.execute('go');
    expect(machine.state).toBe('IDLE');
    expect(engine.state.domain.trail).toEqual(['go']);
    expect(engine.metaLog({ kind: 'transition' })).toEqual([]);
    await machine.stop(); // idempotent
  });

  it('stop() during an entry aborts it before commit: the running step leaves nothing, later steps never run', async () => {
    const hold = gate();
    let waiting = false;
    const slow = process({ name: 'slow', inputs: ['domain.trail'], outputs: ['domain.trail'] }, async (ctx) => {
      ctx.domain.trail.push('slow (must not commit)');
      waiting = true;
      await hold.promise;
    });
    const engine = engineWith({ domain: { trail: [] } }, [traced('before'), slow, traced('after')]);
    const machine = engine.orchestrate({ initial: 'RUN', states: { RUN: { entry: ['before', 'slow', 'after'], events: { EVT_CHAIN_DONE: 'END' } }, END: { final: true } } });
    await until(() => waiting);
    const stopping = machine.stop();
    hold.open();
    await stopping;
    expect(await machine.done).toMatchObject({ state: 'RUN', final: false });
    expect(engine.state.domain.trail).toEqual(['before']);
  });

  it('engine.close() stops running machines: done resolves with final: false instead of hanging', async () => {
    const engine = engineWith({ domain: { trail: [] } }, [traced('work')]);
    const idle = engine.orchestrate({ states: { IDLE: { events: { GO: 'WORKING' } }, WORKING: { entry: 'work' } } });
    const finished = engine.orchestrate({ initial: 'END', states: { END: { final: true } } });
    expect(await finished.done).toMatchObject({ state: 'END', final: true });
    await engine.close();
    expect(await idle.done).toMatchObject({ state: 'IDLE', final: false });
  });

  it('aborting the options signal stops the machine', async () => {
    const engine = engineWith({ domain: { trail: [] } }, [traced('work')]);
    const controller = new AbortController();
    const machine = engine.orchestrate({ states: { IDLE: { events: { GO: 'WORKING' } }, WORKING: { entry: 'work' } } }, { signal: controller.signal });
    controller.abort();
    expect(await machine.done).toMatchObject({ state: 'IDLE', final: false });
    expect(engine.signals.listenerCount('GO')).toBe(0);
  });
});

describe('bad machines are refused before anything runs', () => {
  it('unknown entry processes → UNKNOWN_PROCESS, nothing subscribed, nothing committed', () => {
    const engine = engineWith({ domain: { trail: [] } }, [traced('work')]);
    const err = expectCode(thrown(() => engine.orchestrate({ states: { IDLE: { entry: ['work', 'ghost'], events: { GO: 'IDLE' } } } })), 'UNKNOWN_PROCESS');
    expect(err.message).toContain("'ghost'");
    expect(engine.signals.listenerCount('GO')).toBe(0);
    expect(engine.state.version).toBe(0);
  });

  it.each([
    ['an unknown target state', 'states:\n  IDLE:\n    events: { GO: NOWHERE }\n', 3],
    ['no IDLE and no initial', 'states:\n  START: {}\n', 2],
    ['a final state with events', 'initial: A\nstates:\n  A:\n    final: true\n    events: { GO: A }\n', 4],
    ['an unknown state key', 'states:\n  IDLE:\n    enter: work\n', 3],
  ])('%s → WorkflowSyntaxError at its line', (_what, yaml, line) => {
    const engine = engineWith({ domain: { trail: [] } }, [traced('work')]);
    const err = thrown(() => engine.orchestrate(yaml));
    expect(err).toBeInstanceOf(WorkflowSyntaxError);
    expect((err as WorkflowSyntaxError).line).toBe(line);
    expect(engine.signals.listenerCount('GO')).toBe(0);
  });

  it('bad arguments and a closed engine are refused', async () => {
    const engine = engineWith({ domain: { trail: [] } }, [traced('work')]);
    expectCode(thrown(() => engine.orchestrate(null as never)), 'INVALID_ARGUMENT');
    expectCode(thrown(() => engine.orchestrate({ states: { IDLE: {} } }, { signal: 'x' as never })), 'INVALID_ARGUMENT');
    expectCode(thrown(() => engine.orchestrate({ steps: ['work'] })), 'WORKFLOW_SYNTAX');
    await engine.close();
    expectCode(thrown(() => engine.orchestrate({ states: { IDLE: {} } })), 'ENGINE_CLOSED');
  });
});
