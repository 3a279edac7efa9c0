import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { State, toPlain } from '../../src/core/index.js';
import { applyDelta, describeDeep } from './support.js';

/**
 * One property per container kind (object, array, Map, Set, Date, class instance, record over
 * 128 keys): a random sequence of operations through a draft commits exactly what the same
 * operations do to a plain JavaScript value; delta() replayed on the base gives the commit; the
 * base never changes; an untouched sibling keeps its identity; and a transaction whose operations
 * were all no-ops commits the very same objects with an empty delta.
 */

class Counter {
  count = 0;
  label = 'c';
  bump(by: number): number {
    this.count += by;
    return this.count;
  }
}

const prim = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom('a', 'b', ''), fc.boolean(), fc.constant(null));
const val = fc.oneof(prim, prim.map((v) => ({ v })), prim.map((v) => [v]));
const keyOf = fc.constantFrom('a', 'b', 'c', 'd');
const small = fc.integer({ min: -3, max: 4 });

/** An operation: applies itself to a model (plain value) or a draft alike; `noop` says whether it may be claimed as a no-op. */
interface Op {
  readonly name: string;
  /** Ops that, when they leave the model's value unchanged, must leave the draft uncopied. */
  readonly mayBeNoop: boolean;
  /** `onModel` is true for the plain JavaScript value, false for the draft. */
  run(target: any, clone: <T>(v: T) => T, onModel: boolean): unknown;
}

const op = (name: string, mayBeNoop: boolean, run: Op['run']): Op => ({ name, mayBeNoop, run, toString: () => name }) as Op;

const arrayOps: fc.Arbitrary<Op> = fc.oneof(
  fc.array(val, { maxLength: 2 }).map((vs) => op(`push(${JSON.stringify(vs)})`, vs.length === 0, (a, c) => a.push(...vs.map(c)))),
  fc.array(val, { maxLength: 2 }).map((vs) => op(`unshift(${JSON.stringify(vs)})`, vs.length === 0, (a, c) => a.unshift(...vs.map(c)))),
  fc.constant(op('pop', true, (a) => toPlain(a.pop()))),
  fc.constant(op('shift', true, (a) => toPlain(a.shift()))),
  fc.tuple(small, fc.nat({ max: 2 }), fc.array(val, { maxLength: 2 })).map(([s, n, vs]) => op(`splice(${s},${n},${JSON.stringify(vs)})`, vs.length === 0, (a, c) => toPlain(a.splice(s, n, ...vs.map(c))))),
  fc.tuple(fc.nat(), prim).map(([i, v]) => op(`[${i}]=${String(v)}`, true, (a) => (a[i % (a.length + 1)] = v))),
  fc.tuple(fc.nat(), val).map(([i, v]) => op(`[${i}]=obj`, false, (a, c) => (a[i % (a.length + 1)] = c(v)))),
  fc.nat().map((n) => op(`length=${n}`, true, (a) => (a.length = n % (a.length + 1)))),
  fc.constant(op('sort', true, (a) => void a.sort())),
  fc.constant(op('sort(cmp)', true, (a) => void a.sort((x: unknown, y: unknown) => String(x).localeCompare(String(y))))),
  fc.constant(op('reverse', false, (a) => void a.reverse())),
  fc.tuple(prim, small, small).map(([v, s, e]) => op(`fill(${String(v)},${s},${e})`, true, (a) => void a.fill(v, s, e))),
  // State is a tree: copyWithin stores values, as `a[i] = a[j]` through a draft stores a snapshot
  // (see collections.test.ts). A plain array would alias the moved objects, so that a later write
  // through one slot shows in the other; the model stores copies instead.
  fc.tuple(small, small, small).map(([t, s, e]) => op(`copyWithin(${t},${s},${e})`, false, (a, c, onModel) => {
    a.copyWithin(t, s, e);
    if (onModel) for (let i = 0; i < a.length; i++) a[i] = c(a[i]);
  })),
  fc.tuple(fc.nat(), prim).map(([i, v]) => op(`element[${i}].v=${String(v)}`, false, (a) => {
    const el = a[i % Math.max(1, a.length)];
    if (typeof el === 'object' && el !== null && !Array.isArray(el)) el.v = v;
  })),
);

