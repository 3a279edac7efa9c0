import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { State, toPlain, type Transaction } from '../../src/core/index.js';
import { applyDelta, describeDeep } from './support.js';

/**
 * Model-based properties: random operations applied through a transaction must give exactly what
 * the same operations give on a plain deep copy (structuredClone), with value semantics modelled
 * explicitly (a value written into state is a copy, so the model clones what it stores).
 */

type Seg = string | number;
type Kind = 'obj' | 'arr' | 'map' | 'set';

const KEYS = ['a', 'b', 'c', 'd', 'e'] as const;
const key = fc.constantFrom(...KEYS);
const prim = fc.oneof(fc.integer({ min: -50, max: 50 }), fc.string({ maxLength: 3 }), fc.boolean(), fc.constant(null));
const small = fc.integer({ min: -4, max: 6 });

const { value } = fc.letrec<{ value: unknown; obj: Record<string, unknown>; arr: unknown[]; map: Map<string, unknown>; set: Set<unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 3 }, prim, tie('obj'), tie('arr'), tie('map'), tie('set')),
  obj: fc.dictionary(key, tie('value'), { maxKeys: 3, noNullPrototype: true }),
  arr: fc.array(tie('value'), { maxLength: 3 }),
  map: fc.array(fc.tuple(key, tie('value')), { maxLength: 3 }).map((e) => new Map(e)),
  set: fc.array(prim, { maxLength: 3 }).map((a) => new Set(a)),
}));

const initialDomain = fc.record({
  obj: fc.dictionary(key, value, { maxKeys: 4, noNullPrototype: true }),
  arr: fc.array(value, { maxLength: 4 }),
  map: fc.array(fc.tuple(key, value), { maxLength: 3 }).map((e) => new Map(e)),
  set: fc.array(prim, { maxLength: 3 }).map((a) => new Set(a)),
  n: fc.integer(),
});

type Op =
  | { t: 'set'; pick: number; key: string; value: unknown }
  | { t: 'del'; pick: number; key: string }
  | { t: 'copy'; pick: number; key: string; from: number }
  | { t: 'nest'; pick: number; key: string }
  | { t: 'push'; pick: number; values: unknown[] }
  | { t: 'pop' | 'shift' | 'sort' | 'sortc' | 'reverse'; pick: number }
  | { t: 'unshift'; pick: number; value: unknown }
  | { t: 'splice'; pick: number; start: number; del: number; values: unknown[] }
  | { t: 'idx'; pick: number; i: number; value: unknown }
  | { t: 'len'; pick: number; n: number }
  | { t: 'fill'; pick: number; value: unknown; start: number; end: number }
  | { t: 'copyWithin'; pick: number; target: number; start: number; end: number }
  | { t: 'mset'; pick: number; key: string; value: unknown }
  | { t: 'mdel'; pick: number; key: string }
  | { t: 'mclear'; pick: number }
  | { t: 'sadd' | 'sdel'; pick: number; value: unknown };

const pick = fc.nat();
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('set' as const), pick, key, value }),
  fc.record({ t: fc.constant('del' as const), pick, key }),
  fc.record({ t: fc.constant('copy' as const), pick, key, from: fc.nat() }),
  fc.record({ t: fc.constant('nest' as const), pick, key }),
  fc.record({ t: fc.constant('push' as const), pick, values: fc.array(value, { maxLength: 2 }) }),
  fc.record({ t: fc.constantFrom('pop' as const, 'shift' as const, 'sort' as const, 'sortc' as const, 'reverse' as const), pick }),
  fc.record({ t: fc.constant('unshift' as const), pick, value }),
  fc.record({ t: fc.constant('splice' as const), pick, start: small, del: fc.nat({ max: 3 }), values: fc.array(value, { maxLength: 2 }) }),
  fc.record({ t: fc.constant('idx' as const), pick, i: fc.nat(), value }),
  fc.record({ t: fc.constant('len' as const), pick, n: fc.nat() }),
  fc.record({ t: fc.constant('fill' as const), pick, value: prim, start: small, end: small }),
  fc.record({ t: fc.constant('copyWithin' as const), pick, target: small, start: small, end: small }),
  fc.record({ t: fc.constant('mset' as const), pick, key, value }),
  fc.record({ t: fc.constant('mdel' as const), pick, key }),
  fc.record({ t: fc.constant('mclear' as const), pick }),
  fc.record({ t: fc.constantFrom('sadd' as const, 'sdel' as const), pick, value: prim }),
);

