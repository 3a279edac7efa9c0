import type { Segment } from '../core/path.js';
import type { State } from '../core/state.js';
import { Transaction, type TransactionResult } from '../core/transaction.js';
import { getChild, deletePath, setPath } from './updates.js';

// What a finished transaction means for the commit: the paths it changed, the keys it depends on,
// and how to re-apply it on a newer, compatible State.

/** Dotted paths of everything a commit writes or deletes, for the schema gate. */
export function changedPaths(result: TransactionResult): string[] {
  return result.ops.map((op) => op.path.join('.'));
}

export function prefixOverlap(a: readonly Segment[], b: readonly Segment[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (String(a[i]) !== String(b[i])) return false;
  return true;
}

export function notMarker(key: string): boolean {
  const last = key.charCodeAt(key.length - 1);
  return last !== 1 && last !== 2;
}

/** What a transaction depends on: everything it read, and the paths it wrote (not key-set markers). */
export function touchedKeys(result: TransactionResult): Set<string> {
  const out = new Set(result.reads);
  for (const w of result.writes) if (notMarker(w)) out.add(w);
  return out;
}

/**
 * Re-applies a transaction's changes on a newer State whose other changes do not overlap.
 * Changes inside an array replace the whole array (array positions are not identities).
 */
export function rebase(current: State, result: TransactionResult): Readonly<Record<string, unknown>> {
  const tx = new Transaction(current);
  const root = tx.all;
  const arraysDone = new Set<string>();
  for (const op of result.ops) {
    const cut = arrayCut(result.root, op.path);
    if (cut < op.path.length) {
      const arrPath = op.path.slice(0, cut);
      const key = arrPath.join('\u0000');
      if (arraysDone.has(key)) continue;
      arraysDone.add(key);
      setPath(root, arrPath, readPath(result.root, arrPath));
    } else if (op.op === 'remove') deletePath(root, op.path);
    else setPath(root, op.path, op.value);
  }
  return tx.finish().root;
}

/** Length of the path prefix ending at the outermost array on the path (or the whole path). */
function arrayCut(root: unknown, path: readonly Segment[]): number {
  let node: unknown = root;
  for (let i = 0; i < path.length; i++) {
    if (Array.isArray(node)) return i;
    if (node === null || typeof node !== 'object') return path.length;
    node = getChild(node, path[i]!);
  }
  return path.length;
}

export function readPath(root: unknown, path: readonly Segment[]): unknown {
  let node: unknown = root;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = getChild(node, seg);
  }
  return node;
}
