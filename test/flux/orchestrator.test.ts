import { describe, expect, it, vi } from 'vitest';
import { TheusError, WorkflowSyntaxError } from '../../src/errors.js';
import { orchestrate, parseStateMachine } from '../../src/flux/index.js';
import { FakeHost, hostWith } from './fake-host.js';

/** A promise the test settles by hand, to hold an entry action open. */
function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const ORIGINAL = `states:
  IDLE:
    events:
      CMD_START: PROCESSING
  PROCESSING:
    entry: [p_load, p_compute]
    events:
      EVT_CHAIN_DONE: IDLE
      EVT_CHAIN_FAIL: ERROR
  ERROR: {}
`;

describe('orchestrate: transitions', () => {
  it('runs the original format: a signal starts the chain, its completion returns to IDLE', async () => {
    const host = hostWith(['p_load', 'p_compute']);
    const machine = orchestrate(host, ORIGINAL);
    expect(machine.state).toBe('IDLE');
    host.publish('CMD_START');
    await vi.waitFor(() => expect(machine.history).toHaveLength(2));
    expect(machine.state).toBe('IDLE');
    expect(host.names()).toEqual(['p_load', 'p_compute']);
    expect(machine.history.map((t) => [t.from, t.event, t.to])).toEqual([
      ['IDLE', 'CMD_START', 'PROCESSING'],
      ['PROCESSING', 'EVT_CHAIN_DONE', 'IDLE'],
    ]);
    expect(machine.history[1]?.version).toBe(2);
    expect(host.transitions).toEqual(machine.history);
    expect(host.transitions[0]).toMatchObject({ machine: 'machine', at: expect.any(Number) });
    await machine.stop();
    expect(await machine.done).toEqual({ state: 'IDLE', history: machine.history, final: false });
    expect(host.listenerCount).toBe(0);
  });

  it('an entry failure follows EVT_CHAIN_FAIL', async () => {
    const host = hostWith(['p_load']).register('p_compute', () => {
      throw new Error('compute failed');
    });
    const machine = orchestrate(host, ORIGINAL);
    host.publish('CMD_START');
    await vi.waitFor(() => expect(machine.state).toBe('ERROR'));
    expect(machine.history.map((t) => t.event)).toEqual(['CMD_START', 'EVT_CHAIN_FAIL']);
    await machine.stop();
  });

  it('an entry failure with no EVT_CHAIN_FAIL rejects done with the error and unsubscribes', async () => {
    const failure = new Error('no handler');
    const host = new FakeHost().register('explode', () => {
      throw failure;
    });
    const machine = orchestrate(host, { states: { IDLE: { on: { GO: 'BOOM' } }, BOOM: { entry: 'explode', on: { BACK: 'IDLE' } } } });
    host.publish('GO');
    await expect(machine.done).rejects.toBe(failure);
    expect(host.listenerCount).toBe(0);
    host.publish('BACK');
    expect(machine.state).toBe('BOOM');
    await machine.stop();
  });

  it('ignores events the current state does not handle, and signals published by processes drive it too', async () => {
    const host = new FakeHost().register('announce', (ctx) => ctx.emit('READY', { ok: true }));
    const machine = orchestrate(host, {
      name: 'shop',
      initial: 'BOOT',
      states: { BOOT: { entry: 'announce', events: { READY: 'OPEN' } }, OPEN: { transitions: { CLOSE: 'CLOSED' } }, CLOSED: { final: true } },
    });
    await vi.waitFor(() => expect(machine.state).toBe('OPEN'));
    host.publish('READY');
    host.publish('UNRELATED');
    host.publish('CLOSE');
    const result = await machine.done;
    expect(result).toMatchObject({ state: 'CLOSED', final: true });
    expect(result.history.map((t) => `${t.from}-${t.event}->${t.to}`)).toEqual(['BOOT-READY->OPEN', 'OPEN-CLOSE->CLOSED']);
    expect(result.history[0]?.machine).toBe('shop');
    expect(machine.name).toBe('shop');
    expect(host.listenerCount).toBe(0);
  });

  it('a final state runs its entry before done resolves; an initial final state finishes at once', async () => {
    const host = hostWith(['report']);
    const machine = orchestrate(host, { initial: 'END', states: { END: { entry: 'report', final: true } } });
    expect(await machine.done).toEqual({ state: 'END', history: [], final: true });
    expect(host.names()).toEqual(['report']);
  });

  it('queues events that arrive while an entry runs and handles them in arrival order', async () => {
    const hold = gate();
    const host = hostWith(['b_entry']).register('a_entry', () => hold.promise);
    const machine = orchestrate(host, {
      initial: 'A',
      states: { A: { entry: 'a_entry', events: { X: 'B' } }, B: { entry: 'b_entry', events: { Y: 'C' } }, C: { final: true } },
    });
    await vi.waitFor(() => expect(host.listenerCount).toBe(1));
    host.publish('Y'); // not handled by A: when its turn comes, the machine is in A, so it is dropped
    host.publish('X');
    host.publish('Y');
    expect(machine.state).toBe('A');
    hold.open();
    const result = await machine.done;
    expect(result.history.map((t) => t.event)).toEqual(['X', 'Y']);
    expect(host.names()).toEqual(['a_entry', 'b_entry']);
  });

  it('a completion event is dropped once the machine has moved on from the state that produced it', async () => {
    const hold = gate();
    const host = new FakeHost().register('slow', () => hold.promise);
    const machine = orchestrate(host, {
      initial: 'A',
      states: { A: { entry: 'slow', events: { GO: 'B', EVT_CHAIN_DONE: 'C' } }, B: { events: { EVT_CHAIN_DONE: 'C', END: 'Z' } }, C: {}, Z: { final: true } },
    });
    await vi.waitFor(() => expect(host.listenerCount).toBe(1));
    host.publish('GO');
    hold.open();
    await vi.waitFor(() => expect(machine.state).toBe('B'));
    host.publish('END');
    const result = await machine.done;
    expect(result.history.map((t) => t.to)).toEqual(['B', 'Z']);
  });

  it('entries may be workflows with flux steps, and receive the orchestrator args', async () => {
    const host = new FakeHost({ domain: { n: 0 } }).register('inc', (ctx) => void ctx.domain.n++);
    const machine = orchestrate(
      host,
      `initial: WORK
states:
  WORK:
    entry:
      steps:
        - flux: while
          condition: domain.n < args.target
          do: [inc]
    events:
      EVT_CHAIN_DONE: DONE
  DONE:
    final: true
`,
      { args: { target: 3 } },
    );
    expect((await machine.done).state).toBe('DONE');
    expect(host.domain.n).toBe(3);
    expect(host.calls[0]?.args).toEqual({ target: 3 });
  });
});

