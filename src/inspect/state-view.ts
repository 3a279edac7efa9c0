/**
 * Reading state for the page: replaying deltas onto a snapshot (through a core transaction, so the
 * cost follows the change and untouched subtrees stay shared), reading a path, a structural diff
 * that skips shared subtrees, and a bounded search.
 */
import type { ChannelOp } from '../engine/channels.js';
import { State } from '../core/state.js';
import type { Segment } from '../core/path.js';

/** A delta op as the engine's channels carry it. */
export type Op = ChannelOp;

/** The state after `ops`, and how many ops could not be replayed (state seen only in part). */
export function applyDelta(base: State, ops: readonly Op[]): { state: State; skipped: number } {
  if (ops.length === 0) return { state: base, skipped: 0 };
  const tx = base.transaction();
  let skipped = 0;
  for (const op of ops) {
    try {
      applyOne(tx.all as Record<string, unknown>, op);
    } catch {
      skipped++;
    }
  }
  return { state: tx.commit(), skipped };
}

function applyOne(root: Record<string, unknown>, op: Op): void {
  if (op.path.length === 0) return;
  let node: unknown = root;
  for (let i = 0; i < op.path.length - 1; i++) {
    const seg = op.path[i]!;
    let next = childOf(node, seg);
    if (next === undefined || next === null || typeof next !== 'object') {
      if (op.op === 'remove') return;
      setChild(node, seg, {}); // a parent created before the inspector attached
      next = childOf(node, seg);
    }
    node = next;
  }
  const last = op.path[op.path.length - 1]!;
  if (Array.isArray(node) && typeof last === 'number') {
    if (op.op === 'add') node.splice(last, 0, op.value);
    else if (op.op === 'remove') node.splice(last, 1);
    else node[last] = op.value;
  } else if (node instanceof Map) {
    if (op.op === 'remove') node.delete(last);
    else node.set(last, op.value);
  } else if (op.op === 'remove') delete (node as Record<string, unknown>)[last as string];
  else setChild(node, last, op.value);
}

function childOf(node: unknown, seg: Segment): unknown {
  if (node instanceof Map) return node.get(seg);
  if (node === null || typeof node !== 'object') return undefined;
  return Object.hasOwn(node, seg) ? (node as Record<string | number, unknown>)[seg] : undefined;
}

function setChild(node: unknown, seg: Segment, value: unknown): void {
  if (node instanceof Map) node.set(seg, value);
  else (node as Record<string | number, unknown>)[seg] = value;
}

/** Splits `domain.items.0.name` (or `domain.items[0]`) into segments; array indexes are numbers. */
export function splitPath(path: string): Segment[] {
  if (path === '') return [];
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((s) => s !== '')
    .map((s) => (/^(0|[1-9]\d{0,8})$/.test(s) ? Number(s) : s));
}

export function joinPath(path: readonly Segment[]): string {
  return path.map(String).join('.');
}

/** Value at a path; `found: false` when some segment is missing. Never reaches prototypes. */
export function readAt(root: unknown, path: readonly Segment[]): { found: boolean; value: unknown } {
  let node = root;
  for (const seg of path) {
    if (node instanceof Map) {
      const key = node.has(seg) ? seg : node.has(String(seg)) ? String(seg) : undefined;
      if (key === undefined) return { found: false, value: undefined };
      node = node.get(key);
    } else if (node !== null && typeof node === 'object' && Object.hasOwn(node, seg)) {
      node = (node as Record<string | number, unknown>)[seg];
    } else return { found: false, value: undefined };
  }
  return { found: true, value: node };
}

