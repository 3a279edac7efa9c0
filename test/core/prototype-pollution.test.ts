import { afterEach, describe, expect, it } from 'vitest';
import { State } from '../../src/core/index.js';
import { TheusError } from '../../src/errors.js';

/**
 * No chain of keys read through a draft or a view, ending in an assignment, reaches a prototype
 * or a built-in function. Keys are what request data can produce: strings (and the symbols a
 * program names). The same core builds drafts in worker threads, so these hold there too.
 */

class Account {
  balance = 10;
  deposit(n: number): number {
    this.balance += n;
    return this.balance;
  }
  get doubled(): number {
    return this.balance * 2;
  }
}

function make(): State {
  return State.create({
    domain: {
      prefs: { theme: 'dark', nested: { a: 1 } },
      list: [{ n: 1 }, 2],
      m: new Map<string, unknown>([['k', { v: 1 }]]),
      s: new Set<unknown>([1, { w: 1 }]),
      at: new Date(1_700_000_000_123),
      acc: new Account(),
      wide: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, { i }])),
    },
  });
}

const INTRINSICS: [string, object][] = [
  ['Object.prototype', Object.prototype],
  ['Function.prototype', Function.prototype],
  ['Function.prototype.call', Function.prototype.call],
  ['Function.prototype.apply', Function.prototype.apply],
  ['Function.prototype.bind', Function.prototype.bind],
  ['Array.prototype', Array.prototype],
  ['Array.prototype.map', Array.prototype.map],
  ['Map.prototype', Map.prototype],
  ['Set.prototype', Set.prototype],
  ['Date.prototype', Date.prototype],
  ['Object', Object],
  ['Object.prototype.toString', Object.prototype.toString],
  ['Account.prototype', Account.prototype],
  ['Account.prototype.deposit', Account.prototype.deposit],
];

function ownNames(o: object): string[] {
  return Reflect.ownKeys(o).map(String).sort();
}
const BEFORE = new Map(INTRINSICS.map(([name, o]) => [name, ownNames(o)]));

afterEach(() => {
  // Whatever a test did, no intrinsic gained a property.
  for (const [name, o] of INTRINSICS) expect(ownNames(o), name).toEqual(BEFORE.get(name));
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
});

/** Follows `keys` from `root` and assigns at the end; returns what happened, never lets it escape. */
function attempt(root: unknown, keys: PropertyKey[], value: unknown = true): 'written' | 'refused' | 'unreachable' {
  let node: any = root;
  for (const k of keys.slice(0, -1)) {
    try {
      node = node[k];
    } catch {
      return 'refused';
    }
    if ((typeof node !== 'object' && typeof node !== 'function') || node === null) return 'unreachable';
  }
  try {
    node[keys[keys.length - 1]!] = value;
    return 'written';
  } catch {
    return 'refused';
  }
}

const CHAINS: PropertyKey[][] = [
  ['constructor', 'prototype', 'isAdmin'],
  ['__proto__', 'isAdmin'],
  ['__proto__', '__proto__', 'isAdmin'],
  ['toString', 'call', 'x'],
  ['toString', 'constructor', 'prototype', 'x'],
  ['hasOwnProperty', 'apply', 'x'],
  ['valueOf', 'bind', 'x'],
  ['map', 'x'],
  ['map', 'call', 'x'],
  ['push', 'call', 'x'],
  ['push', 'x'],
  ['get', 'x'],
  ['get', 'call', 'x'],
  ['forEach', 'bind', 'x'],
  ['getTime', 'x'],
  ['setTime', 'call', 'x'],
  ['deposit', 'x'],
  ['deposit', 'call', 'x'],
  ['toJSON', 'call', 'x'],
  ['toJSON', 'x'],
  [Symbol.iterator, 'x'],
  [Symbol.iterator, 'call', 'x'],
  [Symbol.unscopables, 'x'],
  [Symbol.toPrimitive, 'x'],
  ['prototype', 'x'],
  ['__defineGetter__', 'x'],
  ['isPrototypeOf', 'call', 'apply', 'bind', 'x'],
];

const PLACES = ['prefs', 'prefs.nested', 'list', 'list.0', 'm', 's', 'at', 'acc', 'wide', 'wide.k3'];

function at(root: any, dotted: string): any {
  let node = root;
  for (const k of dotted.split('.')) {
    node = node instanceof Map ? node.get(k) : node[k];
  }
  return node;
}

