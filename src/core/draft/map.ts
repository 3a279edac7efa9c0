import type { Draft } from '../draft.js';
import { Kind } from '../kinds.js';
import { sealValue } from '../seal.js';
import { collectionGet, removeEntry, sharedMethods } from './collection.js';
import { draftMethod } from './shared.js';

/**
 * Map drafts. Values read through a Map draft are drafts (copy on first write, like object
 * properties); keys are committed values. Methods are shared, frozen functions that find their
 * draft through `this`; called on anything else they are the native methods. Iteration,
 * `forEach`, `size` and `clear()` are shared with Set drafts (collection.ts).
 */

type AnyMap = Map<unknown, unknown>;
const M = Map.prototype as unknown as Record<PropertyKey, (...a: any[]) => unknown>;

const METHODS = new Map<PropertyKey, unknown>([
  ['get', draftMethod('get', M.get!, Kind.Map, (d, _self, [k]: [unknown]) => {
    d.ensureLive();
    if (!d.canRead(k)) return undefined;
    return d.childFor(k, (d.current as AnyMap).get(k));
  })],
  ['has', draftMethod('has', M.has!, Kind.Map, (d, _self, [k]: [unknown]) => {
    d.ensureLive();
    if (!d.canRead(k)) return false;
    if (d.scope.trackReads) d.notePresence(k);
    return (d.current as AnyMap).has(k);
  })],
  ['set', draftMethod('set', M.set!, Kind.Map, (d, self, [k, v]: [unknown, unknown]) => {
    d.ensureLive();
    const m = d.current as AnyMap;
    const had = m.has(k);
    d.checkWrite(k, had ? 'update' : 'add');
    const value = d.incoming(k, v);
    // Setting the value a key already holds changes nothing: no copy, no delta.
    if (had && d.keeps(k, m.get(k), value)) return self;
    const storedKey = typeof k === 'object' && k !== null ? sealValue(k, d.path()) : k;
    d.markChanged();
    d.dropChild(storedKey);
    (d.copy as AnyMap).set(storedKey, value);
    return self;
  })],
  ['delete', draftMethod('delete', M.delete!, Kind.Map, (d, _self, [k]: [unknown]) => {
    d.ensureLive();
    if (!(d.current as AnyMap).has(k)) return false;
    return removeEntry(d, k, k);
  })],
  ...sharedMethods(Kind.Map, M),
]);

export function mapGet(d: Draft, key: PropertyKey, receiver: unknown): unknown {
  return collectionGet(d, key, receiver, METHODS, Map.prototype, 'Map');
}