const objectOps: fc.Arbitrary<Op> = fc.oneof(
  fc.tuple(keyOf, prim).map(([k, v]) => op(`.${k}=${String(v)}`, true, (o) => (o[k] = v))),
  fc.tuple(keyOf, val).map(([k, v]) => op(`.${k}=obj`, false, (o, c) => (o[k] = c(v)))),
  keyOf.map((k) => op(`delete .${k}`, true, (o) => delete o[k])),
  fc.tuple(keyOf, prim).map(([k, v]) => op(`.${k}.v=`, false, (o) => {
    if (typeof o[k] === 'object' && o[k] !== null && !Array.isArray(o[k])) o[k].v = v;
  })),
);

const mapOps: fc.Arbitrary<Op> = fc.oneof(
  fc.tuple(keyOf, prim).map(([k, v]) => op(`set(${k},${String(v)})`, true, (m) => void m.set(k, v))),
  fc.tuple(keyOf, val).map(([k, v]) => op(`set(${k},obj)`, false, (m, c) => void m.set(k, c(v)))),
  keyOf.map((k) => op(`delete(${k})`, true, (m) => m.delete(k))),
  fc.constant(op('clear', true, (m) => m.clear())),
  fc.tuple(keyOf, prim).map(([k, v]) => op(`get(${k}).v=`, false, (m) => {
    const x = m.get(k);
    if (typeof x === 'object' && x !== null && !Array.isArray(x)) x.v = v;
  })),
  fc.constant(op('entries', true, (m) => [...m.entries()].length)),
);

const setOps: fc.Arbitrary<Op> = fc.oneof(
  prim.map((v) => op(`add(${String(v)})`, true, (s) => void s.add(v))),
  prim.map((v) => op(`add(obj)`, false, (s) => void s.add({ v }))),
  prim.map((v) => op(`delete(${String(v)})`, true, (s) => s.delete(v))),
  fc.constant(op('clear', true, (s) => s.clear())),
  fc.tuple(fc.nat(), prim).map(([i, v]) => op('member.v=', false, (s) => {
    const members = [...s].filter((x) => typeof x === 'object' && x !== null);
    if (members.length > 0) members[i % members.length].v = v;
  })),
  fc.tuple(fc.nat(), prim).map(([i, v]) => op('forEach member.v=', false, (s) => {
    let j = 0;
    s.forEach((x: any) => {
      if (typeof x === 'object' && x !== null && j++ === i % 3) x.v = v;
    });
  })),
);

const dateOps: fc.Arbitrary<Op> = fc.oneof(
  fc.integer({ min: 0, max: 4 }).map((t) => op(`setTime(${t})`, true, (d) => d.setTime(t * 1000))),
  fc.integer({ min: 0, max: 999 }).map((ms) => op(`setUTCMilliseconds(${ms})`, true, (d) => d.setUTCMilliseconds(ms))),
  fc.integer({ min: 1999, max: 2001 }).map((y) => op(`setUTCFullYear(${y})`, true, (d) => d.setUTCFullYear(y))),
  fc.constant(op('getTime', true, (d) => d.getTime())),
);

const instanceOps: fc.Arbitrary<Op> = fc.oneof(
  fc.integer({ min: -2, max: 2 }).map((n) => op(`bump(${n})`, true, (c) => c.bump(n))),
  prim.map((v) => op(`.label=${String(v)}`, true, (c) => (c.label = v))),
  fc.constant(op('delete .label', true, (c) => delete c.label)),
);

const WIDE_KEYS = Array.from({ length: 140 }, (_, i) => `w${i}`);
const wideKey = fc.constantFrom(...WIDE_KEYS.slice(0, 6), 'w139', 'fresh1', 'fresh2');
const wideOps: fc.Arbitrary<Op> = fc.oneof(
  fc.tuple(wideKey, prim).map(([k, v]) => op(`.${k}=${String(v)}`, true, (o) => (o[k] = v))),
  wideKey.map((k) => op(`delete .${k}`, true, (o) => delete o[k])),
  fc.tuple(wideKey, prim).map(([k, v]) => op(`.${k}.v=`, false, (o) => {
    if (typeof o[k] === 'object' && o[k] !== null) o[k].v = v;
  })),
);