describe('no key chain through a draft reaches a prototype or a built-in', () => {
  for (const place of PLACES) {
    it(`from a draft at domain.${place}`, () => {
      const s0 = make();
      const tx = s0.transaction();
      for (const chain of CHAINS) attempt(at(tx.domain, place), chain);
      // Writes that landed did so inside the transaction's own data, never outside it.
      tx.rollback();
    });

    it(`from a read-only view at domain.${place}`, () => {
      const s0 = make();
      for (const readOnly of [true, false]) for (const chain of CHAINS) expect(attempt(at(s0.domainProxy({ readOnly }), place), chain)).not.toBe('written');
    });
  }

  it('from committed Map, Set, Date and wide-record views', () => {
    const s0 = make();
    for (const place of ['m', 's', 'at', 'wide']) for (const chain of CHAINS) expect(attempt(at(s0.domain, place), chain)).not.toBe('written');
  });

  it('the reported attack: prefs[a][b][c] = true with keys from request data', () => {
    const s0 = make();
    const tx = s0.transaction();
    const [a, b, c] = JSON.parse('["constructor", "prototype", "isAdmin"]') as string[];
    expect(() => {
      tx.domain.prefs[a!][b!][c!] = true;
    }).toThrow(TypeError);
    expect(() => {
      tx.domain.prefs.toString.call.x = 1;
    }).toThrow(TypeError);
    tx.rollback();
  });
});

describe('what inherited names read as', () => {
  it('constructor reads as undefined on every draft and view; __proto__ and prototype are refused', () => {
    const s0 = make();
    const tx = s0.transaction();
    for (const place of PLACES) {
      expect(at(tx.domain, place).constructor, place).toBeUndefined();
      expect(at(s0.domainProxy(), place).constructor, place).toBeUndefined();
    }
    for (const place of ['m', 's', 'at', 'wide']) expect(at(s0.domain, place).constructor, place).toBeUndefined();
    expect(() => tx.domain.prefs.__proto__).toThrow(TheusError);
    expect(() => tx.domain.prefs.prototype).toThrow(TheusError);
    tx.rollback();
  });

  it('handed-out functions are frozen and share nothing writable; they still work as methods', () => {
    const s0 = make();
    const tx = s0.transaction();
    const d = tx.domain;
    for (const fn of [d.prefs.toString, d.prefs.hasOwnProperty, d.list.map, d.list.push, d.m.get, d.s.add, d.at.getTime, d.acc.deposit, d.prefs.toJSON]) {
      expect(typeof fn).toBe('function');
      expect(Object.isFrozen(fn)).toBe(true);
      expect(Object.getPrototypeOf(fn)).not.toBe(Function.prototype);
      expect(Object.isFrozen(fn.call)).toBe(true);
      expect(Object.isFrozen(fn.apply)).toBe(true);
      expect(Object.isFrozen(fn.bind)).toBe(true);
    }
    expect(d.list.map((x: unknown) => typeof x)).toEqual(['object', 'number']);
    expect(d.list.filter.call(d.list, (x: unknown) => x === 2)).toEqual([2]);
    // eslint-disable-next-line no-prototype-builtins -- the inherited method, called through the draft, is what is tested
    expect(d.prefs.hasOwnProperty('theme')).toBe(true);
    expect(String(d.prefs)).toBe('[object Object]');
    expect(d.acc.deposit(5)).toBe(15);
    expect(d.acc.doubled).toBe(30);
    expect(d.acc instanceof Account).toBe(true);
    expect(d.m.get.call(d.m, 'k').v).toBe(1);
    expect(d.at.getTime.apply(d.at, [])).toBe(1_700_000_000_123);
    const bound = d.list.push.bind(d.list, 3);
    expect(bound()).toBe(3);
    expect(JSON.stringify(d.prefs)).toBe('{"theme":"dark","nested":{"a":1}}');
    const s1 = tx.commit();
    expect(s1.domain.acc.balance).toBe(15);
    expect(s1.domain.list).toHaveLength(3);
  });

  it('array methods that build new arrays still work (species reads constructor)', () => {
    const tx = make().transaction();
    expect(tx.domain.list.slice(1)).toEqual([2]);
    expect(tx.domain.list.concat([3])).toHaveLength(3);
    expect(Array.isArray(tx.domain.list.filter(() => true))).toBe(true);
    tx.rollback();
  });
});

describe('worker-side use of the core', () => {
  it('a state rebuilt from plain data (as a worker does) guards the same way, and nothing persists to a later task', () => {
    const payload = JSON.parse(JSON.stringify(make().transaction().all.domain.prefs)) as Record<string, unknown>;
    for (let task = 0; task < 2; task++) {
      const s = State.create({ domain: { prefs: payload } });
      const tx = s.transaction();
      for (const chain of CHAINS) attempt(tx.domain.prefs, chain);
      tx.rollback();
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect((Function.prototype.call as unknown as Record<string, unknown>).x).toBeUndefined();
    }
  });
});
