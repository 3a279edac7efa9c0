import { describe, expect, it } from 'vitest';
import { ContextLockedError, PermissionDeniedError, StaleReferenceError } from '../../src/errors.js';
import { State, toPlain } from '../../src/core/index.js';
import { theusError, thrown } from './support.js';

const START = [5, 1, 4, 2, 3];

/** Every array mutator, run on a plain array and on a draft: same return value, same result. */
const MUTATORS: [string, (a: any[]) => unknown][] = [
  ['index set', (a) => (a[1] = 10)],
  ['index set past the end', (a) => (a[5] = 6)],
  ['length shrink', (a) => (a.length = 2)],
  ['length zero', (a) => (a.length = 0)],
  ['push', (a) => a.push(6, 7)],
  ['pop', (a) => a.pop()],
  ['shift', (a) => a.shift()],
  ['unshift', (a) => a.unshift(0, -1)],
  ['splice delete', (a) => a.splice(1, 2)],
  ['splice insert', (a) => a.splice(1, 0, 8, 9)],
  ['splice replace', (a) => a.splice(-2, 1, 7)],
  ['splice to end', (a) => a.splice(2)],
  ['sort (default)', (a) => a.sort()],
  ['sort (comparator)', (a) => a.sort((x: number, y: number) => y - x)],
  ['reverse', (a) => a.reverse()],
  ['fill', (a) => a.fill(0, 1, 3)],
  ['fill all', (a) => a.fill(9)],
  ['copyWithin', (a) => a.copyWithin(0, 3)],
  ['copyWithin negative', (a) => a.copyWithin(-2, 0, 2)],
];

