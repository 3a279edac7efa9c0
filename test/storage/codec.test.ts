import { describe, expect, it } from 'vitest';
import { OPAQUE } from '../../src/core/kinds.js';
import { State } from '../../src/core/index.js';
import { StorageError } from '../../src/errors.js';
import { ClassRegistry, decode, decodeOps, encode, encodeOps } from '../../src/storage/codec.js';

const roundTrip = (v: unknown, classes?: ClassRegistry) => decode(encode(v, classes), classes);

describe('codec: tagged JSON for stored values', () => {
  it('user data that looks like a tag stays user data', () => {
    const forged = { $t: 'u', v: 1, nested: { $t: 'm', v: [[1, 2]] } };
    expect(roundTrip(forged)).toEqual(forged);
    expect(roundTrip([{ $t: 'd', v: 0 }])).toEqual([{ $t: 'd', v: 0 }]);
  });

  it('BigInt, invalid Date, null-prototype objects, sparse arrays and nested Maps of Sets', () => {
    expect(roundTrip(12345678901234567890n)).toBe(12345678901234567890n);
    expect(Number.isNaN((roundTrip(new Date(Number.NaN)) as Date).getTime())).toBe(true);
    const bare = Object.create(null) as Record<string, unknown>;
    bare.a = 1;
    const back = roundTrip(bare) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBeNull();
    expect(back.a).toBe(1);
    // eslint-disable-next-line no-sparse-arrays
    expect(roundTrip([1, , 3])).toEqual([1, undefined, 3]);
    const m = new Map<unknown, unknown>([[1, new Set([new Map([['x', -0]])])]]);
    const mb = roundTrip(m) as Map<number, Set<Map<string, number>>>;
    expect(Object.is([...(mb.get(1) as Set<Map<string, number>>)][0]?.get('x'), -0)).toBe(true);
  });

  it('committed (frozen, wide) state encodes like its plain copy', () => {
    const wide: Record<string, number> = {};
    for (let i = 0; i < 300; i++) wide[`k${i}`] = i;
    const s = State.create({ domain: { wide, list: [1, { a: new Date(3) }] } });
    expect(roundTrip(s.domain)).toEqual({ wide, list: [1, { a: new Date(3) }] });
  });

  it('heavy (opaque) values are left out: object keys dropped, array slots undefined, whole-value ops become removals', () => {
    class Heavy {
      readonly [OPAQUE] = true;
    }
    const h = new Heavy();
    expect(roundTrip({ keep: 1, h, m: new Map([['h', h]]) })).toEqual({ keep: 1, m: new Map() });
    expect(roundTrip([h, 2])).toEqual([undefined, 2]);
    const ops = decodeOps(encodeOps([{ op: 'add', path: ['heavy', 'm'], value: h }, { op: 'add', path: ['domain', 'arr', 0], value: h }]));
    expect(ops).toEqual([{ op: 'remove', path: ['heavy', 'm'] }, { op: 'add', path: ['domain', 'arr', 0], value: undefined }]);
  });

  it('an op list is the JSON of its op objects, for well-formed and malformed ops alike', () => {
    const ops = [
      { op: 'replace', path: ['domain', 'a"b\u2028', 0], value: 'x"\ud800' },
      { op: 'remove', path: ['domain', 'gone'], value: 1 },
      { op: 'add', path: ['domain', 'n'], value: { m: new Map([[1, -0]]), u: undefined } },
      { op: 'add', path: [Number.NaN], value: null },
      { op: 'move', path: ['domain'], value: 1 },
      { op: 'add', path: 'domain.flat', value: 1 },
      { path: ['domain'], value: true },
    ] as unknown as Parameters<typeof encodeOps>[0];
    const asObjects = ops.map((o) => {
      const value = (encode([o.value]) as string).slice(1, -1);
      return o.op === 'remove' ? JSON.stringify({ op: o.op, path: o.path }) : JSON.stringify({ op: o.op, path: o.path, value: JSON.parse(value) as unknown });
    });
    expect(encodeOps(ops)).toBe(`[${asObjects.join(',')}]`);
    expect(encodeOps([])).toBe('[]');
  });

  it('refuses what it could not restore, naming the path', () => {
    expect(() => encode({ a: { f: () => 1 } })).toThrow(/domain|a\.f/);
    expect(() => encode({ s: Symbol('x') })).toThrow(StorageError);
    expect(() => encode(new (class Point {})())).toThrow(/class Point/);
    expect(() => encode(new Uint8Array(1))).toThrow(StorageError);
    expect(() => encode(new WeakMap())).toThrow(StorageError);
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = [deep];
    expect(() => encode(deep)).toThrow(/nested/);
    const hostile = JSON.parse('{"__proto__": {"x": 1}}') as object;
    expect(() => encode(hostile)).toThrow(StorageError);
  });

  it('refuses corrupt text with StorageError, never a SyntaxError or a polluted prototype', () => {
    for (const text of ['{', '{"$t":"zz"}', '{"$t":"n","v":"7"}', '{"$t":"b","v":"1.5"}', '{"$t":"m","v":5}', '{"$t":"c","c":"Nope","v":{}}', '{"constructor":{"prototype":{"x":1}}}', '{"a":{"__proto__":{"polluted":1}}}']) {
      expect(() => decode(text)).toThrow(StorageError);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(() => decodeOps('{"op":"add"}')).toThrow(StorageError);
  });

  it('a class registry restores registered classes and refuses duplicate or anonymous names', () => {
    class Money {
      constructor(readonly cents = 0) {}
      get euros() {
        return this.cents / 100;
      }
    }
    const reg = new ClassRegistry([Money]);
    const back = roundTrip({ price: new Money(250) }, reg) as { price: Money };
    expect(back.price).toBeInstanceOf(Money);
    expect(back.price.euros).toBe(2.5);
    expect(() => new ClassRegistry([Money, Money])).toThrow(StorageError);
    expect(() => new ClassRegistry([5 as never])).toThrow(StorageError);
  });
});

describe('codec: stored ops are checked when read back', () => {
  it('refuses a path through __proto__, constructor or prototype, and malformed ops, with StorageError', () => {
    for (const path of [['__proto__', 'x'], ['domain', 'constructor', 'prototype', 'x'], ['domain', 'prototype']]) {
      expect(() => decodeOps(JSON.stringify([{ op: 'add', path, value: 1 }]))).toThrow(StorageError);
    }
    for (const op of [null, [], { op: 'merge', path: ['a'] }, { op: 'add', path: [] }, { op: 'add', path: 'a.b' }, { op: 'add', path: ['a', true] }]) {
      expect(() => decodeOps(JSON.stringify([op]))).toThrow(StorageError);
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(decodeOps(JSON.stringify([{ op: 'remove', path: ['domain', 'items', 0] }]))).toEqual([{ op: 'remove', path: ['domain', 'items', 0] }]);
  });
});