interface Case {
  name: string;
  initial: fc.Arbitrary<unknown>;
  ops: fc.Arbitrary<Op>;
}

const CASES: Case[] = [
  { name: 'array', initial: fc.array(val, { maxLength: 5 }), ops: arrayOps },
  { name: 'object', initial: fc.dictionary(keyOf, val, { maxKeys: 4, noNullPrototype: true }), ops: objectOps },
  { name: 'Map', initial: fc.array(fc.tuple(keyOf, val), { maxLength: 4 }).map((e) => new Map(e)), ops: mapOps },
  { name: 'Set', initial: fc.array(fc.oneof(prim, prim.map((v) => ({ v }))), { maxLength: 4 }).map((a) => new Set(a)), ops: setOps },
  { name: 'Date', initial: fc.integer({ min: 0, max: 4 }).map((t) => new Date(t * 1000)), ops: dateOps },
  { name: 'class instance', initial: fc.integer({ min: 0, max: 3 }).map((n) => Object.assign(new Counter(), { count: n })), ops: instanceOps },
  {
    name: 'record over 128 keys',
    initial: fc.array(fc.oneof(prim, prim.map((v) => ({ v }))), { minLength: WIDE_KEYS.length, maxLength: WIDE_KEYS.length }).map((vs) => Object.fromEntries(WIDE_KEYS.map((k, i) => [k, vs[i]]))),
    ops: wideOps,
  },
];

const clone = <T,>(v: T): T => (typeof v === 'object' && v !== null ? (toPlain(v) as T) : v);

describe('property: every container kind behaves like its plain JavaScript value', () => {
  for (const c of CASES) {
    it(c.name, () => {
      fc.assert(
        fc.property(c.initial, fc.array(c.ops, { maxLength: 12 }), (initial, ops) => {
          const base = State.create({ domain: { x: initial, sibling: { untouched: [1] } } });
          const before = describeDeep(toPlain(base.data));
          const model = toPlain(base.domain) as Record<string, any>;
          const tx = base.transaction();
          let allNoops = true;
          for (const o of ops) {
            const was = describeDeep(model.x);
            let expected: unknown;
            let got: unknown;
            let modelErr: unknown;
            let draftErr: unknown;
            try {
              expected = o.run(model.x, clone, true);
            } catch (err) {
              modelErr = err;
            }
            try {
              got = o.run(tx.domain.x, clone, false);
            } catch (err) {
              draftErr = err;
            }
            // Both succeed with the same result, or both refuse.
            expect(draftErr === undefined, `${o.name}: ${String(draftErr)}`).toBe(modelErr === undefined);
            if (modelErr === undefined) expect(describeDeep(toPlain(got))).toEqual(describeDeep(expected));
            if (!o.mayBeNoop || JSON.stringify(describeDeep(model.x)) !== JSON.stringify(was)) allNoops = false;
          }
          const delta = tx.delta();
          const committed = tx.commit();
          expect(describeDeep(toPlain(committed.domain.x))).toEqual(describeDeep(model.x));
          const replayed = applyDelta(toPlain(base.data) as Record<string, unknown>, delta);
          // Delta ops carry no key order (a key deleted and re-added is a 'replace'): compare content.
          expect(replayed.domain).toEqual(toPlain(committed.domain));
          expect(describeDeep(toPlain(base.data))).toEqual(before);
          expect(committed.domain.sibling).toBe(base.domain.sibling);
          if (allNoops) {
            expect(delta).toEqual([]);
            expect(committed.domain).toBe(base.domain);
          }
        }),
        // Unpinned: every run tries new sequences. PROP_RUNS=20000 searches harder; a failure prints its seed.
        { numRuns: Number(process.env.PROP_RUNS ?? 120) },
      );
    });
  }
});
