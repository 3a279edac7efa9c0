import type { DeltaOp } from '../core/delta.js';
import type { Segment } from '../core/path.js';

// The schema gate speaks dotted paths. A key that a dotted path cannot spell (one containing a
// dot or a bracket, or empty) would be split into other keys and its record skipped; such a change
// is handed over as its nearest spellable ancestor, so the gate validates everything below it.

function spellable(seg: Segment): boolean {
  return typeof seg === 'number' || (seg.length > 0 && !/[.[\]]/.test(seg));
}

/** Dotted paths of what the ops change, for the schema gate, never splitting a key. */
export function schemaPaths(ops: readonly DeltaOp[]): string[] {
  const out: string[] = [];
  for (const op of ops) {
    const path = op.path;
    let n = 0;
    while (n < path.length && spellable(path[n]!)) n++;
    if (n > 0) out.push(path.slice(0, n).join('.'));
  }
  return out;
}
