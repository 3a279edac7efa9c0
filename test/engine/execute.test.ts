import { describe, expect, it } from 'vitest';
import { ContractViolationError, StaleReferenceError, TheusEngine, TheusError, process } from '../../src/index.js';
import { rejected, rejectsCode, sleep, throwsCode, tick } from './helpers.js';

const inc = process({ name: 'inc', inputs: ['domain.n'], outputs: ['domain.n'] }, (ctx) => {
  ctx.domain.n += 1;
  return ctx.domain.n;
});

const incAsync = process({ name: 'incAsync', inputs: ['domain.n'], outputs: ['domain.n'] }, async (ctx) => {
  const v = ctx.domain.n;
  await tick();
  ctx.domain.n = v + 1;
  return `now ${v + 1}`;
});

describe('execute: running processes', () => {
  it('runs sync and async processes, returns their value, commits one version each', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } });
    expect(await engine.execute(inc)).toBe(1);
    expect(await engine.execute(incAsync)).toBe('now 2');
    expect(engine.state.domain.n).toBe(2);
    expect(engine.state.version).toBe(2);
  });

  it('runs by registered name after register (and register is chainable)', async () => {
    const engine = new TheusEngine({ domain: { n: 5 } }).register(inc).register(incAsync);
    expect(engine.processes()).toEqual(['inc', 'incAsync']);
    expect(await engine.execute('inc')).toBe(6);
    expect(await engine.execute('incAsync')).toBe('now 7');
  });

  it('execute(def) registers an unregistered definition once', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } });
    await engine.execute(inc);
    await engine.execute(inc);
    expect(engine.processes()).toEqual(['inc']);
    const impostor = process({ name: 'inc', outputs: ['domain.n'] }, () => 99);
    await rejectsCode(engine.execute(impostor), 'CONTRACT_VIOLATION', ContractViolationError);
    expect(engine.state.domain.n).toBe(2);
  });

  it('a business error is rethrown unchanged (same object, same class) after rollback', async () => {
    const engine = new TheusEngine({ domain: { n: 0, log: [] as string[] } });
    const boom = new RangeError('amount must be positive');
    const failing = process({ name: 'failing', inputs: ['domain'], outputs: ['domain'] }, (ctx) => {
      ctx.domain.n = 100;
      ctx.domain.log.push('written before the throw');
      throw boom;
    });
    const before = engine.state;
    expect(await rejected(engine.execute(failing))).toBe(boom);
    expect(engine.state).toBe(before);
    expect(engine.state.domain).toEqual({ n: 0, log: [] });
    const asyncBoom = process({ name: 'asyncBoom', outputs: ['domain.n'] }, async (ctx) => {
      ctx.domain.n = 7;
      await tick();
      throw new TypeError('late');
    });
    const err = await rejected(engine.execute(asyncBoom));
    expect(err).toBeInstanceOf(TypeError);
    expect(engine.state).toBe(before);
    expect(engine.metrics().byProcess).toMatchObject({ failing: { rollbacks: 1, commits: 0 }, asyncBoom: { rollbacks: 1, commits: 0 } });
  });

  it('non-Error throws are rethrown as they are', async () => {
    const engine = new TheusEngine({ domain: {} });
    const p = process({ name: 'throwsString' }, () => {
      throw 'plain string';
    });
    expect(await rejected(engine.execute(p))).toBe('plain string');
  });

  it('a successful execute that changed nothing creates no version', async () => {
    const engine = new TheusEngine({ domain: { n: 1 } });
    const read = process({ name: 'read', inputs: ['domain.n'] }, (ctx) => ctx.domain.n * 10);
    const before = engine.state;
    expect(await engine.execute(read)).toBe(10);
    const same = process({ name: 'same', outputs: ['domain.n'] }, (ctx) => {
      ctx.domain.n = 1; // the value it already has
    });
    await engine.execute(same);
    expect(engine.state).toBe(before);
    expect(engine.state.version).toBe(0);
  });

  it('ctx.input is the args; ctx.local is fresh per execution and never committed', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } });
    const seen: unknown[] = [];
    const p = process({ name: 'p', outputs: ['domain.n'] }, (ctx, args: { k: number }) => {
      seen.push(ctx.input, { ...ctx.local });
      ctx.local.scratch = args.k;
      ctx.domain.n = args.k;
    });
    await engine.execute(p, { k: 1 });
    await engine.execute(p, { k: 2 });
    expect(seen).toEqual([{ k: 1 }, {}, { k: 2 }, {}]);
    expect(Object.keys(engine.state.data)).not.toContain('local');
    expect(JSON.stringify(engine.state.toJSON())).not.toContain('scratch');
  });

  it('a returned draft proxy is replaced by its committed snapshot (also through a Promise, nested)', async () => {
    const engine = new TheusEngine({ domain: { items: ['a'], user: { name: 'x' } } });
    const syncProxy = process({ name: 'syncProxy', inputs: ['domain.items'], outputs: ['domain.items'] }, (ctx) => {
      ctx.domain.items.push('b');
      return ctx.domain.items;
    });
    const r1 = (await engine.execute(syncProxy)) as string[];
    expect(r1).toEqual(['a', 'b']);
    expect(r1).toEqual(engine.state.domain.items);
    expect(Object.isFrozen(r1)).toBe(true);
    expect([...r1]).toEqual(['a', 'b']); // usable after the transaction ended
    // A Promise of a proxy.
    const promiseOfProxy = process({ name: 'promiseOfProxy', inputs: ['domain.user'] }, async (ctx) => {
      await tick();
      return ctx.domain.user;
    });
    const user = (await engine.execute(promiseOfProxy)) as { name: string };
    expect(user).toEqual({ name: 'x' });
    expect(Object.keys(user)).toEqual(['name']);
    // An async process resolving to an object that holds proxies.
    const readOnly = process({ name: 'readOnly', inputs: ['domain.user', 'domain.items'] }, async (ctx) => {
      await tick();
      return { user: ctx.domain.user, list: [ctx.domain.items] };
    });
    const r2 = (await engine.execute(readOnly)) as { user: { name: string }; list: string[][] };
    expect(r2).toEqual({ user: { name: 'x' }, list: [['a', 'b']] });
    expect(r2.user.name).toBe('x');
    expect(r2.list[0]!.length).toBe(2);
  });

  it('a proxy kept by the process past its transaction is stale', async () => {
    const engine = new TheusEngine({ domain: { items: [1] } });
    let leaked: any;
    const p = process({ name: 'leak', inputs: ['domain.items'], outputs: ['domain.items'] }, (ctx) => {
      leaked = { items: ctx.domain.items };
      ctx.domain.items.push(2);
    });
    await engine.execute(p);
    expect(() => leaked.items.push(3)).toThrow(StaleReferenceError);
    expect(engine.state.domain.items).toEqual([1, 2]);
  });
});

