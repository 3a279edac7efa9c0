import { describe, expect, it } from 'vitest';
import { ContextLockedError, StaleReferenceError, TheusError } from '../../src/errors.js';
import { State, toPlain } from '../../src/core/index.js';
import { theusError, thrown } from './support.js';

function make() {
  return State.create({
    domain: {
      wallet: { balance: 100, owner: { name: 'A' } },
      list: [{ n: 1 }, { n: 2 }],
      m: new Map([['k', { v: 1 }]]),
      s: new Set([1]),
      at: new Date(0),
    },
  });
}
const SNAPSHOT = () => make().toJSON();

describe('INC-019: reflection cannot reach committed data through a transaction proxy', () => {
  it('Object.getOwnPropertyDescriptors hands out proxies: writes through them are supervised', () => {
    const s0 = make();
    const tx = s0.transaction();
    const descs = Object.getOwnPropertyDescriptors(tx.domain);
    const wallet = descs.wallet!.value;
    expect(wallet).toBe(tx.domain.wallet);
    expect(Object.isFrozen(wallet)).toBe(false);
    wallet.balance = 0;
    expect(tx.delta()).toEqual([{ op: 'replace', path: ['domain', 'wallet', 'balance'], value: 0 }]);
    expect(s0.domain.wallet.balance).toBe(100);
    const s1 = tx.commit();
    expect(s1.domain.wallet.balance).toBe(0);
  });

  it('Reflect.ownKeys / getOwnPropertyDescriptor report data, never handles', () => {
    const tx = make().transaction();
    expect(Reflect.ownKeys(tx.domain.wallet)).toEqual(['balance', 'owner']);
    expect(Reflect.ownKeys(tx.domain.list)).toEqual(['0', '1', 'length']);
    expect(Reflect.ownKeys(tx.domain.m)).toEqual([]);
    const d = Reflect.getOwnPropertyDescriptor(tx.domain.wallet, 'owner')!;
    expect(d.value).toBe(tx.domain.wallet.owner);
    expect(Object.getOwnPropertySymbols(tx.domain.wallet)).toEqual([]);
  });

  it('the prototype seen through a proxy is the ordinary one; __proto__, constructor and prototype cannot be used', () => {
    const s0 = make();
    const tx = s0.transaction();
    expect(Object.getPrototypeOf(tx.domain.wallet)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(tx.domain.list)).toBe(Array.prototype);
    expect(Object.getPrototypeOf(tx.domain.m)).toBe(Map.prototype);
    theusError(() => tx.domain.wallet.__proto__, 'INVALID_PATH', 'domain.wallet.__proto__');
    theusError(() => tx.domain.wallet.prototype, 'INVALID_PATH');
    theusError(() => (tx.domain.wallet.__proto__ = { evil: 1 }), 'INVALID_PATH');
    theusError(() => (tx.domain.wallet.constructor = 1), 'INVALID_PATH');
    theusError(() => (tx.domain.wallet.prototype = 1), 'INVALID_PATH');
    theusError(() => delete tx.domain.wallet.constructor, 'INVALID_PATH');
    theusError(() => tx.domain.m.__proto__, 'INVALID_PATH');
    theusError(() => tx.domain.s.__proto__, 'INVALID_PATH');
    theusError(() => tx.domain.at.__proto__, 'INVALID_PATH');
    theusError(() => Object.setPrototypeOf(tx.domain.wallet, { evil: 1 }), 'UNSUPPORTED_VALUE', 'domain.wallet');
    theusError(() => Reflect.setPrototypeOf(tx.domain.list, null), 'UNSUPPORTED_VALUE');
    expect('__proto__' in tx.domain.wallet).toBe(false);
    expect(tx.delta()).toEqual([]);
    expect(({} as Record<string, unknown>).evil).toBeUndefined();
  });

  it('Object.defineProperty of a value is a supervised write; accessors are refused', () => {
    const tx = make().transaction();
    Object.defineProperty(tx.domain.wallet, 'balance', { value: 7, writable: false, enumerable: false });
    expect(tx.domain.wallet.balance).toBe(7);
    theusError(() => Object.defineProperty(tx.domain.wallet, 'x', { get: () => 1 }), 'UNSUPPORTED_VALUE', 'domain.wallet.x');
    theusError(() => Object.defineProperty(tx.domain.wallet, 'y', { set: () => undefined }), 'UNSUPPORTED_VALUE');
    theusError(() => Object.defineProperty(tx.domain.wallet, 'f', { value: () => 1 }), 'UNSUPPORTED_VALUE');
    const s1 = tx.commit();
    expect(s1.domain.wallet.balance).toBe(7);
    // the committed property is an ordinary enumerable data property of a frozen object
    expect(Object.keys(s1.domain.wallet)).toContain('balance');
  });

  it('Reflect.set through a proxy is supervised, whatever the receiver', () => {
    const tx = make().transaction();
    expect(Reflect.set(tx.domain.wallet, 'balance', 1)).toBe(true);
    expect(Reflect.set(tx.domain.wallet, 'balance', 2, {})).toBe(true);
    expect(tx.domain.wallet.balance).toBe(2);
    expect(tx.commit().domain.wallet.balance).toBe(2);
  });

  it('freezing, sealing or preventing extensions through a proxy is refused', () => {
    const tx = make().transaction();
    theusError(() => Object.freeze(tx.domain.wallet), 'UNSUPPORTED_VALUE');
    theusError(() => Object.seal(tx.domain.list), 'UNSUPPORTED_VALUE');
    theusError(() => Object.preventExtensions(tx.domain.wallet), 'UNSUPPORTED_VALUE');
    expect(Object.isExtensible(tx.domain.wallet)).toBe(true);
    tx.domain.wallet.more = 1;
    expect(tx.commit().domain.wallet.more).toBe(1);
  });

  it('native methods called with a proxy or a committed wrapper as `this` cannot bypass the wrapper', () => {
    const s = make();
    const tx = s.transaction();
    expect(() => Map.prototype.set.call(tx.domain.m, 'x', 1)).toThrow(TypeError);
    expect(() => Set.prototype.add.call(tx.domain.s, 2)).toThrow(TypeError);
    expect(() => Date.prototype.setTime.call(tx.domain.at, 5)).toThrow(TypeError);
    expect(() => Map.prototype.set.call(s.domain.m, 'x', 1)).toThrow(TypeError);
    expect(() => Map.prototype.clear.call(s.domain.m)).toThrow(TypeError);
    expect(() => Set.prototype.clear.call(s.domain.s)).toThrow(TypeError);
    // bound readers of a committed Map ignore a foreign `this`
    const get = s.domain.m.get;
    expect(get.call(new Map([['k', 'forged']]), 'k')).toEqual({ v: 1 });
    expect(Object.isFrozen(get.call(undefined, 'k'))).toBe(true);
    expect(tx.delta()).toEqual([]);
    expect(s.toJSON()).toEqual(SNAPSHOT());
  });

  it('symbol keys cannot be written; reading unknown symbols finds nothing', () => {
    const tx = make().transaction();
    theusError(() => (tx.domain.wallet[Symbol.for('x')] = 1), 'UNSUPPORTED_VALUE', 'domain.wallet');
    expect(tx.domain.wallet[Symbol.for('x')]).toBeUndefined();
    expect(delete tx.domain.wallet[Symbol.for('x')]).toBe(true);
    expect(tx.delta()).toEqual([]);
  });

  it('a committed view cannot be unwrapped by any of the above either', () => {
    const s = make();
    const view = s.domainProxy();
    thrown(() => Object.defineProperty(view.wallet, 'balance', { value: 0 }), ContextLockedError);
    thrown(() => Reflect.set(view.wallet, 'balance', 0, {}), ContextLockedError);
    theusError(() => Object.setPrototypeOf(view.wallet, null), 'UNSUPPORTED_VALUE');
    const descs = Object.getOwnPropertyDescriptors(view);
    thrown(() => (descs.wallet!.value.balance = 0), ContextLockedError);
    expect(s.toJSON()).toEqual(SNAPSHOT());
  });
});