function kindOf(v: unknown): Kind | undefined {
  if (v instanceof Map) return 'map';
  if (v instanceof Set) return 'set';
  if (Array.isArray(v)) return 'arr';
  if (typeof v === 'object' && v !== null) return 'obj';
  return undefined;
}

function containers(node: unknown, path: Seg[] = [], out: { path: Seg[]; kind: Kind }[] = []): { path: Seg[]; kind: Kind }[] {
  const kind = kindOf(node);
  if (!kind) return out;
  out.push({ path, kind });
  if (kind === 'obj') for (const [k, v] of Object.entries(node as object)) containers(v, [...path, k], out);
  if (kind === 'arr') (node as unknown[]).forEach((v, i) => containers(v, [...path, i], out));
  if (kind === 'map') for (const [k, v] of node as Map<string, unknown>) containers(v, [...path, k], out);
  return out;
}

function nav(node: any, path: readonly Seg[]): any {
  for (const seg of path) node = node instanceof Map ? node.get(seg) : node[seg];
  return node;
}

const KIND_OF_OP: Record<Op['t'], Kind> = {
  set: 'obj', del: 'obj', copy: 'obj', nest: 'obj',
  push: 'arr', pop: 'arr', shift: 'arr', sort: 'arr', sortc: 'arr', reverse: 'arr', unshift: 'arr', splice: 'arr', idx: 'arr', len: 'arr', fill: 'arr', copyWithin: 'arr',
  mset: 'map', mdel: 'map', mclear: 'map', sadd: 'set', sdel: 'set',
};

const rank = (x: unknown) => (typeof x === 'number' ? -x : typeof x === 'string' ? 1000 + x.length : 2000);
const cmp = (x: unknown, y: unknown) => rank(x) - rank(y);

/** What an op touched, for the structural-sharing check: containers changed inside, and paths (re)written. */
interface Footprint {
  inside: Seg[][];
  written: Seg[][];
}

/** Applies one op to the model and, identically, to the draft. Returns false when it did not apply. */
function applyOp(o: Op, model: Record<string, unknown>, draft: any, fp: Footprint, readBack: boolean): boolean {
  const all = containers(model);
  const cands = all.filter((c) => c.kind === KIND_OF_OP[o.t]);
  if (cands.length === 0) return false;
  const { path } = cands[o.pick % cands.length]!;
  const m = nav(model, path);
  const d = nav(draft, path);
  fp.inside.push(path);
  const clone = <T>(v: T): T => structuredClone(v);
  const STAR = '*';
  switch (o.t) {
    case 'set':
      m[o.key] = clone(o.value);
      d[o.key] = o.value;
      fp.written.push([...path, o.key]);
      break;
    case 'del':
      delete m[o.key];
      delete d[o.key];
      fp.written.push([...path, o.key]);
      break;
    case 'copy': {
      const src = all[o.from % all.length]!.path;
      m[o.key] = clone(nav(model, src));
      d[o.key] = nav(draft, src);
      fp.written.push([...path, o.key]);
      break;
    }
    case 'nest':
      m[o.key] = { inner: [1, 2] };
      d[o.key] = {};
      d[o.key].inner = [1];
      d[o.key].inner.push(2);
      fp.written.push([...path, o.key]);
      break;
    case 'mset':
      m.set(o.key, clone(o.value));
      d.set(o.key, o.value);
      fp.written.push([...path, o.key]);
      break;
    case 'mdel':
      expect(d.delete(o.key)).toBe(m.delete(o.key));
      fp.written.push([...path, o.key]);
      break;
    case 'mclear':
      m.clear();
      d.clear();
      fp.written.push([...path, STAR]);
      break;
    case 'sadd':
      m.add(o.value);
      d.add(o.value);
      break;
    case 'sdel':
      expect(d.delete(o.value)).toBe(m.delete(o.value));
      break;
    default: {
      fp.written.push([...path, STAR]);
      const len = (m as unknown[]).length;
      switch (o.t) {
        case 'push':
          expect(d.push(...o.values)).toBe(m.push(...o.values.map(clone)));
          break;
        case 'pop':
          expect(toPlain(d.pop())).toEqual(m.pop());
          break;
        case 'shift':
          expect(toPlain(d.shift())).toEqual(m.shift());
          break;
        case 'unshift':
          expect(d.unshift(o.value)).toBe(m.unshift(clone(o.value)));
          break;
        case 'splice': {
          const removedD = toPlain(d.splice(o.start, o.del, ...o.values));
          expect(removedD).toEqual(m.splice(o.start, o.del, ...o.values.map(clone)));
          break;
        }
        case 'idx': {
          const i = o.i % (len + 1);
          m[i] = clone(o.value);
          d[i] = o.value;
          break;
        }
        case 'len':
          m.length = o.n % (len + 1);
          d.length = o.n % (len + 1);
          break;
        case 'sort':
          m.sort();
          d.sort();
          break;
        case 'sortc':
          m.sort(cmp);
          d.sort(cmp);
          break;
        case 'reverse':
          m.reverse();
          d.reverse();
          break;
        case 'fill':
          m.fill(o.value, o.start, o.end);
          d.fill(o.value, o.start, o.end);
          break;
        case 'copyWithin': {
          // copyWithin stores values (copies), so the model copies each element instead of aliasing
          const r = (m as unknown[]).slice().copyWithin(o.target, o.start, o.end).map(clone);
          m.splice(0, len, ...r);
          d.copyWithin(o.target, o.start, o.end);
          break;
        }
      }
    }
  }
  // read-your-writes: the container reads back as the model, in order. Optional, because reading
  // hands out child proxies, and the paths without them must be exercised too.
  if (readBack) expect(describeDeep(toPlain(d))).toEqual(describeDeep(m));
  return true;
}

