/**
 * Commits outside processes: engine.edit, engine.transaction and engine.compareAndSwap.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError, EngineTransaction, State, StaleReferenceError, TheusEngine } from '../../src/index.js';
import { expectCode, interleave, pausePoint, rejected, thrown, throwsCode, tick } from './helpers.js';

describe('engine.edit(fn)', () => {
  it('applies the edit atomically and returns the new State', () => {
    const engine = new TheusEngine({ domain: { items: [] as string[] } });
    const s = engine.edit((ctx) => {
      ctx.domain.items = ['seed'];
      ctx.global.limit = 5;
    });
    expect(s).toBe(engine.state);
    expect(s.version).toBe(1);
    expect(engine.state.toJSON()).toMatchObject({ domain: { items: ['seed'] }, global: { limit: 5 } });
  });

  it('a throw rolls everything back and rethrows the same error', () => {
    const engine = new TheusEngine({ domain: { a: 1 } });
    const before = engine.state;
    const boom = new Error('boom');
    expect(
      thrown(() =>
        engine.edit((ctx) => {
          ctx.domain.a = 2;
          throw boom;
        }),
      ),
    ).toBe(boom);
    expect(engine.state).toBe(before);
  });

  it('an async fn is refused (INVALID_ARGUMENT) and nothing commits, not even what ran before the first await', async () => {
    const engine = new TheusEngine({ domain: { a: 1 } });
    let later: unknown;
    throwsCode(
      () =>
        engine.edit(async (ctx: any) => {
          ctx.domain.a = 2;
          await tick();
          try {
            ctx.domain.a = 3;
          } catch (e) {
            later = e;
          }
        }),
      'INVALID_ARGUMENT',
    );
    await tick();
    await tick();
    expect(engine.state.domain.a).toBe(1);
    expect(engine.state.version).toBe(0);
    expect(later).toBeInstanceOf(StaleReferenceError);
  });

  it('refuses a non-function; an edit that changes nothing creates no version', () => {
    const engine = new TheusEngine({ domain: { a: 1 } });
    for (const bad of [undefined, null, 1, {}]) throwsCode(() => engine.edit(bad as never), 'INVALID_ARGUMENT');
    engine.edit((ctx) => void ctx.domain.a);
    engine.edit((ctx) => void (ctx.domain.a = 1));
    expect(engine.state.version).toBe(0);
  });

  it('bypasses contracts (setup), but values must still be storable data', () => {
    const engine = new TheusEngine({ domain: {} });
    engine.edit((ctx) => void (ctx.domain.anything = { deep: [1] }));
    expect(engine.state.domain.anything).toEqual({ deep: [1] });
    const err = thrown(() => engine.edit((ctx) => void (ctx.domain.fn = () => 1)));
    expect(err).toBeInstanceOf(Error);
    expect(engine.state.domain.fn).toBeUndefined();
  });
});

describe('engine.transaction()', () => {
  it('returns an EngineTransaction whose commit installs the new State', () => {
    const engine = new TheusEngine({ domain: { x: 0 } });
    const tx = engine.transaction();
    expect(tx).toBeInstanceOf(EngineTransaction);
    tx.domain.x = 42;
    expect(tx.delta()).toEqual([{ op: 'replace', path: ['domain', 'x'], value: 42 }]);
    const s = tx.commit();
    expect(s).toBe(engine.state);
    expect(engine.state.domain.x).toBe(42);
    expect(engine.state.version).toBe(1);
    expectCode(thrown(() => tx.commit()), 'STALE_REFERENCE', StaleReferenceError);
    expectCode(thrown(() => tx.domain), 'STALE_REFERENCE');
  });

  it('INC-028: a conflicting external commit makes commit() throw ConflictError; nothing of ours lands', () => {
    const engine = new TheusEngine({ domain: { x: 0, y: 0 } });
    const tx = engine.transaction();
    tx.domain.x = 42;
    engine.compareAndSwap(engine.state.version, { data: { 'domain.x': 99 } });
    const err = expectCode(thrown(() => tx.commit()), 'CAS_VERSION_MISMATCH', ConflictError);
    expect(err.paths).toEqual(['domain.x']);
    expect(err.expectedVersion).toBe(0);
    expect(err.actualVersion).toBe(1);
    expect(engine.state.domain.x).toBe(99);
    expect(engine.state.version).toBe(1);
    expect(engine.metrics().conflicts).toBe(1);
  });

  it('INC-028: an external commit on another key does not conflict; both survive', () => {
    const engine = new TheusEngine({ domain: { x: 0, y: 0 } });
    const tx = engine.transaction();
    tx.domain.x = 42;
    engine.compareAndSwap(0, { data: { 'domain.y': 7 } });
    tx.commit();
    expect(engine.state.domain).toEqual({ x: 42, y: 7 });
    expect(engine.state.version).toBe(2);
  });

  it('INC-001: replace a list then append to it inside one transaction', () => {
    const engine = new TheusEngine({ domain: { items: ['initial'] } });
    const tx = engine.transaction();
    tx.domain.items = ['replaced_list'];
    tx.domain.items.push('after_replace');
    tx.commit();
    expect(engine.state.domain.items).toEqual(['replaced_list', 'after_replace']);
  });

  it('rollback discards; proxies are revoked', () => {
    const engine = new TheusEngine({ domain: { x: 0 } });
    const tx = engine.transaction();
    const d = tx.domain;
    d.x = 5;
    tx.rollback();
    tx.rollback();
    expect(engine.state.domain.x).toBe(0);
    expect(() => d.x).toThrow(StaleReferenceError);
    expectCode(thrown(() => tx.commit()), 'STALE_REFERENCE');
  });

  it('transaction(async fn) commits after fn and resolves to the new State; a throw rolls back and rethrows', async () => {
    const engine = new TheusEngine({ domain: { x: 0 } });
    const s = await engine.transaction(async (tx) => {
      await tick();
      tx.domain.x = 1;
    });
    expect(s).toBeInstanceOf(State);
    expect(engine.state.domain.x).toBe(1);
    const boom = new Error('no');
    expect(
      await rejected(
        engine.transaction((tx) => {
          tx.domain.x = 2;
          throw boom;
        }),
      ),
    ).toBe(boom);
    expect(engine.state.domain.x).toBe(1);
    throwsCode(() => engine.transaction('fn' as never), 'INVALID_ARGUMENT');
  });

  it('transaction(fn) loses to a concurrent commit on the same key: ConflictError, nothing installed', async () => {
    const engine = new TheusEngine({ domain: { x: 0 } });
    const point = pausePoint();
    const run = interleave(
      point,
      () =>
        engine.transaction(async (tx) => {
          tx.domain.x = 1;
          await point.here();
        }),
      () => engine.edit((c) => void (c.domain.x = 50)),
    );
    expectCode(await rejected(run), 'CAS_VERSION_MISMATCH', ConflictError);
    expect(engine.state.domain.x).toBe(50);
  });
});

describe('engine.transaction(fn): the same deadline as a process', () => {
  it('a callback that never settles: WRITE_TIMEOUT after writeTimeoutMs, nothing committed, later writes through tx throw', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } }, { writeTimeoutMs: 50 });
    let leaked: EngineTransaction | undefined;
    const err = await rejected(
      engine.transaction(async (tx) => {
        leaked = tx;
        tx.domain.n = 1;
        await new Promise(() => undefined);
      }),
    );
    expectCode(err, 'WRITE_TIMEOUT');
    expect((err as Error).message).toContain('transaction(fn) kept its transaction open');
    expect(engine.state.domain.n).toBe(0);
    expect(engine.state.version).toBe(0);
    expect(() => ((leaked as unknown as { domain: { n: number } }).domain.n = 2)).toThrow(StaleReferenceError);
    // The engine goes on.
    await engine.transaction((tx) => void (tx.domain.n = 3));
    expect(engine.state.domain.n).toBe(3);
    await engine.close();
  });

  it('a synchronous callback that runs past writeTimeoutMs is refused too', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } }, { writeTimeoutMs: 20 });
    const err = await rejected(
      engine.transaction((tx) => {
        tx.domain.n = 1;
        const until = Date.now() + 40;
        while (Date.now() < until);
      }),
    );
    expectCode(err, 'WRITE_TIMEOUT');
    expect(engine.state.domain.n).toBe(0);
    await engine.close();
  });

  it('close() settles a callback that never does: ENGINE_CLOSED, nothing committed', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } });
    const pending = engine.transaction(async (tx) => {
      tx.domain.n = 1;
      await new Promise(() => undefined);
    });
    await tick();
    await engine.close();
    expectCode(await rejected(pending), 'ENGINE_CLOSED');
    expect(engine.state.domain.n).toBe(0);
  });
});

describe('engine.compareAndSwap(expected, update, { requester })', () => {
  it('merges dotted and nested keys into the state (INC-003: siblings survive)', () => {
    const engine = new TheusEngine({ domain: { user: { name: 'Alice', role: 'admin', stats: { login_count: 5 } }, meta_v: { version: 1 } } });
    const s = engine.compareAndSwap(0, { data: { domain: { user: { stats: { login_count: 6 } } } } });
    expect(s.domain.user).toEqual({ name: 'Alice', role: 'admin', stats: { login_count: 6 } });
    expect(s.domain.meta_v).toEqual({ version: 1 });
    engine.compareAndSwap(1, { data: { 'domain.user.name': 'Bob', 'domain.new.deep': true } });
    expect(engine.state.domain.user.name).toBe('Bob');
    expect(engine.state.domain.new).toEqual({ deep: true });
    expect(engine.state.version).toBe(2);
  });

  it('non-plain values replace; arrays replace wholesale', () => {
    const engine = new TheusEngine({ domain: { list: [1, 2, 3], obj: { a: 1 } } });
    engine.compareAndSwap(0, { data: { 'domain.list': [9], 'domain.obj': null } });
    expect(engine.state.domain).toEqual({ list: [9], obj: null });
  });

  it('heavy, meta and signal sections; signals publish after the swap, exactly once', () => {
    const engine = new TheusEngine({ domain: {} });
    const got: unknown[] = [];
    engine.signals.subscribe('*', (m) => got.push([m.topic, m.payload, engine.state.version]));
    engine.compareAndSwap(0, { heavy: { ref: { id: 1 } }, meta: { 'mode.fast': true }, signal: { done: 'yes' } });
    expect(engine.state.heavy.ref).toEqual({ id: 1 });
    expect(engine.state.data.meta).toEqual({ mode: { fast: true } });
    expect(engine.state.signals).toEqual({ done: 'yes' });
    expect(got).toEqual([['done', 'yes', 1]]);
    // A signal alone is a commit of its own.
    engine.compareAndSwap(1, { signal: { again: 1 } });
    expect(engine.state.version).toBe(2);
  });

  it('smart CAS: a stale version succeeds when the changed keys are disjoint (INC-011)', () => {
    const engine = new TheusEngine({ domain: { counter: 0, other: 0 } });
    engine.compareAndSwap(0, { data: { 'domain.counter': 1 } });
    engine.compareAndSwap(0, { data: { domain: { other: 99 } } });
    expect(engine.state.domain).toEqual({ counter: 1, other: 99 });
  });

  it('smart CAS: a stale version on a changed key → ConflictError; nothing applied, no signal published (INC-023c)', () => {
    const engine = new TheusEngine({ domain: { balance: 100 } });
    const got: unknown[] = [];
    engine.signals.subscribe('*', (m) => got.push(m.topic));
    engine.compareAndSwap(0, { data: { 'domain.balance': 90 } });
    const err = expectCode(thrown(() => engine.compareAndSwap(0, { data: { 'domain.balance': 80 }, signal: { done: true } })), 'CAS_VERSION_MISMATCH', ConflictError);
    expect(err.paths).toEqual(['domain.balance']);
    expect([err.expectedVersion, err.actualVersion]).toEqual([0, 1]);
    expect(engine.state.domain.balance).toBe(90);
    expect(got).toEqual([]);
    engine.compareAndSwap(1, { data: { 'domain.balance': 80 }, signal: { done: true } });
    expect(got).toEqual(['done']);
  });

  it('a write to a parent conflicts with a change below it and vice versa', () => {
    const engine = new TheusEngine({ domain: { user: { name: 'a', age: 1 } } });
    engine.compareAndSwap(0, { data: { 'domain.user.name': 'b' } });
    throwsCode(() => engine.compareAndSwap(0, { data: { 'domain.user': 'replaced' } }), 'CAS_VERSION_MISMATCH');
    engine.compareAndSwap(1, { data: { 'domain.user': { name: 'c', age: 2 } } });
    throwsCode(() => engine.compareAndSwap(1, { data: { 'domain.user.age': 3 } }), 'CAS_VERSION_MISMATCH');
  });

  it('strictCas: any newer version is a conflict (INC-011 / INC-017a); switchable at runtime', () => {
    const engine = new TheusEngine({ domain: { a: 0, other: 0 } }, { strictCas: true });
    engine.compareAndSwap(0, { data: { 'domain.a': 1 } });
    const err = expectCode(thrown(() => engine.compareAndSwap(0, { data: { domain: { other: 99 } } })), 'CAS_VERSION_MISMATCH', ConflictError);
    expect(err.message).toMatch(/strict CAS/);
    engine.strictCas = false;
    engine.compareAndSwap(0, { data: { domain: { other: 99 } } });
    expect(engine.state.domain.other).toBe(99);
    throwsCode(() => ((engine as { strictCas: unknown }).strictCas = 1), 'INVALID_ARGUMENT');
  });

  it('an expected version from the future is a conflict', () => {
    const engine = new TheusEngine({ domain: {} });
    const err = expectCode(thrown(() => engine.compareAndSwap(5, { data: { 'domain.a': 1 } })), 'CAS_VERSION_MISMATCH', ConflictError);
    expect([err.expectedVersion, err.actualVersion]).toEqual([5, 0]);
  });

  it('an empty update changes nothing and creates no version', () => {
    const engine = new TheusEngine({ domain: { a: 1 } });
    expect(engine.compareAndSwap(0)).toBe(engine.state);
    expect(engine.compareAndSwap(0, {})).toBe(engine.state);
    expect(engine.compareAndSwap(0, { data: { 'domain.a': 1 } }).version).toBe(0);
  });

  describe('bad input → typed error, state untouched', () => {
    const cases: [string, unknown[], string][] = [
      ['negative version', [-1, {}], 'INVALID_ARGUMENT'],
      ['fractional version', [1.5, {}], 'INVALID_ARGUMENT'],
      ['NaN version', [Number.NaN, {}], 'INVALID_ARGUMENT'],
      ['string version', ['0', {}], 'INVALID_ARGUMENT'],
      ['null version', [null, {}], 'INVALID_ARGUMENT'],
      ['Infinity version', [Infinity, {}], 'INVALID_ARGUMENT'],
      ['update not an object', [0, 'domain.a=1'], 'INVALID_ARGUMENT'],
      ['update an array', [0, [{ data: {} }]], 'INVALID_ARGUMENT'],
      ['update null', [0, null], 'INVALID_ARGUMENT'],
      ['unknown section', [0, { date: { 'domain.a': 1 } }], 'INVALID_ARGUMENT'],
      ['section not an object', [0, { data: 5 }], 'INVALID_ARGUMENT'],
      ['section an array', [0, { data: [['domain.a', 1]] }], 'INVALID_ARGUMENT'],
      ['unknown root', [0, { data: { 'nowhere.a': 1 } }], 'INVALID_ARGUMENT'],
      ['signal as a data root', [0, { data: { 'signal.x': 1 } }], 'INVALID_ARGUMENT'],
      ['empty segment', [0, { data: { 'domain..a': 1 } }], 'INVALID_PATH'],
      ['__proto__ segment', [0, { data: { 'domain.__proto__.polluted': 1 } }], 'INVALID_PATH'],
      ['constructor segment', [0, { data: { 'domain.constructor': 1 } }], 'INVALID_PATH'],
      ['malformed index', [0, { data: { 'domain.a[x]': 1 } }], 'INVALID_PATH'],
      ['a function value', [0, { data: { 'domain.f': () => 1 } }], 'UNSUPPORTED_VALUE'],
    ];
    it.each(cases)('%s', (_label, args, code) => {
      const engine = new TheusEngine({ domain: { a: 0 } });
      throwsCode(() => (engine.compareAndSwap as (...a: unknown[]) => unknown)(...args), code);
      expect(engine.state.version).toBe(0);
      expect(engine.state.toJSON()).toEqual({ domain: { a: 0 }, global: {}, heavy: {}, meta: {} });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
});