describe('orchestrate: stop and abort', () => {
  it('stop() aborts the running entry, waits for it, resolves done with the current state and leaves no listener', async () => {
    const seen: (AbortSignal | undefined)[] = [];
    const hold = gate();
    const host = new FakeHost().register('long', async (_ctx, _args, signal) => {
      seen.push(signal);
      await hold.promise;
    });
    const machine = orchestrate(host, { initial: 'RUN', states: { RUN: { entry: ['long', 'long', 'long'], events: { EVT_CHAIN_DONE: 'END' } }, END: { final: true } } });
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    const stopping = machine.stop();
    expect(seen[0]?.aborted).toBe(true);
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false); // still waiting for the running step to let go
    hold.open();
    await stopping;
    expect(host.names()).toEqual(['long']);
    expect(await machine.done).toEqual({ state: 'RUN', history: [], final: false });
    expect(host.listenerCount).toBe(0);
    await machine.stop();
  });

  it('aborting the options signal stops the machine', async () => {
    const controller = new AbortController();
    const host = hostWith([]);
    const machine = orchestrate(host, { states: { IDLE: { events: { GO: 'IDLE' } } } }, { signal: controller.signal });
    controller.abort();
    expect((await machine.done).final).toBe(false);
    expect(host.listenerCount).toBe(0);
    const already = orchestrate(host, { states: { IDLE: {} } }, { signal: controller.signal });
    expect((await already.done).state).toBe('IDLE');
  });
});