describe('execute: bad input at the entry point', () => {
  it('unknown process name → UNKNOWN_PROCESS naming the known ones', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } }).register(inc);
    const err = await rejectsCode(engine.execute('nope'), 'UNKNOWN_PROCESS');
    expect(err.message).toContain("'nope'");
    expect(err.message).toContain('inc');
    await rejectsCode(new TheusEngine().execute('inc'), 'UNKNOWN_PROCESS');
  });

  it('a non-process target → INVALID_ARGUMENT', async () => {
    const engine = new TheusEngine();
    for (const bad of [() => 1, {}, null, undefined, 42, Symbol('x')]) {
      await rejectsCode(engine.execute(bad as never), 'INVALID_ARGUMENT');
    }
  });

  it('args must be data: functions, symbols, promises, weak collections and hostile keys are refused', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } });
    const cases: [unknown, string | undefined][] = [
      [() => 1, 'args'],
      [{ cb: () => 1 }, 'args.cb'],
      [{ list: [1, { deep: Symbol('s') }] }, 'args.list[1].deep'],
      [Symbol('top'), 'args'],
      [{ p: Promise.resolve(1) }, 'args.p'],
      [{ w: new WeakMap() }, 'args.w'],
      [new Map([['k', () => 1]]), 'args'],
      [new Set([Symbol('x')]), 'args'],
      [JSON.parse('{"__proto__": {"polluted": true}}'), 'args'],
    ];
    for (const [args, path] of cases) {
      const err = await rejectsCode(engine.execute(inc, args), 'INVALID_ARGUMENT');
      if (path) expect(err.path).toBe(path);
    }
    let deep: Record<string, unknown> = {};
    const top = deep;
    for (let i = 0; i < 300; i++) deep = deep.next = {};
    await rejectsCode(engine.execute(inc, top), 'INVALID_ARGUMENT');
    expect(engine.state.version).toBe(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('args that are data pass through: primitives, Dates, Maps, Sets, typed arrays, cycles', async () => {
    const engine = new TheusEngine({ domain: {} });
    const echo = process({ name: 'echo' }, (_ctx, args) => args);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    for (const args of [undefined, null, 1, 'x', true, 10n, new Date(0), new Map([[1, 2]]), new Set([1]), new Uint8Array(2), [1, [2]], cyclic]) {
      expect(await engine.execute(echo, args)).toBe(args);
    }
  });

  it('options.signal must be an AbortSignal', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } });
    await rejectsCode(engine.execute(inc, undefined, { signal: 'stop' as never }), 'INVALID_ARGUMENT');
    await rejectsCode(engine.execute(inc, undefined, { signal: {} as never }), 'INVALID_ARGUMENT');
    expect(engine.state.version).toBe(0);
  });
});

