import type { Draft } from '../draft.js';
import { Kind } from '../kinds.js';
import { collectionGet, readAll, removeEntry, sharedMethods } from './collection.js';
import { draftMethod, draftOfValue } from './shared.js';

/**
 * Set drafts. Members read by iteration are drafts, as Map values are: mutating a member object
 * copies it and the Set, and the commit puts the new member in the old one's place (same order).
 * A member draft can be passed back to `has` / `delete`: it stands for the member it was read from.
 * Iteration, `forEach`, `size` and `clear()` are shared with Map drafts (collection.ts).
 */

type AnySet = Set<unknown>;
const S = Set.prototype as unknown as Record<PropertyKey, (...a: any[]) => unknown>;

/** The stored member a value stands for (a member draft of this Set stands for its committed member). */
function memberOf(d: Draft, v: unknown): unknown {
  const vd = draftOfValue(v);
  return vd !== undefined && vd.parent === d ? vd.committed : v;
}

const METHODS = new Map<PropertyKey, unknown>([
  ['has', draftMethod('has', S.has!, Kind.Set, (d, _self, [v]: [unknown]) => readAll(d).has(memberOf(d, v)))],
  ['add', draftMethod('add', S.add!, Kind.Set, (d, self, [v]: [unknown]) => {
    const cur = readAll(d) as AnySet;
    if (cur.has(memberOf(d, v))) return self;
    d.checkWrite(undefined, 'append');
    const value = d.incoming(cur.size, v);
    if (cur.has(value)) return self;
    d.markChanged();
    (d.copy as AnySet).add(value);
    return self;
  })],
  ['delete', draftMethod('delete', S.delete!, Kind.Set, (d, _self, [v]: [unknown]) => {
    const m = memberOf(d, v);
    if (!readAll(d).has(m)) return false;
    return removeEntry(d, m, undefined);
  })],
  ...sharedMethods(Kind.Set, S),
]);

export function setGet(d: Draft, key: PropertyKey, receiver: unknown): unknown {
  return collectionGet(d, key, receiver, METHODS, Set.prototype, 'Set');
}
