import { describe, expect, it } from 'vitest';
import { State, toPlain } from '../../src/core/index.js';
import { applyDelta, theusError } from './support.js';

/** Drafts behave like the JavaScript values they stand for, or refuse with a typed error. */

describe('sparse arrays: arrays in state are dense, holes are refused up front', () => {
  it('an index write past the end is refused at once, whatever the index, and changes nothing', () => {
    const s0 = State.create({ domain: { slots: ['a'] } });
    const tx = s0.transaction();
    for (const i of [2, 1e7, 2 ** 32 - 2]) theusError(() => (tx.domain.slots[i] = 'x'), 'UNSUPPORTED_VALUE', 'domain.slots');
    expect(tx.delta()).toEqual([]);
    tx.domain.slots[1] = 'b'; // appending at length is fine
    expect(tx.commit().domain.slots).toEqual(['a', 'b']);
  });

  it('growing length is refused (shrinking works); absurd lengths are invalid arguments', () => {
    const s0 = State.create({ domain: { slots: [1, 2, 3] } });
    const tx = s0.transaction();
    theusError(() => (tx.domain.slots.length = 2 ** 32 - 1), 'UNSUPPORTED_VALUE', 'domain.slots');
    theusError(() => (tx.domain.slots.length = 4), 'UNSUPPORTED_VALUE');
    theusError(() => (tx.domain.slots.length = 2 ** 32), 'INVALID_ARGUMENT');
    theusError(() => (tx.domain.slots.length = -1), 'INVALID_ARGUMENT');
    expect(tx.delta()).toEqual([]);
    tx.domain.slots.length = 3; // same length: a no-op
    expect(tx.delta()).toEqual([]);
    tx.domain.slots.length = 1;
    expect(tx.commit().domain.slots).toEqual([1]);
  });

  it('a sparse array entering state is refused quickly, however long', () => {
    const sparse: unknown[] = [];
    sparse[1e7] = 'x';
    theusError(() => State.create({ domain: { sparse } }), 'UNSUPPORTED_VALUE', 'domain.sparse');
    theusError(() => State.create({ domain: { holes: new Array(2 ** 32 - 1) } }), 'UNSUPPORTED_VALUE');
    const s0 = State.create({ domain: {} });
    const tx = s0.transaction();
    // eslint-disable-next-line no-sparse-arrays
    theusError(() => (tx.domain.list = [1, , 3]), 'UNSUPPORTED_VALUE', 'domain.list');
    expect(tx.delta()).toEqual([]);
    tx.rollback();
  });

  it('delete on an element keeps the array dense (the slot holds undefined)', () => {
    const s1 = State.create({ domain: { arr: [1, 2] } }).transaction((tx) => {
      delete tx.domain.arr[0];
      expect(0 in tx.domain.arr).toBe(true);
    });
    expect(s1.domain.arr).toEqual([undefined, 2]);
  });
});

