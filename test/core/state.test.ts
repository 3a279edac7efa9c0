import { describe, expect, it } from 'vitest';
import { ContextLockedError, PermissionDeniedError, TheusError } from '../../src/errors.js';
import { isCommitted, State, toPlain } from '../../src/core/index.js';
import { theusError, thrown } from './support.js';

function sample() {
  return {
    domain: { user: { name: 'Alice', tags: ['a', 'b'], profile: { age: 30 } }, cfg: { mode: 'x' }, items: [1, 2, 3] },
    global: { limits: { max: 10 } },
    heavy: {},
  };
}

describe('State.create', () => {
  it('builds version 0 with domain, global and heavy roots, even when omitted', () => {
    const s = State.create();
    expect(s.version).toBe(0);
    expect(toPlain(s.domain)).toEqual({});
    expect(toPlain(s.global)).toEqual({});
    expect(toPlain(s.heavy)).toEqual({});
    expect(s.toJSON()).toEqual({ domain: {}, global: {}, heavy: {} });
  });

  it('keeps extra namespaces as roots', () => {
    const s = State.create({ domain: { a: 1 }, billing: { total: 5 } });
    expect(s.get('billing').total).toBe(5);
    expect(s.data.billing.total).toBe(5);
    expect(Object.keys(s.data).sort()).toEqual(['billing', 'domain', 'global', 'heavy']);
  });

  it('copies the input: the caller keeps a mutable object, state is not affected by later edits', () => {
    const input = sample();
    const s = State.create(input);
    expect(Object.isFrozen(input.domain)).toBe(false);
    expect(Object.isFrozen(input.domain.user)).toBe(false);
    input.domain.user.name = 'Mallory';
    input.domain.items.push(4);
    expect(s.domain.user.name).toBe('Alice');
    expect(toPlain(s.domain.items)).toEqual([1, 2, 3]);
    expect(s.domain.user).not.toBe(input.domain.user);
  });

  it('keeps shared references shared (a DAG is fine, only cycles are refused)', () => {
    const shared = { x: 1 };
    const s = State.create({ domain: { p: shared, q: shared, list: [shared] } });
    expect(s.domain.p).toBe(s.domain.q);
    expect(s.domain.list[0]).toBe(s.domain.p);
  });

  it('accepts null-prototype objects and keeps them null-prototype', () => {
    const o = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    const s = State.create({ domain: { o } });
    expect(Object.getPrototypeOf(s.domain.o)).toBeNull();
    expect(s.domain.o.a).toBe(1);
  });

  it('refuses inputs that are not plain objects', () => {
    for (const bad of [null, 42, 'x', [], new Map(), new Date(), () => 1]) {
      theusError(() => State.create(bad as any), 'INVALID_ARGUMENT');
    }
  });

  it('refuses roots that are not plain objects', () => {
    theusError(() => State.create({ domain: [] }), 'INVALID_ARGUMENT', 'domain');
    theusError(() => State.create({ global: 5 }), 'INVALID_ARGUMENT', 'global');
    theusError(() => State.create({ heavy: new Map() }), 'INVALID_ARGUMENT', 'heavy');
  });

  it('refuses hostile root names and hostile keys at any depth', () => {
    theusError(() => State.create(JSON.parse('{"__proto__":{"x":1}}')), 'INVALID_PATH');
    theusError(() => State.create({ constructor: {} } as any), 'INVALID_PATH');
    theusError(() => State.create({ domain: JSON.parse('{"a":{"__proto__":{"polluted":1}}}') }), 'INVALID_PATH', 'domain.a');
    theusError(() => State.create({ domain: { a: [{ prototype: 1 }] } }), 'INVALID_PATH');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses non-data values anywhere in the initial state, and the caller input stays untouched', () => {
    const bad: unknown[] = [new WeakMap(), new WeakSet(), Promise.resolve(), new Error('e'), new Uint8Array(1), new ArrayBuffer(1), new (class extends Map {})(), new (class extends Date {})(), Symbol.iterator];
    for (const v of bad) {
      const input = { domain: { ok: { n: 1 }, nested: [{ v }] } };
      theusError(() => State.create(input), 'UNSUPPORTED_VALUE', 'domain.nested[0].v');
      expect(Object.isFrozen(input.domain.ok)).toBe(false);
    }
  });

  it('array subclasses are stored as plain arrays', () => {
    class Stack extends Array<number> {}
    const st = new Stack();
    st.push(1, 2);
    const s = State.create({ domain: { st } });
    expect(Object.getPrototypeOf(s.domain.st)).toBe(Array.prototype);
    expect(toPlain(s.domain.st)).toEqual([1, 2]);
  });

  it('refuses cycles, functions, symbols and binary buffers with UNSUPPORTED_VALUE', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    theusError(() => State.create({ domain: { cyclic } }), 'UNSUPPORTED_VALUE', 'domain.cyclic.self');
    theusError(() => State.create({ domain: { f: () => 1 } }), 'UNSUPPORTED_VALUE', 'domain.f');
    theusError(() => State.create({ domain: { s: Symbol('x') } }), 'UNSUPPORTED_VALUE', 'domain.s');
    theusError(() => State.create({ heavy: { buf: new Float64Array(4) } }), 'UNSUPPORTED_VALUE', 'heavy.buf');
    theusError(() => State.create({ domain: { re: /x/ } }), 'UNSUPPORTED_VALUE');
  });
});

