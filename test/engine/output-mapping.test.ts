/**
 * Output mapping: how a process's return value becomes writes (API.md §3, REFERENCE.md §3.6,
 * INC-017, INC-021, INC-026).
 */
import { describe, expect, it } from 'vitest';
import { ContractViolationError, StateUpdate, TheusEngine, process, type ContractSpec } from '../../src/index.js';
import { rejectsCode } from './helpers.js';

async function runOnce(initial: Record<string, unknown>, contract: ContractSpec, fn: (ctx: any) => unknown, options = {}) {
  const engine = new TheusEngine(initial, options);
  const value = await engine.execute(process({ name: 'p', ...contract }, fn));
  return { engine, value, state: engine.state.toJSON() as any };
}

describe('output mapping table (REFERENCE §3.6 examples)', () => {
  it('one output ← the value (engine created empty)', async () => {
    const { state } = await runOnce({}, { outputs: ['domain.status'] }, () => 'Online');
    expect(state.domain.status).toBe('Online');
  });

  it('several outputs ← object keyed by full output path', async () => {
    const { state } = await runOnce({ domain: { user: { id: 7 } } }, { outputs: ['domain.user.name', 'domain.user.age'] }, () => ({ 'domain.user.name': 'Alice', 'domain.user.age': 30 }));
    expect(state.domain.user).toEqual({ id: 7, name: 'Alice', age: 30 });
  });

  it('several outputs ← object keyed by unique leaf', async () => {
    const { state } = await runOnce({ domain: { config: { keep: 1 } } }, { outputs: ['domain.config.theme', 'domain.config.debug'] }, () => ({ theme: 'Dark', debug: true }));
    expect(state.domain.config).toEqual({ keep: 1, theme: 'Dark', debug: true });
  });

  it('several outputs ← array, positional', async () => {
    const { state } = await runOnce({}, { outputs: ['domain.pos.x', 'domain.pos.y'] }, () => [100, 200]);
    expect(state.domain.pos).toEqual({ x: 100, y: 200 });
  });

  it('nested outputs keep their siblings', async () => {
    const initial = { domain: { nested: { sub: { key: 'old', untouched: 1 }, sibling: { flag: false }, x: 2 } } };
    const { state } = await runOnce(initial, { outputs: ['domain.nested.sub.key', 'domain.nested.sibling.flag'] }, () => ['new', true]);
    expect(state.domain.nested).toEqual({ sub: { key: 'new', untouched: 1 }, sibling: { flag: true }, x: 2 });
  });

  it('INC-004: a nested output writes the leaf, never the parent', async () => {
    const { state } = await runOnce({ domain: { order: { id: 1, orders: [] } } }, { outputs: ['domain.order.orders'] }, () => [{ x: 1 }]);
    expect(state.domain.order).toEqual({ id: 1, orders: [{ x: 1 }] });
    const su = await runOnce({}, { outputs: ['domain.nested.value'] }, () => StateUpdate({ data: { 'domain.nested.value': 'success' } }));
    expect(su.state.domain).toEqual({ nested: { value: 'success' } });
    expect(Object.keys(su.state)).not.toContain('domain.nested.value');
  });

  it('one output ← an object: the whole object replaces the value', async () => {
    const { state } = await runOnce({ domain: { cfg: { z: 0 } } }, { outputs: ['domain.cfg'] }, () => ({ a: 1 }));
    expect(state.domain.cfg).toEqual({ a: 1 });
  });

  it('intermediate objects are created; writing below a scalar is refused and commits nothing', async () => {
    const { state } = await runOnce({}, { outputs: ['domain.x.y.z'] }, () => 1);
    expect(state.domain).toEqual({ x: { y: { z: 1 } } });
    const engine = new TheusEngine({ domain: { x: 5 } });
    const err = await rejectsCode(engine.execute(process({ name: 'below', outputs: ['domain.x.y'] }, () => 1)), 'INVALID_ARGUMENT');
    expect(err.message).toContain('domain.x');
    expect(engine.state.version).toBe(0);
  });

  it('undefined leaves an output alone; null writes null', async () => {
    const initial = { domain: { a: 1, b: 2, c: 3 } };
    expect((await runOnce(initial, { outputs: ['domain.a', 'domain.b', 'domain.c'] }, () => [undefined, null, 30])).state.domain).toEqual({ a: 1, b: null, c: 30 });
    expect((await runOnce(initial, { outputs: ['domain.a', 'domain.b', 'domain.c'] }, () => ({ a: undefined, b: null }))).state.domain).toEqual({ a: 1, b: null, c: 3 });
    expect((await runOnce(initial, { outputs: ['domain.a', 'domain.b'] }, () => [7])).state.domain).toEqual({ a: 7, b: 2, c: 3 });
    const single = await runOnce(initial, { outputs: ['domain.a'] }, () => null);
    expect(single.state.domain.a).toBeNull();
    const nothing = await runOnce(initial, { outputs: ['domain.a'] }, () => undefined);
    expect(nothing.engine.state.version).toBe(0);
  });

  it('no outputs: the value is only execute’s result', async () => {
    const { engine, value } = await runOnce({ domain: { a: 1 } }, { inputs: ['domain.a'] }, (ctx) => ({ doubled: ctx.domain.a * 2 }));
    expect(value).toEqual({ doubled: 2 });
    expect(engine.state.version).toBe(0);
  });

  it('a pure process with outputs commits its returned value', async () => {
    const { state } = await runOnce({ domain: { a: 2 } }, { inputs: ['domain.a'], outputs: ['domain.sq'], semantic: 'pure' }, (ctx) => ctx.domain.a ** 2);
    expect(state.domain.sq).toBe(4);
  });
});