describe('re-entrant engine calls from inside a process → REENTRANT_CALL (never a deadlock)', () => {
  async function reentrant(call: (engine: TheusEngine) => unknown, isAsync: boolean): Promise<unknown> {
    const engine = new TheusEngine({ domain: { n: 0 } });
    engine.register(inc);
    // A sync process cannot await: the rejected promise of an inner execute is kept and awaited here.
    let pending: Promise<unknown> | undefined;
    const outer = process({ name: 'outer', outputs: ['domain.n'] }, isAsync
      ? async (ctx) => {
          ctx.domain.n = 50;
          await tick();
          try {
            await call(engine);
          } catch (e) {
            return e;
          }
          return 'no error';
        }
      : (ctx) => {
          ctx.domain.n = 50;
          try {
            const r = call(engine);
            if (r instanceof Promise) pending = r.then(() => 'no error', (e: unknown) => e);
            return 'no error';
          } catch (e) {
            return e;
          }
        });
    const out = await engine.execute(outer);
    expect(engine.state.domain.n).toBe(50);
    return pending ? await pending : out;
  }

  const calls: [string, (e: TheusEngine) => unknown][] = [
    ['execute by name', (e) => e.execute('inc')],
    ['execute by definition', (e) => e.execute(inc)],
    ['edit', (e) => e.edit((c) => void (c.domain.n = 1))],
    ['transaction()', (e) => e.transaction()],
    ['transaction(fn)', (e) => e.transaction(() => undefined)],
    ['compareAndSwap', (e) => e.compareAndSwap(e.state.version, { data: { 'domain.n': 2 } })],
  ];
  for (const [label, call] of calls) {
    for (const isAsync of [false, true]) {
      it(`${label} from a ${isAsync ? 'async' : 'sync'} process`, async () => {
        const err = await reentrant(call, isAsync);
        expect(err).toBeInstanceOf(TheusError);
        expect((err as TheusError).code).toBe('REENTRANT_CALL');
      });
    }
  }

  it('a signal subscriber may call execute after the commit (it is not inside the process)', async () => {
    const engine = new TheusEngine({ domain: { n: 0, echoed: 0 } });
    const ping = process({ name: 'ping', outputs: ['signal.ping'] }, () => 'hello');
    const echo = process({ name: 'echo', inputs: ['domain.echoed'], outputs: ['domain.echoed'] }, (ctx) => void (ctx.domain.echoed += 1));
    const done = new Promise<unknown>((resolve) => engine.signals.subscribe('ping', () => resolve(engine.execute(echo))));
    await engine.execute(ping);
    await done;
    expect(engine.state.domain.echoed).toBe(1);
  });
});

describe('lifecycle', () => {
  it('close(): every later call fails with ENGINE_CLOSED; state stays readable; close is idempotent', async () => {
    const engine = new TheusEngine({ domain: { n: 3 } }).register(inc);
    await engine.close();
    await engine.close();
    expect(engine.closed).toBe(true);
    await rejectsCode(engine.execute('inc'), 'ENGINE_CLOSED');
    await rejectsCode(engine.execute(inc), 'ENGINE_CLOSED');
    throwsCode(() => engine.register(incAsync), 'ENGINE_CLOSED');
    throwsCode(() => engine.edit(() => undefined), 'ENGINE_CLOSED');
    throwsCode(() => engine.transaction(), 'ENGINE_CLOSED');
    throwsCode(() => engine.compareAndSwap(0, {}), 'ENGINE_CLOSED');
    await rejectsCode(engine.scanAndRegister('.'), 'ENGINE_CLOSED');
    expect(engine.state.domain.n).toBe(3);
  });

  it('close() while a process is running: its commit fails with ENGINE_CLOSED and nothing is installed', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } });
    const slow = process({ name: 'slow', outputs: ['domain.n'] }, async (ctx) => {
      await sleep(5);
      ctx.domain.n = 1;
    });
    const run = engine.execute(slow);
    await engine.close();
    await rejectsCode(run, 'ENGINE_CLOSED');
    expect(engine.state.domain.n).toBe(0);
  });

  it('INC-027: no public way to install a State without CAS (no commitState/setState/replaceState)', () => {
    const engine = new TheusEngine({ domain: { n: 0 } }) as unknown as Record<string, unknown>;
    for (const name of ['commitState', 'commit_state', 'setState', 'replaceState', 'installState', 'install', '_core', 'core']) {
      expect(name in engine).toBe(false);
    }
    expect(() => ((engine as { state: unknown }).state = {})).toThrow(TypeError);
    expect(Object.getOwnPropertyNames(Object.getPrototypeOf(engine)).filter((n) => /state/i.test(n))).toEqual(['state', 'stateAt']);
  });

  it('metrics: totals and byProcess', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } });
    await engine.execute(inc);
    await engine.execute(inc);
    const bad = process({ name: 'bad', outputs: ['domain.n'] }, () => {
      throw new Error('x');
    });
    await engine.execute(bad).catch(() => undefined);
    engine.edit((c) => void (c.domain.n = 10));
    const m = engine.metrics();
    expect(m).toMatchObject({ commits: 3, rollbacks: 1, conflicts: 0, retries: 0, vipGrants: 0 });
    expect(m.byProcess).toEqual({
      inc: { commits: 2, rollbacks: 0, conflicts: 0, retries: 0, vipGrants: 0 },
      bad: { commits: 0, rollbacks: 1, conflicts: 0, retries: 0, vipGrants: 0 },
    });
    // A snapshot: mutating it does not change the engine's counters.
    m.byProcess.inc!.commits = 99;
    expect(engine.metrics().byProcess.inc!.commits).toBe(2);
  });
});