describe('committed state is deeply read-only', () => {
  const s = State.create(sample());

  it('freezes plain objects and arrays at every depth (a write throws TypeError in strict mode)', () => {
    expect(Object.isFrozen(s.domain)).toBe(true);
    expect(Object.isFrozen(s.domain.user.profile)).toBe(true);
    expect(Object.isFrozen(s.domain.user.tags)).toBe(true);
    expect(() => {
      s.domain.user.profile.age = 1;
    }).toThrow(TypeError);
    expect(() => {
      s.domain.newKey = 1;
    }).toThrow(TypeError);
    expect(() => s.domain.items.push(4)).toThrow(TypeError);
    expect(() => {
      delete s.domain.cfg;
    }).toThrow(TypeError);
    expect(s.toJSON()).toEqual(sample());
  });

  it('reports committed nodes through isCommitted and never for plain input', () => {
    expect(isCommitted(s.domain)).toBe(true);
    expect(isCommitted(s.domain.user.tags)).toBe(true);
    expect(isCommitted({})).toBe(false);
    expect(isCommitted(5)).toBe(false);
  });

  it('the State object itself cannot be modified', () => {
    expect(Object.isFrozen(s)).toBe(true);
    expect(() => {
      (s as any).version = 9;
    }).toThrow(TypeError);
    expect(() => {
      (s.data as any).domain = {};
    }).toThrow(TypeError);
    expect(s.version).toBe(0);
  });

  it('toJSON / toDict give plain, mutable deep copies', () => {
    const plain = s.toJSON() as any;
    expect(Object.isFrozen(plain.domain.user)).toBe(false);
    plain.domain.user.name = 'Changed';
    expect(s.domain.user.name).toBe('Alice');
    expect(s.toDict()).toEqual(sample());
    expect(JSON.parse(JSON.stringify(s))).toEqual(sample());
    expect(JSON.parse(JSON.stringify(s.domain))).toEqual(sample().domain);
  });
});