describe('root names are user text: only own roots, never prototype machinery', () => {
  it('tx.root() and state.get() refuse hostile or malformed names and ignore inherited ones', () => {
    const s = make();
    const tx = s.transaction();
    for (const hostile of ['__proto__', 'constructor', 'prototype']) {
      theusError(() => tx.root(hostile), 'INVALID_PATH', hostile);
      theusError(() => s.get(hostile), 'INVALID_PATH', hostile);
    }
    for (const bad of ['', 1, null, undefined, {}]) {
      theusError(() => tx.root(bad as any), 'INVALID_ARGUMENT');
      theusError(() => s.get(bad as any), 'INVALID_ARGUMENT');
    }
    expect(tx.root('toString')).toBeUndefined();
    expect(tx.root('hasOwnProperty')).toBeUndefined();
    expect(s.get('toString')).toBeUndefined();
    expect(tx.root('domain')).toBe(tx.domain);
    expect(s.get('domain')).toBe(s.domain);
    tx.all.added = { x: 1 };
    expect(tx.root('added').x).toBe(1);
  });
});

describe('bad values written in a transaction: typed error, nothing changes', () => {
  const BAD: [string, () => unknown, string][] = [
    ['function', () => () => 1, 'UNSUPPORTED_VALUE'],
    ['class constructor', () => class {}, 'UNSUPPORTED_VALUE'],
    ['symbol', () => Symbol('s'), 'UNSUPPORTED_VALUE'],
    ['Uint8Array', () => new Uint8Array(2), 'UNSUPPORTED_VALUE'],
    ['ArrayBuffer', () => new ArrayBuffer(2), 'UNSUPPORTED_VALUE'],
    ['DataView', () => new DataView(new ArrayBuffer(2)), 'UNSUPPORTED_VALUE'],
    ['WeakMap', () => new WeakMap(), 'UNSUPPORTED_VALUE'],
    ['WeakSet', () => new WeakSet(), 'UNSUPPORTED_VALUE'],
    ['Promise', () => Promise.resolve(1), 'UNSUPPORTED_VALUE'],
    ['RegExp', () => /re/g, 'UNSUPPORTED_VALUE'],
    ['Error', () => new Error('e'), 'UNSUPPORTED_VALUE'],
    ['Map subclass', () => new (class M extends Map {})(), 'UNSUPPORTED_VALUE'],
    ['nested function', () => ({ a: [{ f: () => 1 }] }), 'UNSUPPORTED_VALUE'],
    ['function in a Map', () => new Map([['f', () => 1]]), 'UNSUPPORTED_VALUE'],
    ['cycle', () => cyclic(), 'UNSUPPORTED_VALUE'],
    ['cycle through an array', () => cyclicArray(), 'UNSUPPORTED_VALUE'],
    ['hostile key from JSON.parse', () => JSON.parse('{"__proto__":{"polluted":1}}'), 'INVALID_PATH'],
    ['nested hostile key', () => JSON.parse('{"a":[{"constructor":{"prototype":{"polluted":1}}}]}'), 'INVALID_PATH'],
    ['prototype key', () => ({ prototype: 1 }), 'INVALID_PATH'],
    ['a Transaction', () => make().transaction(), 'UNSUPPORTED_VALUE'],
    ['a State', () => make(), 'UNSUPPORTED_VALUE'],
  ];

  function cyclic() {
    const a: Record<string, unknown> = {};
    a.b = { c: a };
    return a;
  }
  function cyclicArray() {
    const a: unknown[] = [];
    a.push([a]);
    return a;
  }

  const WRITES: [string, (tx: any, v: unknown) => unknown][] = [
    ['assignment', (tx, v) => (tx.domain.wallet.x = v)],
    ['array index', (tx, v) => (tx.domain.list[0] = v)],
    ['push', (tx, v) => tx.domain.list.push(1, v)],
    ['unshift', (tx, v) => tx.domain.list.unshift(v)],
    ['splice', (tx, v) => tx.domain.list.splice(0, 1, v)],
    ['fill', (tx, v) => tx.domain.list.fill(v)],
    ['Map#set', (tx, v) => tx.domain.m.set('x', v)],
    ['Set#add', (tx, v) => tx.domain.s.add(v)],
    ['defineProperty', (tx, v) => Object.defineProperty(tx.domain.wallet, 'x', { value: v })],
    ['new root', (tx, v) => (tx.all.ns = { v })],
  ];

  for (const [valueName, value, code] of BAD) {
    it(`${valueName} is refused by every kind of write`, () => {
      const s0 = make();
      for (const [writeName, write] of WRITES) {
        const tx = s0.transaction();
        const err = thrown(() => write(tx, value()), TheusError);
        expect(err.code, `${valueName} via ${writeName}`).toBe(code);
        expect(tx.delta(), writeName).toEqual([]);
        const s1 = tx.commit();
        // nothing was copied: the commit shares the whole base
        expect(s1.domain, writeName).toBe(s0.domain);
      }
      expect(s0.toJSON()).toEqual(SNAPSHOT());
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it('the error names where the bad value was found', () => {
    const tx = make().transaction();
    const err = theusError(() => (tx.domain.wallet.x = { a: [0, { f: () => 1 }] }), 'UNSUPPORTED_VALUE');
    expect(err.path).toBe('domain.wallet.x.a[1].f');
    expect(err.message).toMatch(/domain\.wallet\.x\.a\[1\]\.f/);
    expect(err.message).toMatch(/functions/);
  });

  it('Map keys are data, not property names: "__proto__" is a legal Map key and pollutes nothing', () => {
    const s1 = make().transaction((tx) => {
      tx.domain.m.set('__proto__', { polluted: 1 });
    });
    expect(s1.domain.m.get('__proto__')).toEqual({ polluted: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the transaction stays usable after a refused write', () => {
    const tx = make().transaction();
    theusError(() => (tx.domain.wallet.f = () => 1), 'UNSUPPORTED_VALUE');
    tx.domain.wallet.balance = 5;
    expect(tx.commit().domain.wallet.balance).toBe(5);
  });
});

describe('proxies of proxies and foreign proxies', () => {
  it('a user Proxy around a draft is stored as a snapshot of the draft', () => {
    const s0 = make();
    const tx = s0.transaction();
    tx.domain.wallet.balance = 50;
    const wrapped = new Proxy(tx.domain.wallet, {});
    tx.domain.copy = wrapped;
    tx.domain.wallet.balance = 60;
    const s1 = tx.commit();
    expect(toPlain(s1.domain.copy)).toEqual({ balance: 50, owner: { name: 'A' } });
    expect(s1.domain.wallet.balance).toBe(60);
    expect(Object.isFrozen(s1.domain.copy)).toBe(true);
  });

  it('a user Proxy with a lying get trap is copied once; later lies do not reach state', () => {
    let calls = 0;
    const liar = new Proxy({ a: 1 }, { get: (t, k) => (k === 'a' ? ++calls : Reflect.get(t, k)) });
    const s1 = make().transaction((tx) => {
      tx.domain.liar = liar;
    });
    const first = s1.domain.liar.a;
    expect(s1.domain.liar.a).toBe(first);
    expect(Object.isFrozen(s1.domain.liar)).toBe(true);
  });

  it('a user Proxy reporting a hostile key is refused', () => {
    const sneaky = new Proxy(
      {},
      {
        ownKeys: () => ['__proto__'],
        getOwnPropertyDescriptor: () => ({ value: { polluted: 1 }, enumerable: true, configurable: true }),
        get: () => ({ polluted: 1 }),
      },
    );
    const tx = make().transaction();
    theusError(() => (tx.domain.x = sneaky), 'INVALID_PATH');
    expect(tx.delta()).toEqual([]);
  });

  it('a user Proxy lying about its prototype, or a throwing getter, is a typed error', () => {
    const tx = make().transaction();
    const fakeMap = new Proxy({}, { getPrototypeOf: () => Map.prototype });
    const err = theusError(() => (tx.domain.x = fakeMap), 'UNSUPPORTED_VALUE', 'domain.x');
    expect(err.cause).toBeInstanceOf(TypeError);
    const throwing = {
      get bad(): number {
        throw new RangeError('no');
      },
    };
    theusError(() => (tx.domain.y = throwing), 'UNSUPPORTED_VALUE', 'domain.y');
    expect(tx.delta()).toEqual([]);
  });

  it('a revoked user Proxy is a typed error', () => {
    const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
    revoke();
    const tx = make().transaction();
    theusError(() => (tx.domain.x = proxy), 'UNSUPPORTED_VALUE', 'domain.x');
    theusError(() => State.create({ domain: { x: proxy } }), 'UNSUPPORTED_VALUE');
  });

  it('a user Proxy around a stale draft is refused as stale', () => {
    const s0 = make();
    const tx1 = s0.transaction();
    const wrapped = new Proxy(tx1.domain.wallet, {});
    tx1.rollback();
    const tx2 = s0.transaction();
    thrown(() => (tx2.domain.x = wrapped), StaleReferenceError, 'STALE_REFERENCE');
  });

  it('a user Proxy around a committed wrapper (Map) is copied by value', () => {
    const s0 = make();
    const s1 = s0.transaction((tx) => {
      tx.domain.m2 = new Proxy(s0.domain.m, {});
    });
    expect(s1.domain.m2 instanceof Map).toBe(true);
    expect(s1.domain.m2.get('k')).toEqual({ v: 1 });
    thrown(() => s1.domain.m2.set('x', 1), ContextLockedError);
  });

  it('a draft of another live transaction is stored as a snapshot; after it ends, it is stale', () => {
    const s0 = make();
    const a = s0.transaction();
    const b = s0.transaction();
    a.domain.list.push({ n: 3 });
    b.domain.fromA = a.domain.list;
    a.rollback();
    thrown(() => (b.domain.again = a.domain), StaleReferenceError);
    const sb = b.commit();
    expect(toPlain(sb.domain.fromA)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });
});
