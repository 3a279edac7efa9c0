import type { Segment } from '../core/path.js';
import type { TransactionResult } from '../core/transaction.js';
import { getChild } from './updates.js';

// What a finished transaction means for the commit: the paths it changed and the keys it depends
// on. (Re-applying it on a newer State is `applyOps` in updates.ts: with no conflict, every
// container it touched, arrays included, is unchanged since its snapshot, so its ops replay as they are.)

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

export function readPath(root: unknown, path: readonly Segment[]): unknown {
  let node: unknown = root;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = getChild(node, seg);
  }
  return node;
}