describe('orchestrate: validation', () => {
  function syntaxErrorOf(definition: unknown): WorkflowSyntaxError {
    try {
      parseStateMachine(definition);
    } catch (error) {
      expect(error).toBeInstanceOf(WorkflowSyntaxError);
      return error as WorkflowSyntaxError;
    }
    throw new Error('expected a WorkflowSyntaxError');
  }

  it.each([
    ['states:\n  IDLE:\n    events:\n      GO: NOWHERE\n', 4, 11, /event 'GO' of state 'IDLE' goes to unknown state 'NOWHERE'; states: IDLE/],
    ['states:\n  START: {}\n', 2, 3, /no initial state: add 'initial: <STATE>' \(there is no IDLE state\)/],
    ['initial: GO\nstates:\n  IDLE: {}\n', 1, 10, /initial state 'GO' is not defined/],
    ['states:\n  IDLE:\n    enter: p\n', 3, 5, /unknown key 'enter' in state 'IDLE'/],
    ['machine: x\nstates:\n  IDLE: {}\n', 1, 1, /unknown key 'machine' at the top of a state machine/],
    ['states: []\n', 1, 9, /needs a non-empty 'states' mapping/],
    ['name: m\n', 1, 1, /needs a non-empty 'states' mapping/],
    ['states:\n  IDLE:\n    events: [GO]\n', 3, 13, /must be a mapping TOPIC: NEXT_STATE/],
    ['states:\n  IDLE:\n    events:\n      GO: 3\n', 4, 11, /event 'GO' must name the next state/],
    ['states:\n  IDLE:\n    final: yes\n', 3, 12, /'final' must be true or false/],
    ['states:\n  IDLE:\n    final: true\n    events: { GO: IDLE }\n', 3, 5, /final state 'IDLE' cannot have events/],
    ['states:\n  IDLE:\n    entry: a\n    process: b\n', 3, 5, /both 'entry' and 'process'/],
    ['states:\n  IDLE:\n    on: { A: IDLE }\n    events: { B: IDLE }\n', 3, 5, /has 'events' and 'on'; keep one/],
    ['states:\n  IDLE:\n    entry: 5\n', 3, 12, /'entry' must be a process name, a list of steps or a workflow/],
    ['states:\n  IDLE:\n    entry:\n      - flux: if\n', 4, 9, /'flux: if' requires a 'condition'/],
    ['states:\n  IDLE: 3\n', 2, 9, /state 'IDLE' must be a mapping/],
  ])('%j → %i:%i', (yaml, line, column, message) => {
    const error = syntaxErrorOf(yaml);
    expect([error.line, error.column]).toEqual([line, column]);
    expect(error.message).toMatch(message);
  });

  it('unknown entry processes are reported before subscribing; bad hosts and options are refused', () => {
    const host = hostWith(['known']);
    expect(() => orchestrate(host, { states: { IDLE: { entry: ['known', 'ghost'] } } })).toThrow(/Unknown process 'ghost'/);
    expect(host.listenerCount).toBe(0);
    expect(host.calls).toEqual([]);
    const noSubscribe = { hasProcess: () => true, execute: async () => undefined, conditionScope: () => ({}), version: () => 0 };
    expect(() => orchestrate(noSubscribe as never, { states: { IDLE: {} } })).toThrow(TheusError);
    expect(() => orchestrate(host, { states: { IDLE: {} } }, { signal: 'x' } as never)).toThrow(/signal must be an AbortSignal/);
    expect(() => orchestrate(host, 42)).toThrow(/must be a YAML file path, YAML text or a plain object/);
  });

  it('an entry may be a single step mapping with its own args', async () => {
    const host = hostWith(['charge']);
    const machine = orchestrate(host, { initial: 'PAY', states: { PAY: { entry: { process: 'charge', args: { amount: 5 } }, events: { EVT_CHAIN_DONE: 'END' } }, END: { final: true } } });
    expect((await machine.done).state).toBe('END');
    expect(host.calls).toEqual([{ name: 'charge', args: { amount: 5 } }]);
  });

  it('accepts a parsed machine and the process/entry aliases', async () => {
    const machine = parseStateMachine({ states: { IDLE: { process: 'a', on: { EVT_CHAIN_DONE: 'END' } }, END: { final: true } } });
    expect(parseStateMachine(machine)).toBe(machine);
    const host = hostWith(['a']);
    expect((await orchestrate(host, machine).done).state).toBe('END');
  });
});