function startsWith(path: readonly Seg[], prefix: readonly Seg[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => s === '*' || s === path[i]);
}

/** Paths of every object-valued subtree of a plain value. */
function subtreePaths(node: unknown, path: Seg[] = [], out: Seg[][] = []): Seg[][] {
  for (const c of containers(node, path)) out.push(c.path);
  return out;
}

/** PROP_RUNS=5000 (say) searches harder than the default run. */
const RUNS = { numRuns: Number(process.env.PROP_RUNS ?? 150) };

describe('property: transactions behave like operations on a plain deep copy', () => {
  it('random operation sequences over several transactions match the model; bases never change; untouched subtrees are shared', () => {
    fc.assert(
      fc.property(initialDomain, fc.array(fc.record({ ops: fc.array(op, { maxLength: 25 }), commit: fc.boolean(), readBack: fc.boolean() }), { minLength: 1, maxLength: 3 }), (domain, txs) => {
        let state = State.create({ domain });
        let model = toPlain(state.domain) as Record<string, unknown>;
        const history: [State, unknown][] = [[state, describeDeep(toPlain(state.domain))]];
        for (const { ops, commit, readBack } of txs) {
          const tx = state.transaction();
          const next = structuredClone(model);
          const fp: Footprint = { inside: [], written: [] };
          for (const o of ops) applyOp(o, next, tx.domain, fp, readBack);
          if (!commit) {
            tx.rollback();
            continue;
          }
          const after = tx.commit();
          expect(after.version).toBe(state.version + 1);
          expect(describeDeep(toPlain(after.domain))).toEqual(describeDeep(next));
          // structural sharing: a subtree nobody wrote into or over is the same object in both versions
          for (const q of subtreePaths(toPlain(state.domain))) {
            if (fp.inside.some((p) => startsWith(p, q))) continue;
            if (fp.written.some((w) => startsWith(q, w))) continue;
            expect(nav(after.domain, q)).toBe(nav(state.domain, q));
          }
          state = after;
          model = next;
          history.push([state, describeDeep(toPlain(state.domain))]);
        }
        // every version ever produced still reads exactly as it did when it was made
        for (const [s, snapshot] of history) expect(describeDeep(toPlain(s.domain))).toEqual(snapshot);
      }),
      RUNS,
    );
  });

  it('delta() replayed on the base reproduces the committed state', () => {
    fc.assert(
      fc.property(initialDomain, fc.array(op, { maxLength: 25 }), fc.boolean(), (domain, ops, readBack) => {
        const base = State.create({ domain, global: { untouched: true } });
        const tx: Transaction = base.transaction();
        const model = toPlain(base.domain) as Record<string, unknown>;
        const fp: Footprint = { inside: [], written: [] };
        for (const o of ops) applyOp(o, model, tx.domain, fp, readBack);
        const delta = tx.delta();
        const committed = tx.commit();
        const replayed = applyDelta(toPlain(base.data) as Record<string, unknown>, delta);
        // JSON-Patch-like ops carry no key order: compare content, not insertion order
        expect(replayed).toEqual(toPlain(committed.data));
        expect(replayed).toEqual({ ...(toPlain(base.data) as object), domain: model });
      }),
      RUNS,
    );
  });
});