describe('arrays: every mutator', () => {
  for (const [name, op] of MUTATORS) {
    it(`${name}: same result as a plain array, committed, base untouched`, () => {
      const s0 = State.create({ domain: { arr: START, other: { x: 1 } } });
      const model = START.slice();
      const expectedReturn = op(model);
      const tx = s0.transaction();
      const draft = tx.domain.arr;
      const ret = op(draft);
      // mutators that return the array itself return the proxy
      if (expectedReturn === model) expect(ret).toBe(draft);
      else expect(ret).toEqual(expectedReturn);
      expect(toPlain(tx.domain.arr)).toEqual(model);
      expect(tx.domain.arr.length).toBe(model.length);
      const s1 = tx.commit();
      expect(toPlain(s1.domain.arr)).toEqual(model);
      expect(Object.isFrozen(s1.domain.arr)).toBe(true);
      expect(toPlain(s0.domain.arr)).toEqual(START);
      expect(s1.domain.other).toBe(s0.domain.other);
    });
  }

  it('mutators compose, with read-your-writes between them', () => {
    const s0 = State.create({ domain: { arr: [] } });
    const s1 = s0.transaction((tx) => {
      const a = tx.domain.arr;
      a.push({ n: 1 }, { n: 2 }, { n: 3 });
      a[0].n = 10;
      a.unshift({ n: 0 });
      a.splice(2, 1);
      a.reverse();
      a.sort((x: any, y: any) => x.n - y.n);
      a[a.length - 1].n += 100;
      expect(a.map((x: any) => x.n)).toEqual([0, 3, 110]);
    });
    expect(toPlain(s1.domain.arr)).toEqual([{ n: 0 }, { n: 3 }, { n: 110 }]);
  });

  it('element proxies follow their element through reordering mutators', () => {
    const s1 = State.create({ domain: { arr: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] } }).transaction((tx) => {
      const b = tx.domain.arr[1];
      tx.domain.arr.shift();
      expect(tx.domain.arr[0]).toBe(b);
      tx.domain.arr.reverse();
      expect(tx.domain.arr[1]).toBe(b);
      b.touched = true;
    });
    expect(toPlain(s1.domain.arr)).toEqual([{ id: 'c' }, { id: 'b', touched: true }]);
  });

  it('the sort comparator sees proxies of the elements', () => {
    const s1 = State.create({ domain: { arr: [{ n: 2 }, { n: 1 }] } }).transaction((tx) => {
      tx.domain.arr.sort((x: any, y: any) => {
        expect(Array.isArray(x)).toBe(false);
        return x.n - y.n;
      });
    });
    expect(toPlain(s1.domain.arr)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('sort refuses a non-function comparator', () => {
    const tx = State.create({ domain: { arr: [2, 1] } }).transaction();
    theusError(() => tx.domain.arr.sort('desc'), 'INVALID_ARGUMENT');
  });

  it('an invalid length is a typed error and changes nothing', () => {
    const tx = State.create({ domain: { arr: [1] } }).transaction();
    theusError(() => (tx.domain.arr.length = -1), 'INVALID_ARGUMENT', 'domain.arr');
    theusError(() => (tx.domain.arr.length = 1.5), 'INVALID_ARGUMENT');
    expect(tx.delta()).toEqual([]);
  });

  it('copyWithin stores values: a copied element is independent of its source', () => {
    const s1 = State.create({ domain: { arr: [{ v: 1 }, { v: 2 }, { v: 3 }] } }).transaction((tx) => {
      tx.domain.arr[1].v = 20; // a modified element (a live proxy) ...
      tx.domain.arr.copyWithin(0, 1, 2); // ... copied to position 0
      tx.domain.arr[0].v = 99;
      expect(tx.domain.arr[1].v).toBe(20);
    });
    expect(toPlain(s1.domain.arr)).toEqual([{ v: 99 }, { v: 20 }, { v: 3 }]);
  });

  it('copyWithin stores values for elements never read as drafts (the property test counterexample)', () => {
    // Found by the array property with a random seed: inserted elements are committed objects, so
    // copyWithin puts one and the same frozen object in two slots. A write through either slot
    // must change that slot only, as it does when the element was a live draft.
    const base = State.create({ domain: { arr: [] as { v: unknown }[] } });
    const tx = base.transaction();
    const a = tx.domain.arr;
    a.splice(0, 0, { v: 'a' });
    a.unshift({ v: 'b' });
    a.copyWithin(0, 1);
    a[0].v = false;
    expect(a[1].v).toBe('a');
    expect(tx.delta()).toEqual([
      { op: 'add', path: ['domain', 'arr', 0], value: { v: false } },
      { op: 'add', path: ['domain', 'arr', 1], value: { v: 'a' } },
    ]);
    const s1 = tx.commit();
    expect(toPlain(s1.domain.arr)).toEqual([{ v: false }, { v: 'a' }]);

    // The same through a committed array that already holds one object in two slots.
    const s2 = s1.transaction((t) => t.domain.arr.copyWithin(0, 1));
    expect(s2.domain.arr[0]).toBe(s2.domain.arr[1]);
    const s3 = s2.transaction((t) => {
      t.domain.arr[1].v = 'z';
    });
    expect(toPlain(s3.domain.arr)).toEqual([{ v: 'a' }, { v: 'z' }]);
    expect(s3.domain.arr[0]).toBe(s2.domain.arr[0]);
  });

  it('a draft method called on a draft of another kind throws as the native method does, and changes nothing', () => {
    const tx = State.create({ domain: { m: new Map([['a', 1]]), s: new Set(['a']), d: new Date(5), arr: [1] } }).transaction();
    const mapDelete = tx.domain.m.delete;
    const setClear = tx.domain.s.clear;
    const setTime = tx.domain.d.setTime;
    const push = tx.domain.arr.push;
    expect(() => mapDelete.call(tx.domain.s, 'a')).toThrow(TypeError);
    expect(() => setClear.call(tx.domain.m)).toThrow(TypeError);
    expect(() => setTime.call(tx.domain.m, 1)).toThrow(TypeError);
    // Array methods are generic: native push assigns index 0 on the Set draft, which refuses it.
    theusError(() => push.call(tx.domain.s, 2), 'UNSUPPORTED_VALUE');
    expect(tx.domain.s.has('a')).toBe(true);
    expect(tx.domain.m.get('a')).toBe(1);
    expect(tx.delta()).toEqual([]);
  });

  it('non-mutating methods work on proxies and return plain results or proxies', () => {
    const tx = State.create({ domain: { arr: [{ n: 1 }, { n: 2 }, { n: 3 }] } }).transaction();
    const a = tx.domain.arr;
    expect(a.filter((x: any) => x.n > 1).length).toBe(2);
    expect(a.find((x: any) => x.n === 2)).toBe(a[1]);
    expect(a.indexOf(a[2])).toBe(2);
    expect(a.includes(a[0])).toBe(true);
    expect(a.slice(1).map((x: any) => x.n)).toEqual([2, 3]);
    expect(a.concat([{ n: 4 }]).length).toBe(4);
    expect(a.at(-1).n).toBe(3);
    expect(a.reduce((s: number, x: any) => s + x.n, 0)).toBe(6);
    expect(a.some((x: any) => x.n === 3)).toBe(true);
    expect(Array.from(a.keys())).toEqual([0, 1, 2]);
    expect(tx.delta()).toEqual([]);
  });

  it('Array.prototype methods called on a proxy go through the supervisor too', () => {
    const s1 = State.create({ domain: { arr: [1, 2, 3] } }).transaction((tx) => {
      Array.prototype.push.call(tx.domain.arr, 4);
      Array.prototype.splice.call(tx.domain.arr, 0, 1);
    });
    expect(toPlain(s1.domain.arr)).toEqual([2, 3, 4]);
  });

  it('named properties on arrays are refused (they would escape delta, conflict keys and JSON)', () => {
    const tx = State.create({ domain: { arr: [1] } }).transaction();
    theusError(() => (tx.domain.arr.foo = 1), 'UNSUPPORTED_VALUE', 'domain.arr');
    theusError(() => Object.defineProperty(tx.domain.arr, 'bar', { value: 1 }), 'UNSUPPORTED_VALUE');
    theusError(() => (tx.domain.arr['-1'] = 1), 'UNSUPPORTED_VALUE');
    expect(tx.delta()).toEqual([]);
  });

  it('delete on an index leaves a hole that commits as undefined', () => {
    const s1 = State.create({ domain: { arr: [1, 2, 3] } }).transaction((tx) => {
      delete tx.domain.arr[1];
    });
    expect(s1.domain.arr.length).toBe(3);
    expect(s1.domain.arr[1]).toBeUndefined();
  });

  it('committed arrays reject every mutator', () => {
    const s = State.create({ domain: { arr: START } });
    for (const [name, op] of MUTATORS) expect(() => op(s.domain.arr), name).toThrow(TypeError);
    expect(toPlain(s.domain.arr)).toEqual(START);
  });

  it('read-only and locked views reject every mutator with typed errors', () => {
    const s = State.create({ domain: { arr: [3, 1, 2], nested: [[1]] } });
    for (const [, op] of MUTATORS) {
      thrown(() => op(s.domainProxy().arr), ContextLockedError, 'CONTEXT_LOCKED');
      thrown(() => op(s.domainProxy({ readOnly: true }).arr), PermissionDeniedError, 'ILLEGAL_WRITE');
      thrown(() => op(s.domainProxy({ readOnly: true }).nested[0]), PermissionDeniedError, 'ILLEGAL_WRITE');
    }
    expect(toPlain(s.domain.arr)).toEqual([3, 1, 2]);
  });

  it('a mutator fetched before commit is stale after it; detached, it behaves as the native method', () => {
    const tx = State.create({ domain: { arr: [1] } }).transaction();
    const arr = tx.domain.arr;
    const push = arr.push;
    // Like Array.prototype.push: called without a receiver it is a TypeError, not a hidden binding.
    expect(() => push(2)).toThrow(TypeError);
    tx.commit();
    thrown(() => push.call(arr, 2), StaleReferenceError);
  });
});

describe('Map', () => {
  const make = () =>
    State.create({
      domain: {
        m: new Map<unknown, unknown>([
          ['a', { v: 1 }],
          ['b', 2],
          [3, 'three'],
        ]),
      },
    });

  it('reads: get, has, size, iteration, forEach, keys, values, entries, instanceof', () => {
    const tx = make().transaction();
    const m = tx.domain.m;
    expect(m instanceof Map).toBe(true);
    expect(m.size).toBe(3);
    expect(m.get('a').v).toBe(1);
    expect(m.get('a')).toBe(m.get('a'));
    expect(m.has(3)).toBe(true);
    expect(m.has('3')).toBe(false);
    expect([...m.keys()]).toEqual(['a', 'b', 3]);
    expect([...m.values()].map((v) => toPlain(v))).toEqual([{ v: 1 }, 2, 'three']);
    expect([...m.entries()].map(([k]) => k)).toEqual(['a', 'b', 3]);
    expect([...m].length).toBe(3);
    const seen: unknown[] = [];
    m.forEach((v: unknown, k: unknown, self: unknown) => {
      seen.push(k);
      expect(self).toBe(m);
    });
    expect(seen).toEqual(['a', 'b', 3]);
    expect(Object.prototype.toString.call(m)).toBe('[object Map]');
    expect('get' in m).toBe(true);
  });

  it('set / delete / clear commit; nested values are supervised', () => {
    const s0 = make();
    const s1 = s0.transaction((tx) => {
      const m = tx.domain.m;
      expect(m.set('c', [1])).toBe(m);
      m.get('c').push(2);
      m.get('a').v = 10;
      expect(m.delete('b')).toBe(true);
      expect(m.delete('zz')).toBe(false);
      expect(m.size).toBe(3);
    });
    expect(toPlain(s1.domain.m)).toEqual(
      new Map<unknown, unknown>([
        ['a', { v: 10 }],
        [3, 'three'],
        ['c', [1, 2]],
      ]),
    );
    expect(s0.domain.m.get('a').v).toBe(1);
    expect(s0.domain.m.has('b')).toBe(true);
    const s2 = s1.transaction((tx) => tx.domain.m.clear());
    expect(s2.domain.m.size).toBe(0);
    expect(s1.domain.m.size).toBe(3);
  });

  it('overwriting a key replaces the proxy handed out for it', () => {
    const s1 = make().transaction((tx) => {
      const old = tx.domain.m.get('a');
      tx.domain.m.set('a', { v: 2 });
      expect(tx.domain.m.get('a')).not.toBe(old);
      expect(tx.domain.m.get('a').v).toBe(2);
    });
    expect(s1.domain.m.get('a').v).toBe(2);
  });

  it('committed Maps are read-only wrappers: readers work, writers throw ContextLockedError', () => {
    const s = make();
    const m = s.domain.m;
    expect(m instanceof Map).toBe(true);
    expect(m.get('b')).toBe(2);
    expect(m.size).toBe(3);
    expect([...m.keys()]).toEqual(['a', 'b', 3]);
    const seen: unknown[] = [];
    m.forEach((_v: unknown, k: unknown, self: unknown) => {
      seen.push(k);
      expect(self).toBe(m);
    });
    expect(seen).toEqual(['a', 'b', 3]);
    thrown(() => m.set('x', 1), ContextLockedError, 'CONTEXT_LOCKED');
    thrown(() => m.delete('a'), ContextLockedError);
    thrown(() => m.clear(), ContextLockedError);
    thrown(() => (m.extra = 1), ContextLockedError);
    thrown(() => Object.defineProperty(m, 'x', { value: 1 }), ContextLockedError);
    expect(() => Map.prototype.set.call(m, 'x', 1)).toThrow(TypeError);
    expect(() => (m.get('a').v = 2)).toThrow(TypeError);
    expect(m.size).toBe(3);
    expect(m.has('x')).toBe(false);
  });

  it('views reject Map writes with typed errors', () => {
    const s = make();
    thrown(() => s.domainProxy().m.set('x', 1), ContextLockedError);
    thrown(() => s.domainProxy({ readOnly: true }).m.delete('a'), PermissionDeniedError);
    thrown(() => s.domainProxy({ readOnly: true }).m.clear(), PermissionDeniedError);
    thrown(() => (s.domainProxy({ readOnly: true }).m.get('a').v = 3), PermissionDeniedError);
    expect(s.domain.m.get('a').v).toBe(1);
  });

  it('property assignment on a Map proxy is refused (use its methods)', () => {
    const tx = make().transaction();
    theusError(() => (tx.domain.m.a = 1), 'UNSUPPORTED_VALUE');
  });

  it('object keys are values too: the stored key is a frozen copy, so look it up through keys()', () => {
    // Documented behaviour (value semantics): a Map key object is sealed like any value, so the
    // caller's original object is not the stored key. Prefer string or number keys in state.
    const k = { id: 1 };
    const s1 = make().transaction((tx) => {
      tx.domain.m.set(k, 'by-object');
      expect(tx.domain.m.get(k)).toBeUndefined();
      const stored = [...tx.domain.m.keys()].find((x) => typeof x === 'object') as { id: number };
      expect(stored).toEqual({ id: 1 });
      expect(stored).not.toBe(k);
      expect(tx.domain.m.get(stored)).toBe('by-object');
    });
    const stored = [...s1.domain.m.keys()].find((x: unknown) => typeof x === 'object');
    expect(Object.isFrozen(stored)).toBe(true);
    expect(s1.domain.m.get(stored)).toBe('by-object');
    // a committed key is kept by identity
    const s2 = s1.transaction((tx) => tx.domain.m.set(stored, 'again'));
    expect(s2.domain.m.get(stored)).toBe('again');
    expect(s2.domain.m.size).toBe(4);
  });

  it('Map values are sealed with value semantics and checked like any value', () => {
    const tx = make().transaction();
    theusError(() => tx.domain.m.set('f', () => 1), 'UNSUPPORTED_VALUE');
    const cyc: any = {};
    cyc.me = cyc;
    theusError(() => tx.domain.m.set('c', cyc), 'UNSUPPORTED_VALUE');
    const v = { n: 1 };
    tx.domain.m.set('v', v);
    v.n = 2;
    expect(tx.domain.m.get('v').n).toBe(1);
  });
});

describe('Set', () => {
  const make = () => State.create({ domain: { s: new Set(['alpha', 'beta']) } });

  it('add / delete / clear commit, with native return values', () => {
    const s0 = make();
    const s1 = s0.transaction((tx) => {
      const set = tx.domain.s;
      expect(set instanceof Set).toBe(true);
      expect(set.add('gamma')).toBe(set);
      expect(set.add('gamma')).toBe(set);
      expect(set.delete('alpha')).toBe(true);
      expect(set.delete('zzz')).toBe(false);
      expect(set.has('gamma')).toBe(true);
      expect(set.size).toBe(2);
      expect([...set]).toEqual(['beta', 'gamma']);
      expect([...set.keys()]).toEqual(['beta', 'gamma']);
      expect([...set.entries()]).toEqual([
        ['beta', 'beta'],
        ['gamma', 'gamma'],
      ]);
      const seen: unknown[] = [];
      set.forEach((v: unknown) => seen.push(v));
      expect(seen).toEqual(['beta', 'gamma']);
    });
    expect([...s1.domain.s]).toEqual(['beta', 'gamma']);
    expect([...s0.domain.s]).toEqual(['alpha', 'beta']);
    const s2 = s1.transaction((tx) => tx.domain.s.clear());
    expect(s2.domain.s.size).toBe(0);
  });

  it('adding an existing value changes nothing', () => {
    const s0 = make();
    const tx = s0.transaction();
    tx.domain.s.add('alpha');
    expect(tx.delta()).toEqual([]);
    expect(tx.commit().domain.s).toBe(s0.domain.s);
  });

  it("members are values: the caller's object is copied; members read in a transaction are drafts", () => {
    const member = { n: 1 };
    const s1 = make().transaction((tx) => {
      tx.domain.s.add(member);
      member.n = 2;
      const stored = [...tx.domain.s].find((x) => typeof x === 'object') as { n: number };
      expect(stored.n).toBe(1);
      stored.n = 5;
    });
    expect(member.n).toBe(2);
    expect([...s1.domain.s][2]).toEqual({ n: 5 });
    expect(Object.isFrozen([...s1.domain.s][2])).toBe(true);
  });

  it('committed Sets and views reject writes', () => {
    const s = make();
    thrown(() => s.domain.s.add('x'), ContextLockedError, 'CONTEXT_LOCKED');
    thrown(() => s.domain.s.delete('alpha'), ContextLockedError);
    thrown(() => s.domain.s.clear(), ContextLockedError);
    expect(() => Set.prototype.add.call(s.domain.s, 'x')).toThrow(TypeError);
    thrown(() => s.domainProxy().s.add('x'), ContextLockedError);
    thrown(() => s.domainProxy({ readOnly: true }).s.delete('alpha'), PermissionDeniedError);
    expect([...s.domain.s]).toEqual(['alpha', 'beta']);
  });
});

describe('Date', () => {
  const T0 = Date.UTC(2020, 0, 15, 12, 0, 0);
  const make = () => State.create({ domain: { at: new Date(T0), nested: { d: new Date(T0) } } });

  it('getters work on committed dates, and they serialise like dates', () => {
    const s = make();
    expect(s.domain.at instanceof Date).toBe(true);
    expect(s.domain.at.getTime()).toBe(T0);
    expect(s.domain.at.toISOString()).toBe('2020-01-15T12:00:00.000Z');
    expect(JSON.stringify(s.domain.at)).toBe('"2020-01-15T12:00:00.000Z"');
    expect(+s.domain.at).toBe(T0);
    expect(toPlain(s.domain.at)).toEqual(new Date(T0));
  });

  it('the input Date is copied, not shared', () => {
    const d = new Date(T0);
    const s = State.create({ domain: { d } });
    d.setTime(0);
    expect(s.domain.d.getTime()).toBe(T0);
  });

  it('every setter works in a transaction and commits; the base keeps its date', () => {
    const setters: [string, (d: any) => unknown][] = [
      ['setTime', (d) => d.setTime(0)],
      ['setFullYear', (d) => d.setFullYear(1999)],
      ['setUTCFullYear', (d) => d.setUTCFullYear(2001, 1, 2)],
      ['setMonth', (d) => d.setMonth(5)],
      ['setUTCDate', (d) => d.setUTCDate(3)],
      ['setHours', (d) => d.setHours(1, 2, 3, 4)],
      ['setUTCMinutes', (d) => d.setUTCMinutes(45)],
      ['setSeconds', (d) => d.setSeconds(30)],
      ['setMilliseconds', (d) => d.setMilliseconds(999)],
    ];
    for (const [name, op] of setters) {
      const s0 = make();
      const model = new Date(T0);
      const expectedReturn = op(model);
      const tx = s0.transaction();
      expect(op(tx.domain.nested.d), name).toBe(expectedReturn);
      expect(tx.domain.nested.d.getTime(), name).toBe(model.getTime());
      const s1 = tx.commit();
      expect(s1.domain.nested.d.getTime(), name).toBe(model.getTime());
      expect(s0.domain.nested.d.getTime(), name).toBe(T0);
      expect(s1.domain.at).toBe(s0.domain.at);
    }
  });

  it('committed dates and views reject setters', () => {
    const s = make();
    thrown(() => s.domain.at.setTime(0), ContextLockedError, 'CONTEXT_LOCKED');
    thrown(() => s.domain.at.setFullYear(1), ContextLockedError);
    expect(() => Date.prototype.setTime.call(s.domain.at, 0)).toThrow(TypeError);
    thrown(() => s.domainProxy().at.setTime(0), ContextLockedError);
    thrown(() => s.domainProxy({ readOnly: true }).at.setMonth(1), PermissionDeniedError);
    expect(s.domain.at.getTime()).toBe(T0);
  });

  it('replacing a date with a new Date commits a copy of it', () => {
    const d = new Date(0);
    const s1 = make().transaction((tx) => {
      tx.domain.at = d;
    });
    d.setTime(5);
    expect(s1.domain.at.getTime()).toBe(0);
  });
});
