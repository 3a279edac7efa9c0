import { Kind } from './kinds.js';
import { conflictKey, PRESENCE, SEP, STRUCTURE, type Segment } from './path.js';
import { DRAFTS } from './registry.js';
import type { Draft } from './draft.js';
import type { WideBuilder, WideRecord } from './wide.js';

/** One change, JSON-Patch-like: paths are arrays, values are committed (frozen) data. */
export interface DeltaOp {
  readonly op: 'add' | 'replace' | 'remove';
  readonly path: readonly Segment[];
  readonly value?: unknown;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Lists what a draft tree changed, by comparing each copied node with its base. Only copied nodes
 * are visited, so the cost follows the size of the change, not of the state. `writes` collects
 * conflict keys: paths inside arrays, Sets and Dates are reported at the container, because their
 * positions are not stable identities; adding or removing a key also marks the parent's key set.
 */
export function diffDraft(node: Draft, path: Segment[], ops: DeltaOp[], writes: Set<string>, arrayDepth = -1, final = false): void {
  if (node.copy === null) return;
  const inArray = arrayDepth >= 0;
  const record = (op: DeltaOp['op'], at: Segment[], value?: unknown) => {
    ops.push(op === 'remove' ? { op, path: at } : { op, path: at, value });
    if (inArray) writes.add(conflictKey(path.slice(0, arrayDepth)));
    else {
      writes.add(conflictKey(at));
      if (op !== 'replace') writes.add(conflictKey(path) + SEP + STRUCTURE);
    }
  };
  const visit = (key: Segment, value: unknown, base: unknown, had: boolean) => {
    const child = childDraft(node, key, value);
    const at = [...path, key];
    if (child) {
      if (had && Object.is(child.committed, base)) diffDraft(child, at, ops, writes, arrayDepth, final);
      else record(had ? 'replace' : 'add', at, child.build(final));
      return;
    }
    if (!had) record('add', at, value);
    else if (!Object.is(value, base)) record('replace', at, value);
  };

  switch (node.kind) {
    case Kind.Array: {
      const base = node.base as unknown[];
      const copy = node.copy as unknown[];
      const depth = inArray ? arrayDepth : path.length;
      const arrRecord = (op: DeltaOp['op'], at: Segment[], value?: unknown) => {
        ops.push(op === 'remove' ? { op, path: at } : { op, path: at, value });
        writes.add(conflictKey(path.slice(0, depth)));
      };
      const common = Math.min(base.length, copy.length);
      const visitAt = (i: number) => {
        const v = copy[i];
        const d = typeof v === 'object' && v !== null ? (DRAFTS.get(v) as Draft | undefined) : undefined;
        if (d) {
          if (d.committed === base[i]) diffDraft(d, [...path, i], ops, writes, depth, final);
          else arrRecord('replace', [...path, i], d.build(final));
        } else if (!Object.is(v, base[i])) arrRecord('replace', [...path, i], v);
      };
      // Only the dirty range can differ slot by slot; drafts elsewhere may have changed inside.
      const lo = Math.max(0, node.dirtyLo);
      const hi = Math.min(common, node.dirtyHi);
      for (let i = lo; i < hi; i++) visitAt(i);
      if (node.arrayKids) {
        for (const kid of node.arrayKids) {
          const i = Number(kid.key);
          if (kid.copy !== null && (i < lo || i >= hi) && i < common && copy[i] === kid.proxy) visitAt(i);
        }
      }
      for (let i = common; i < copy.length; i++) {
        const v = copy[i];
        const d = typeof v === 'object' && v !== null ? (DRAFTS.get(v) as Draft | undefined) : undefined;
        arrRecord('add', [...path, i], d ? d.build(final) : v);
      }
      for (let i = base.length - 1; i >= copy.length; i--) arrRecord('remove', [...path, i]);
      return;
    }
    case Kind.Plain:
    case Kind.Instance: {
      const base = node.base as Record<string, unknown>;
      const copy = node.copy as Record<string, unknown>;
      // Every change goes through a trap that notes its key, so only those keys can differ.
      const diffKey = (k: string) => {
        if (hasOwn.call(copy, k)) visit(k, copy[k], base[k], hasOwn.call(base, k));
        else if (hasOwn.call(base, k)) record('remove', [...path, k]);
      };
      for (const k of node.touchedKeys()) diffKey(k);
      for (const child of node.childDrafts()) if (!node.isTouched(child.key as string)) diffKey(child.key as string);
      return;
    }
    case Kind.Wide: {
      const base = node.base as WideRecord;
      const copy = node.copy as WideBuilder;
      const diffKey = (k: string) => {
        const now = copy.leaf(k);
        const before = base.leaf(k);
        if (now) visit(k, now.v, before?.v, before !== undefined);
        else if (before) record('remove', [...path, k]);
      };
      for (const k of node.touchedKeys()) diffKey(k);
      for (const child of node.childDrafts()) if (!node.isTouched(child.key as string)) diffKey(child.key as string);
      return;
    }
    case Kind.Map: {
      const base = node.base as Map<unknown, unknown>;
      const copy = node.copy as Map<unknown, unknown>;
      for (const [k, v] of copy) {
        const seg = typeof k === 'string' || typeof k === 'number' ? k : undefined;
        if (seg === undefined) {
          if (!base.has(k) || !Object.is(base.get(k), v) || node.childAt(k) !== undefined) return replaceWhole(node, path, ops, writes, arrayDepth, final);
          continue;
        }
        visitMap(node, seg, k, v, base, path, ops, writes, record, arrayDepth, final);
      }
      for (const k of base.keys()) {
        if (copy.has(k)) continue;
        if (typeof k !== 'string' && typeof k !== 'number') return replaceWhole(node, path, ops, writes, arrayDepth, final);
        record('remove', [...path, k]);
      }
      return;
    }
    default:
      // Sets and Dates have no addressable parts: the whole value is replaced.
      replaceWhole(node, path, ops, writes, arrayDepth, final);
  }
}

function visitMap(
  node: Draft,
  seg: Segment,
  k: unknown,
  v: unknown,
  base: Map<unknown, unknown>,
  path: Segment[],
  ops: DeltaOp[],
  writes: Set<string>,
  record: (op: DeltaOp['op'], at: Segment[], value?: unknown) => void,
  arrayDepth: number,
  final: boolean,
): void {
  const child = node.childAt(k);
  if (child) {
    if (base.has(k) && Object.is(base.get(k), child.committed)) diffDraft(child, [...path, seg], ops, writes, arrayDepth, final);
    else record(base.has(k) ? 'replace' : 'add', [...path, seg], child.build(final));
    return;
  }
  if (!base.has(k)) record('add', [...path, seg], v);
  else if (!Object.is(base.get(k), v)) record('replace', [...path, seg], v);
}

function replaceWhole(node: Draft, path: Segment[], ops: DeltaOp[], writes: Set<string>, arrayDepth: number, final: boolean): void {
  ops.push({ op: 'replace', path: [...path], value: node.build(final) });
  writes.add(conflictKey(arrayDepth >= 0 ? path.slice(0, arrayDepth) : path));
}

function childDraft(node: Draft, key: Segment, value: unknown): Draft | undefined {
  const fromMap = node.childAt(key);
  if (fromMap) return fromMap;
  if (typeof value === 'object' && value !== null) return DRAFTS.get(value) as Draft | undefined;
  return undefined;
}

/** Conflict keys for everything the transaction's drafts read. */
export function readKeys(drafts: readonly Draft[], out: Set<string>): void {
  for (const d of drafts) {
    const t = d.track;
    if (t === null || (!t.reads && !t.presence && !t.structureRead && !t.wholeRead)) continue;
    const { path, truncated } = conflictPathOf(d);
    const base = conflictKey(path);
    if (truncated || t.wholeRead) {
      out.add(base);
      continue;
    }
    if (t.structureRead) out.add(base + SEP + STRUCTURE);
    if (t.reads) for (const k of t.reads) out.add(keyOf(base, k));
    if (t.presence) for (const k of t.presence) out.add(keyOf(base, k) + SEP + PRESENCE);
  }
}

function keyOf(base: string, k: unknown): string {
  const seg = typeof k === 'string' || typeof k === 'number' ? String(k) : '<object-key>';
  return base === '' ? seg : base + SEP + seg;
}

/**
 * A draft's path, cut after the outermost array (positions inside arrays are not identities).
 * Walks the parent chain in place rather than listing it: this runs for every draft read.
 */
function conflictPathOf(d: Draft): { path: Segment[]; truncated: boolean } {
  const full = d.path();
  let links = 0;
  for (let x = d.parent; x; x = x.parent) links++;
  // An ancestor `links - k` steps up sits at full.slice(0, k + offset), where offset accounts for a named root.
  const offset = full.length - links;
  let cut = -1;
  for (let x = d.parent, k = links - 1; x; x = x.parent, k--) if (x.kind === Kind.Array) cut = k;
  return cut < 0 ? { path: full, truncated: false } : { path: full.slice(0, cut + offset), truncated: true };
}