/** True when one path is a prefix of the other (a change at one affects the value at the other). */
export function related(a: readonly Segment[], b: readonly Segment[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (String(a[i]) !== String(b[i])) return false;
  return true;
}

export interface DiffEntry {
  path: Segment[];
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

/** Structural differences, identical references skipped (so shared subtrees cost nothing). */
export function diffStates(a: unknown, b: unknown, limit = 500): { entries: DiffEntry[]; truncated: boolean } {
  const entries: DiffEntry[] = [];
  let budget = 200_000; // nodes visited at most
  const visit = (x: unknown, y: unknown, path: Segment[]): void => {
    if (entries.length >= limit || budget-- <= 0 || Object.is(x, y)) return;
    const bothPlain = isRecord(x) && isRecord(y) && Array.isArray(x) === Array.isArray(y);
    if (!bothPlain) {
      entries.push({ path, kind: 'changed', before: x, after: y });
      return;
    }
    const xo = x as Record<string, unknown>;
    const yo = y as Record<string, unknown>;
    for (const k in xo) {
      if (!Object.hasOwn(xo, k)) continue;
      const seg: Segment = Array.isArray(xo) ? Number(k) : k;
      if (!Object.hasOwn(yo, k)) entries.push({ path: [...path, seg], kind: 'removed', before: xo[k] });
      else visit(xo[k], yo[k], [...path, seg]);
      if (entries.length >= limit || budget <= 0) return;
    }
    for (const k in yo) {
      if (!Object.hasOwn(yo, k) || Object.hasOwn(xo, k)) continue;
      entries.push({ path: [...path, Array.isArray(yo) ? Number(k) : k], kind: 'added', after: yo[k] });
      if (entries.length >= limit) return;
    }
  };
  visit(a, b, []);
  return { entries, truncated: entries.length >= limit || budget <= 0 };
}

function isRecord(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (v instanceof Map || v instanceof Set || v instanceof Date || ArrayBuffer.isView(v)) return false;
  return true;
}

export interface SearchHit {
  path: string;
  match: 'key' | 'value';
  value: unknown;
}

/** Paths whose key or primitive value contains `query` (case-insensitive), breadth first, bounded. */
export function searchState(root: unknown, query: string, limit = 100, maxNodes = 50_000): { hits: SearchHit[]; truncated: boolean } {
  const q = query.toLowerCase();
  const hits: SearchHit[] = [];
  // Paths are kept as parent links: copying a path per node would cost depth² on deep data.
  interface Item {
    node: unknown;
    key: Segment | undefined;
    parent: Item | undefined;
  }
  const pathOf = (it: Item | undefined, last: Segment): string => {
    const segs: Segment[] = [last];
    for (let p = it; p && p.key !== undefined; p = p.parent) segs.push(p.key);
    return joinPath(segs.reverse());
  };
  const queue: Item[] = [{ node: root, key: undefined, parent: undefined }];
  let visited = 0;
  for (let head = 0; head < queue.length && hits.length < limit; head++) {
    const item = queue[head]!;
    const node = item.node;
    if (node === null || typeof node !== 'object') continue;
    const entries: Iterable<[Segment, unknown]> =
      node instanceof Map ? ([...node].filter(([k]) => typeof k === 'string' || typeof k === 'number') as [Segment, unknown][]) : ownEntries(node, maxNodes);
    for (const [k, v] of entries) {
      if (++visited > maxNodes) return { hits, truncated: true };
      if (String(k).toLowerCase().includes(q)) hits.push({ path: pathOf(item, k), match: 'key', value: v });
      else if ((typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && String(v).toLowerCase().includes(q)) hits.push({ path: pathOf(item, k), match: 'value', value: v });
      if (hits.length >= limit) break;
      if (v !== null && typeof v === 'object') queue.push({ node: v, key: k, parent: item });
    }
  }
  return { hits, truncated: hits.length >= limit };
}

function* ownEntries(node: object, cap: number): Generator<[Segment, unknown]> {
  let n = 0;
  const isArr = Array.isArray(node);
  for (const k in node) {
    if (!Object.hasOwn(node, k)) continue;
    if (++n > cap) return;
    yield [isArr ? Number(k) : k, (node as Record<string, unknown>)[k]];
  }
}

export { State };