describe('no-ops keep identity and add nothing to the delta', () => {
  const make = () =>
    State.create({
      domain: {
        arr: [{ n: 1 }, { n: 2 }],
        one: [{ n: 1 }],
        empty: [] as unknown[],
        sorted: [1, 2, 3],
        m: new Map<string, unknown>([['k', 1], ['o', { deep: true }]]),
        em: new Map(),
        es: new Set(),
        s: new Set([1, 2]),
        at: new Date(1_000),
        rec: { a: 1 },
      },
    });

  const NO_OPS: [string, (d: any) => unknown][] = [
    ['push()', (d) => d.arr.push()],
    ['unshift()', (d) => d.arr.unshift()],
    ['splice(1, 0)', (d) => d.arr.splice(1, 0)],
    ['splice()', (d) => d.arr.splice()],
    ['splice(5)', (d) => d.arr.splice(5)],
    ['pop() on empty', (d) => d.empty.pop()],
    ['shift() on empty', (d) => d.empty.shift()],
    ['sort() of one element', (d) => d.one.sort()],
    ['reverse() of one element', (d) => d.one.reverse()],
    ['sort() of a sorted array', (d) => d.sorted.sort()],
    ['fill() with what is there', (d) => d.sorted.fill(2, 1, 2)],
    ['copyWithin() onto itself', (d) => d.sorted.copyWithin(0, 0)],
    ['length = length', (d) => (d.sorted.length = 3)],
    ['arr[i] = same', (d) => (d.sorted[0] = 1)],
    ['map.set(k, same)', (d) => d.m.set('k', 1)],
    ['map.set(k, its own unmodified draft)', (d) => d.m.set('o', d.m.get('o'))],
    ['map.delete(absent)', (d) => d.m.delete('zz')],
    ['clear() on an empty Map', (d) => d.em.clear()],
    ['clear() on an empty Set', (d) => d.es.clear()],
    ['set.add(member)', (d) => d.s.add(1)],
    ['set.delete(absent)', (d) => d.s.delete(9)],
    ['date.setTime(same)', (d) => d.at.setTime(1_000)],
    ['obj.x = same', (d) => (d.rec.a = 1)],
    ['delete absent key', (d) => delete d.rec.zz],
  ];

  for (const [name, op] of NO_OPS) {
    it(name, () => {
      const s0 = make();
      const tx = s0.transaction();
      op(tx.domain);
      expect(tx.delta()).toEqual([]);
      const r = tx.finish();
      expect(r.ops).toEqual([]);
      expect(r.writes.size).toBe(0);
      expect(r.root.domain).toBe(s0.domain);
    });
  }

  it('no-op calls return what the native call returns', () => {
    const tx = make().transaction();
    const d = tx.domain;
    expect(d.arr.push()).toBe(2);
    expect(d.arr.unshift()).toBe(2);
    expect(d.arr.splice(1, 0)).toEqual([]);
    expect(d.empty.pop()).toBeUndefined();
    expect(d.empty.shift()).toBeUndefined();
    expect(d.one.sort()).toBe(d.one);
    expect(d.m.set('k', 1)).toBe(d.m);
    expect(d.em.clear()).toBeUndefined();
    tx.rollback();
  });
});

describe('writing back the value a key held before a change below it is a write, not a no-op', () => {
  // `a.e = b` stores b's value; `a.e[0] = x` then changes a.e through a child draft; `a.e = b`
  // again must restore b's value, although a.e's stored value is still b's committed array.
  const wide = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i]));
  const make = () => State.create({ domain: { src: [{ n: 1 }], obj: {} as Record<string, unknown>, list: [[0]] as unknown[], m: new Map<string, unknown>(), wide: { ...wide } } });

  const CASES: [string, (d: any) => void, (plain: any) => void][] = [
    [
      'object key',
      (d) => {
        d.obj.e = d.src;
        d.obj.e[0] = 'changed';
        d.obj.e = d.src;
      },
      (p) => expect(p.obj.e).toEqual([{ n: 1 }]),
    ],
    [
      'array element',
      (d) => {
        d.list[0] = d.src;
        d.list[0].push('changed');
        d.list[0] = d.src;
      },
      (p) => expect(p.list[0]).toEqual([{ n: 1 }]),
    ],
    [
      'Map value',
      (d) => {
        d.m.set('e', d.src);
        d.m.get('e').push('changed');
        d.m.set('e', d.src);
      },
      (p) => expect(p.m.get('e')).toEqual([{ n: 1 }]),
    ],
    [
      'wide-record key',
      (d) => {
        d.wide.e = d.src;
        d.wide.e.push('changed');
        d.wide.e = d.src;
      },
      (p) => expect(p.wide.e).toEqual([{ n: 1 }]),
    ],
  ];

  it.each(CASES)('%s: committed state and delta agree with plain JavaScript', (_name, run, check) => {
    const base = make();
    const tx = base.transaction();
    run(tx.domain);
    const delta = tx.delta();
    const next = tx.commit();
    check(toPlain(next.domain));
    expect(toPlain(next.domain.src)).toEqual([{ n: 1 }]);
    expect(applyDelta(toPlain(base.data) as Record<string, unknown>, delta)).toEqual(toPlain(next.data));
  });
});