describe('mutation through ctx wins over a returned value for the same path', () => {
  it('ctx.domain.n = 9; return "ok" commits 9 and execute returns "ok"', async () => {
    const { state, value } = await runOnce({ domain: { n: 0 } }, { outputs: ['domain.n'] }, (ctx) => {
      ctx.domain.n = 9;
      return 'ok';
    });
    expect(state.domain.n).toBe(9);
    expect(value).toBe('ok');
  });

  it('per path: the mutated output keeps the mutation, the others take the returned values', async () => {
    const { state } = await runOnce({ domain: { a: 0, b: 0 } }, { outputs: ['domain.a', 'domain.b'] }, (ctx) => {
      ctx.domain.a = 9;
      return [1, 2];
    });
    expect(state.domain).toEqual({ a: 9, b: 2 });
  });

  it('a mutation below an output counts as mutating it (push then return "done")', async () => {
    const { state, value } = await runOnce({ domain: { items: [] } }, { outputs: ['domain.items'] }, (ctx) => {
      ctx.domain.items.push('processed');
      return 'done';
    });
    expect(state.domain.items).toEqual(['processed']);
    expect(value).toBe('done');
  });

  it('a returned different list replaces a list that was only read (INV-6)', async () => {
    const { state } = await runOnce({ domain: { experiments: [1, 2] } }, { inputs: ['domain.experiments'], outputs: ['domain.experiments'] }, (ctx) => {
      const seen = ctx.domain.experiments.length;
      return [seen, 'fresh'];
    });
    expect(state.domain.experiments).toEqual([2, 'fresh']);
  });
});