describe('domainProxy / globalProxy / heavyProxy', () => {
  const s = State.create(sample());

  it('reads like the data, with duck typing', () => {
    const p = s.domainProxy();
    expect(p.user.name).toBe('Alice');
    expect('user' in p).toBe(true);
    expect(Object.keys(p)).toEqual(['user', 'cfg', 'items']);
    expect([...p.items]).toEqual([1, 2, 3]);
    expect(Array.isArray(p.items)).toBe(true);
    expect(p.toJSON()).toEqual(sample().domain);
    expect(JSON.parse(JSON.stringify(p))).toEqual(sample().domain);
    expect(s.globalProxy().limits.max).toBe(10);
    expect(toPlain(s.heavyProxy())).toEqual({});
  });

  it('is cached per access mode, with stable child identity', () => {
    expect(s.domainProxy()).toBe(s.domainProxy());
    expect(s.domainProxy().user).toBe(s.domainProxy().user);
    expect(s.domainProxy({ readOnly: true })).not.toBe(s.domainProxy());
  });

  it('default proxies throw ContextLockedError on any write at any depth', () => {
    const p = s.domainProxy();
    const writes: (() => unknown)[] = [
      () => (p.user.name = 'X'),
      () => (p.user.profile.age = 1),
      () => p.items.push(4),
      () => p.items.splice(0, 1),
      () => (p.items.length = 0),
      () => delete p.cfg,
      () => (p.added = {}),
      () => Object.defineProperty(p.user, 'name', { value: 'X' }),
      () => (s.globalProxy().limits.max = 0),
    ];
    for (const w of writes) {
      const err = thrown(w, ContextLockedError, 'CONTEXT_LOCKED');
      expect(err.path).toMatch(/^(domain|global)/);
    }
    expect(s.toJSON()).toEqual(sample());
  });

  it('readOnly proxies throw PermissionDeniedError (ILLEGAL_WRITE) on any write at any depth, naming the path', () => {
    const p = s.domainProxy({ readOnly: true });
    const e1 = thrown(() => (p.user.profile.age = 1), PermissionDeniedError, 'ILLEGAL_WRITE');
    expect(e1.path).toBe('domain.user.profile.age');
    thrown(() => p.user.tags.push('c'), PermissionDeniedError, 'ILLEGAL_WRITE');
    thrown(() => p.items.sort(), PermissionDeniedError, 'ILLEGAL_WRITE');
    thrown(() => p.items.reverse(), PermissionDeniedError, 'ILLEGAL_WRITE');
    thrown(() => delete p.user.name, PermissionDeniedError, 'ILLEGAL_WRITE');
    thrown(() => Reflect.set(p.user, 'name', 'X'), PermissionDeniedError, 'ILLEGAL_WRITE');
    thrown(() => (s.heavyProxy({ readOnly: true }).x = 1), PermissionDeniedError, 'ILLEGAL_WRITE');
    expect(s.toJSON()).toEqual(sample());
  });

  it('deleting a missing key through a view is a no-op, not a write', () => {
    expect(delete s.domainProxy().nope).toBe(true);
  });
});

describe('versions', () => {
  it('each commit is version + 1, the base is untouched, and old versions stay readable', () => {
    const v0 = State.create(sample());
    const v1 = v0.transaction((tx) => {
      tx.domain.user.name = 'Bob';
    });
    const v2 = v1.transaction((tx) => {
      tx.domain.items.push(4);
    });
    expect([v0.version, v1.version, v2.version]).toEqual([0, 1, 2]);
    expect(v0.domain.user.name).toBe('Alice');
    expect(v1.domain.user.name).toBe('Bob');
    expect(toPlain(v1.domain.items)).toEqual([1, 2, 3]);
    expect(toPlain(v2.domain.items)).toEqual([1, 2, 3, 4]);
    expect(v0.toJSON()).toEqual(sample());
  });

  it('an empty transaction still produces the next version, sharing every root', () => {
    const v0 = State.create(sample());
    const v1 = v0.transaction().commit();
    expect(v1.version).toBe(1);
    expect(v1.domain).toBe(v0.domain);
    expect(v1.global).toBe(v0.global);
  });

  it('shares untouched subtrees between versions (v1.domain.cfg === v2.domain.cfg)', () => {
    const v1 = State.create(sample());
    const v2 = v1.transaction((tx) => {
      tx.domain.user.profile.age = 31;
    });
    expect(v2.domain.cfg).toBe(v1.domain.cfg);
    expect(v2.domain.items).toBe(v1.domain.items);
    expect(v2.domain.user.tags).toBe(v1.domain.user.tags);
    expect(v2.global).toBe(v1.global);
    expect(v2.domain.user).not.toBe(v1.domain.user);
    expect(v2.domain.user.profile).not.toBe(v1.domain.user.profile);
    expect(v2.domain).not.toBe(v1.domain);
  });

  it('the committed result is frozen like the initial state', () => {
    const v1 = State.create(sample()).transaction((tx) => {
      tx.domain.fresh = { deep: { list: [{ x: 1 }] } };
    });
    expect(Object.isFrozen(v1.domain.fresh.deep.list[0])).toBe(true);
    expect(isCommitted(v1.domain.fresh.deep)).toBe(true);
  });

  it('state.transaction(fn) refuses a non-function', () => {
    const s = State.create();
    theusError(() => s.transaction(42 as any), 'INVALID_ARGUMENT');
  });

  it('signals of a created state are empty and frozen', () => {
    const s = State.create();
    expect(s.signals).toEqual({});
    expect(Object.isFrozen(s.signals)).toBe(true);
  });

  it('errors are TheusErrors with stable codes', () => {
    const err = thrown(() => State.create(null as any), TheusError);
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('INVALID_ARGUMENT');
  });
});