describe('Set members are drafts when iterated, as Map values are', () => {
  const make = () => State.create({ domain: { s: new Set<unknown>(['a', { n: 1 }, [1], new Set([{ deep: 1 }])]) } });
  const ITERATIONS: [string, (s: Set<any>) => any[]][] = [
    ['for…of', (s) => [...s]],
    ['forEach', (s) => {
      const out: any[] = [];
      s.forEach((v) => out.push(v));
      return out;
    }],
    ['values()', (s) => [...s.values()]],
    ['keys()', (s) => [...s.keys()]],
    ['entries()', (s) => [...s.entries()].map(([v]) => v)],
  ];
  for (const [name, iterate] of ITERATIONS) {
    it(`${name}: members can be mutated and the commit keeps the order`, () => {
      const s0 = make();
      const s1 = s0.transaction((tx) => {
        const [, obj, arr, inner] = iterate(tx.domain.s);
        obj.n = 2;
        arr.push(2);
        for (const x of inner) x.deep = 2;
        expect(tx.domain.s.has(obj)).toBe(true);
      });
      expect(toPlain(s1.domain.s)).toEqual(new Set(['a', { n: 2 }, [1, 2], new Set([{ deep: 2 }])]));
      expect([...s1.domain.s].map((x) => (typeof x === 'string' ? x : Array.isArray(x) ? 'arr' : x instanceof Set ? 'set' : 'obj'))).toEqual(['a', 'obj', 'arr', 'set']);
      expect(toPlain(s0.domain.s)).toEqual(new Set(['a', { n: 1 }, [1], new Set([{ deep: 1 }])]));
    });
  }

  it('a member draft passed to delete removes the member; reading without writing changes nothing', () => {
    const s0 = make();
    const s1 = s0.transaction((tx) => {
      const obj = [...tx.domain.s][1];
      expect(tx.domain.s.delete(obj)).toBe(true);
    });
    expect(s1.domain.s.size).toBe(3);
    const s2 = s0.transaction((tx) => void [...tx.domain.s]);
    expect(s2.domain.s).toBe(s0.domain.s);
  });
});

describe('removed elements come back the same way whether or not they were read', () => {
  for (const op of ['pop', 'shift', 'splice'] as const) {
    it(op, () => {
      const s0 = State.create({ domain: { arr: [{ n: 1 }, { n: 2 }] } });
      const results = [false, true].map((readFirst) => {
        const tx = s0.transaction();
        if (readFirst) void tx.domain.arr[0].n, void tx.domain.arr[1].n;
        const arr = tx.domain.arr;
        const got = op === 'pop' ? arr.pop() : op === 'shift' ? arr.shift() : arr.splice(0, 1)[0];
        tx.rollback();
        return got;
      });
      for (const got of results) expect(Object.isFrozen(got)).toBe(true);
      expect(results[0]).toEqual(results[1]);
    });
  }

  it('an element modified before removal comes back with the modification, frozen', () => {
    const s0 = State.create({ domain: { arr: [{ n: 1 }] } });
    const tx = s0.transaction();
    tx.domain.arr[0].n = 5;
    const got = tx.domain.arr.pop();
    expect(got).toEqual({ n: 5 });
    expect(Object.isFrozen(got)).toBe(true);
    tx.rollback();
  });
});