describe('StateUpdate results', () => {
  it('dotted and nested keys, merging nested objects into existing ones', async () => {
    const initial = { domain: { user: { name: 'Alice', role: 'admin', stats: { logins: 5 } }, other: 1 } };
    const { state } = await runOnce(initial, { outputs: ['domain.user'] }, () => StateUpdate({ data: { domain: { user: { stats: { logins: 6 } } }, 'domain.user.role': 'owner' } }));
    expect(state.domain).toEqual({ user: { name: 'Alice', role: 'owner', stats: { logins: 6 } }, other: 1 });
  });

  it('data, heavy, meta and signal sections', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } });
    const got: unknown[] = [];
    engine.signals.subscribe('*', (m) => got.push([m.topic, m.payload, m.version, engine.state.domain.n]));
    const p = process({ name: 'all', outputs: ['domain.n', 'heavy.buf', 'meta.mode', 'signal.ready'] }, () =>
      StateUpdate({ data: { 'domain.n': 1 }, heavy: { buf: { handle: 'h1' } }, meta: { mode: 'fast' }, signal: { ready: true } }),
    );
    await engine.execute(p);
    expect(engine.state.domain.n).toBe(1);
    expect(engine.state.heavy.buf).toEqual({ handle: 'h1' });
    expect(engine.state.data.meta.mode).toBe('fast');
    expect(engine.state.signals).toEqual({ ready: true });
    expect(got).toEqual([['ready', true, 1, 1]]);
  });

  it('every written leaf must be covered by an output; nothing commits otherwise', async () => {
    const engine = new TheusEngine({ domain: { a: 1, b: 2 } });
    const sneaky = process({ name: 'sneaky', outputs: ['domain.a'] }, () => StateUpdate({ data: { domain: { a: 10, b: 20 } } }));
    const err = await rejectsCode(engine.execute(sneaky), 'CONTRACT_VIOLATION', ContractViolationError);
    expect(err.path).toBe('domain.b');
    expect(engine.state.version).toBe(0);
    const signalOnly = process({ name: 'signalOnly', outputs: ['domain.a'] }, () => StateUpdate({ signal: { ping: 1 } }));
    expect((await rejectsCode(engine.execute(signalOnly), 'CONTRACT_VIOLATION')).path).toBe('signal.ping');
    const heavyOnly = process({ name: 'heavyOnly', outputs: ['domain.a'] }, () => StateUpdate({ heavy: { m: 1 } }));
    expect((await rejectsCode(engine.execute(heavyOnly), 'CONTRACT_VIOLATION')).path).toBe('heavy.m');
    expect(engine.state.version).toBe(0);
  });

  it('a wildcard output covers concrete StateUpdate paths', async () => {
    const { state } = await runOnce({ domain: { accounts: { a: 1 } } }, { outputs: ['domain.accounts.*'] }, () => StateUpdate({ data: { 'domain.accounts.b': 2, 'domain.accounts.c': 3 } }));
    expect(state.domain.accounts).toEqual({ a: 1, b: 2, c: 3 });
  });

  it('with strictGuards false undeclared StateUpdate paths commit', async () => {
    const { state } = await runOnce({ domain: {} }, {}, () => StateUpdate({ data: { 'domain.free': 1 } }), { strictGuards: false });
    expect(state.domain.free).toBe(1);
  });

  it('a pure process is held to its outputs even with strictGuards false', async () => {
    const engine = new TheusEngine({ domain: {} }, { strictGuards: false });
    const p = process({ name: 'p', semantic: 'pure' }, () => StateUpdate({ data: { 'domain.free': 1 } }));
    await rejectsCode(engine.execute(p), 'CONTRACT_VIOLATION');
    expect(engine.state.version).toBe(0);
  });

  it('hostile paths are refused and pollute nothing', async () => {
    const engine = new TheusEngine({ domain: {} });
    const p = process({ name: 'p', outputs: ['domain'] }, () => StateUpdate({ data: { 'domain.__proto__.polluted': 1 } }));
    await rejectsCode(engine.execute(p), 'INVALID_PATH');
    const q = process({ name: 'q', outputs: ['domain'] }, () => StateUpdate({ data: { domain: JSON.parse('{"__proto__": {"polluted": 1}}') } }));
    await engine.execute(q).catch(() => undefined);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(engine.state.domain)).toBe(Object.prototype);
    expect(engine.state.domain.polluted).toBeUndefined();
  });
});

