import { TheusError } from '../errors.js';
import { Kind, kindOfRaw } from '../core/kinds.js';
import { formatPath, parseDottedPath, type Segment } from '../core/path.js';
import type { DeltaOp } from '../core/delta.js';
import type { State } from '../core/state.js';
import { Transaction } from '../core/transaction.js';

/**
 * Writing update payloads (`compareAndSwap`, `StateUpdate`, output mapping) through a
 * transaction's proxies, so they take the same copy-on-write, delta and guard path as a process's
 * own writes. Payload keys are dotted paths or nested objects; nested plain objects merge into
 * existing objects, any other value replaces.
 */

export type Entry = readonly [path: Segment[], value: unknown];

/** `{ 'domain.a': 1, domain: { b: 2 } }` under `prefix` → `[['domain','a'], 1], [['domain'], {b: 2}]`. */
export function entriesOf(section: unknown, prefix: readonly Segment[], where: string): Entry[] {
  if (section === undefined) return [];
  if (kindOfRaw(section) !== Kind.Plain) throw new TheusError('INVALID_ARGUMENT', `${where} must be an object of path → value.`);
  const out: Entry[] = [];
  for (const key of Object.keys(section as object)) {
    out.push([[...prefix, ...parseDottedPath(key)], (section as Record<string, unknown>)[key]]);
  }
  return out;
}

/** The leaf paths a merge of `value` at `path` writes (what contracts and audits must cover). */
export function leafPaths(path: Segment[], value: unknown, out: Segment[][] = []): Segment[][] {
  if (kindOfRaw(value) === Kind.Plain && Object.keys(value as object).length > 0) {
    for (const k of Object.keys(value as object)) leafPaths([...path, k], (value as Record<string, unknown>)[k], out);
  } else out.push(path);
  return out;
}

function isMapLike(node: unknown): node is Map<unknown, unknown> {
  return node instanceof Map;
}

export function getChild(node: any, seg: Segment): unknown {
  return isMapLike(node) ? node.get(seg) : node[seg];
}

function setChild(node: any, seg: Segment, value: unknown): void {
  if (isMapLike(node)) node.set(seg, value);
  else node[seg] = value;
}

export function deleteChild(node: any, seg: Segment): void {
  if (isMapLike(node)) node.delete(seg);
  else delete node[seg];
}

/** Walks to the parent of `path`, creating plain objects where nothing is. */
function parentOf(root: any, path: readonly Segment[], create: boolean): any {
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i]!;
    let next = getChild(node, seg);
    if (next === undefined || next === null) {
      if (!create) return undefined;
      setChild(node, seg, {});
      next = getChild(node, seg);
    } else if (typeof next !== 'object') {
      throw new TheusError('INVALID_ARGUMENT', `Cannot write below ${formatPath(path.slice(0, i + 1))}: it holds a ${typeof next}, not an object.`, { path: formatPath(path) });
    }
    node = next;
  }
  return node;
}

export function setPath(root: any, path: readonly Segment[], value: unknown): void {
  if (path.length === 0) throw new TheusError('INVALID_ARGUMENT', 'An update needs a path.');
  setChild(parentOf(root, path, true), path[path.length - 1]!, value);
}

export function deletePath(root: any, path: readonly Segment[]): void {
  const parent = parentOf(root, path, false);
  if (parent !== undefined) deleteChild(parent, path[path.length - 1]!);
}

/** Writes `value` at `path`, merging plain objects into existing plain objects key by key. */
export function mergePath(root: any, path: readonly Segment[], value: unknown): void {
  if (kindOfRaw(value) === Kind.Plain) {
    const parent = parentOf(root, path, true);
    const last = path[path.length - 1]!;
    const existing = getChild(parent, last);
    if (kindOfRaw(existing) === Kind.Plain) {
      for (const k of Object.keys(value as object)) mergePath(root, [...path, k], (value as Record<string, unknown>)[k]);
      return;
    }
  }
  setPath(root, path, value);
}

/** Replays delta ops on a State (array ops as splices), returning the new root. */
export function applyOps(state: State, ops: readonly DeltaOp[]): Readonly<Record<string, unknown>> {
  const tx = new Transaction(state);
  const root = tx.all;
  for (const op of ops) {
    const parent = parentOf(root, op.path, op.op !== 'remove');
    if (parent === undefined) continue;
    const last = op.path[op.path.length - 1]!;
    if (Array.isArray(parent) && typeof last === 'number') {
      if (op.op === 'add') parent.splice(last, 0, op.value);
      else if (op.op === 'remove') parent.splice(last, 1);
      else parent[last] = op.value;
    } else if (op.op === 'remove') deleteChild(parent, last);
    else setChild(parent, last, op.value);
  }
  return tx.finish().root;
}