describe('the value model: what state holds', () => {
  it('symbol keys are refused on entry and on write, never silently dropped', () => {
    theusError(() => State.create({ domain: { o: { [Symbol('s')]: 1, a: 1 } } }), 'UNSUPPORTED_VALUE', 'domain.o');
    class WithSymbol {
      constructor() {
        (this as unknown as Record<symbol, number>)[Symbol.for('tag')] = 1;
      }
    }
    theusError(() => State.create({ domain: { o: new WithSymbol() } }), 'UNSUPPORTED_VALUE', 'domain.o');
    const tx = State.create({ domain: { o: {} } }).transaction();
    theusError(() => (tx.domain.o[Symbol('s')] = 1), 'UNSUPPORTED_VALUE');
    theusError(() => (tx.domain.x = { [Symbol('s')]: 1 }), 'UNSUPPORTED_VALUE', 'domain.x');
    expect(tx.delta()).toEqual([]);
    tx.rollback();
  });

  it('boxed primitives are refused (store the primitive)', () => {
    for (const boxed of [new Number(1), new String('ab'), new Boolean(false), Object(1n), Object(Symbol('x'))]) {
      theusError(() => State.create({ domain: { v: boxed } }), 'UNSUPPORTED_VALUE', 'domain.v');
    }
    const tx = State.create({ domain: {} }).transaction();
    theusError(() => (tx.domain.v = new String('ab')), 'UNSUPPORTED_VALUE');
    tx.rollback();
  });

  it('BigInt is refused everywhere it could enter, so JSON.stringify(state) always works', () => {
    theusError(() => State.create({ domain: { n: 1n } }), 'UNSUPPORTED_VALUE', 'domain.n');
    const s0 = State.create({ domain: { list: [], m: new Map(), s: new Set() } });
    const tx = s0.transaction();
    theusError(() => (tx.domain.n = 1n), 'UNSUPPORTED_VALUE', 'domain.n');
    theusError(() => tx.domain.list.push(1n), 'UNSUPPORTED_VALUE');
    theusError(() => tx.domain.m.set('k', 1n), 'UNSUPPORTED_VALUE');
    theusError(() => tx.domain.s.add(2n), 'UNSUPPORTED_VALUE');
    expect(tx.delta()).toEqual([]);
    expect(() => JSON.stringify(tx.commit())).not.toThrow();
  });

  it('new Date(committedDate) and new Date(draftDate) keep the milliseconds', () => {
    const t = 1_700_000_000_123;
    const s0 = State.create({ domain: { at: new Date(t) } });
    expect(new Date(s0.domain.at).getTime()).toBe(t);
    expect(+s0.domain.at).toBe(t);
    expect(`${s0.domain.at}`).toBe(new Date(t).toString());
    const tx = s0.transaction();
    expect(new Date(tx.domain.at).getTime()).toBe(t);
    tx.domain.at.setMilliseconds(456);
    expect(new Date(tx.domain.at).getTime()).toBe(t - 123 + 456);
    expect(tx.domain.at - 0).toBe(t - 123 + 456);
    tx.rollback();
    const invalid = State.create({ domain: { at: new Date(NaN) } });
    expect(Number.isNaN(new Date(invalid.domain.at).getTime())).toBe(true);
  });

  it('committed Maps, Sets and Dates answer Object.isFrozen true; toPlain gives structured-cloneable data', () => {
    const wide = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i]));
    const s0 = State.create({ domain: { m: new Map([['a', 1]]), s: new Set([1]), at: new Date(5), wide } });
    expect(Object.isFrozen(s0.domain.m)).toBe(true);
    expect(Object.isFrozen(s0.domain.s)).toBe(true);
    expect(Object.isFrozen(s0.domain.at)).toBe(true);
    // Wide records and collections are read-only views (proxies): the structured clone algorithm
    // cannot copy a proxy. toPlain() is the documented way out, for all of them.
    const plain = structuredClone(toPlain(s0.domain));
    expect(plain.m).toEqual(new Map([['a', 1]]));
    expect(Object.keys(plain.wide)).toHaveLength(200);
    expect(JSON.parse(JSON.stringify(s0.domain.wide)).k7).toBe(7);
  });
});