describe('bad return values', () => {
  it('INC-017(c): a scalar for several outputs → ContractViolationError naming the outputs and the allowed shapes', async () => {
    const engine = new TheusEngine({ domain: { a: 0, b: 0 } });
    for (const scalar of [11, 'ok', true, 10n]) {
      const p = process({ name: `s${typeof scalar}`, outputs: ['domain.a', 'domain.b'] }, () => scalar);
      const err = await rejectsCode(engine.execute(p), 'CONTRACT_VIOLATION', ContractViolationError);
      expect(err.message).toContain('domain.a');
      expect(err.message).toContain('domain.b');
      expect(err.message).toMatch(/array.*object.*StateUpdate/);
    }
    expect(engine.state.version).toBe(0);
  });

  it('a value for an undeclared path → ContractViolationError naming it; nothing committed', async () => {
    const engine = new TheusEngine({ domain: { a: 0, b: 0 } });
    const p = process({ name: 'p', outputs: ['domain.a', 'domain.b'] }, () => ({ a: 1, 'domain.zzz': 2 }));
    const err = await rejectsCode(engine.execute(p), 'CONTRACT_VIOLATION', ContractViolationError);
    expect(err.path).toBe('domain.zzz');
    expect(engine.state.domain).toEqual({ a: 0, b: 0 });
  });

  it('an ambiguous leaf key (two outputs end the same way) is not guessed', async () => {
    const engine = new TheusEngine({ domain: {} });
    const p = process({ name: 'p', outputs: ['domain.left.x', 'domain.right.x'] }, () => ({ x: 1 }));
    await rejectsCode(engine.execute(p), 'CONTRACT_VIOLATION');
    const q = process({ name: 'q', outputs: ['domain.left.x', 'domain.right.x'] }, () => ({ 'domain.right.x': 1 }));
    await engine.execute(q);
    expect(engine.state.domain).toEqual({ right: { x: 1 } });
  });

  it('more array entries than outputs → ContractViolationError', async () => {
    const engine = new TheusEngine({ domain: {} });
    const p = process({ name: 'p', outputs: ['domain.a', 'domain.b'] }, () => [1, 2, 3]);
    const err = await rejectsCode(engine.execute(p), 'CONTRACT_VIOLATION');
    expect(err.message).toMatch(/3 values for 2 outputs/);
  });

  it('a value for a wildcard output → ContractViolationError (use a StateUpdate)', async () => {
    const engine = new TheusEngine({ domain: {} });
    const p = process({ name: 'p', outputs: ['domain.*'] }, () => 1);
    const err = await rejectsCode(engine.execute(p), 'CONTRACT_VIOLATION');
    expect(err.path).toBe('domain.*');
    expect(err.message).toContain('StateUpdate');
  });

  it('a signal output must name exactly one topic', async () => {
    const engine = new TheusEngine({ domain: {} });
    const p = process({ name: 'p', outputs: ['signal.a.b'] }, () => 1);
    await rejectsCode(engine.execute(p), 'CONTRACT_VIOLATION');
  });
});

describe('signal outputs', () => {
  it('a returned value for signal.topic publishes topic after the commit, latched in state.signals', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } });
    const got: unknown[] = [];
    engine.signals.subscribe('done', (m) => got.push({ ...m, seen: engine.state.domain.n }));
    const p = process({ name: 'p', outputs: ['domain.n', 'signal.done'] }, () => [5, { ok: true }]);
    await engine.execute(p);
    expect(got).toEqual([{ topic: 'done', payload: { ok: true }, version: 1, seen: 5 }]);
    expect(engine.state.signals).toEqual({ done: { ok: true } });
    // The latch is per version: the next commit clears it.
    engine.edit((c) => void (c.domain.n = 6));
    expect(engine.state.signals).toEqual({});
  });

  it('a signal-only process creates a version (the signal needs one) and publishes once', async () => {
    const engine = new TheusEngine({ domain: {} });
    const got: unknown[] = [];
    engine.signals.subscribe('*', (m) => got.push(m.topic));
    await engine.execute(process({ name: 'ping', outputs: ['signal.ping'] }, (ctx) => void ctx.signal.publish('ping', 1)));
    expect(got).toEqual(['ping']);
    expect(engine.state.version).toBe(1);
  });
});
