import type { Draft } from '../draft.js';
import { Kind } from '../kinds.js';
import { inheritedMember } from '../safe-members.js';
import { draftMethod, hostile } from './shared.js';

/**
 * What Map and Set drafts have in common: iteration hands out drafts of the values (Map) or
 * members (Set), `forEach`, `size`, `clear()` and the property lookup of their methods.
 */

type Collection = Map<unknown, unknown> | Set<unknown>;

/** Reading the whole collection (its size or its content) depends on its key set. */
export function readAll(d: Draft): Collection {
  d.ensureLive();
  if (d.scope.trackReads) d.noteStructure();
  return d.current as Collection;
}

/**
 * The collection as `[key, value]` pairs, as `Map#entries` and `Set#entries` give them, with
 * values (and Set members, which are their own keys) handed out as drafts. Map keys the
 * transaction may not read are left out.
 */
export function* drafted(d: Draft): IterableIterator<[unknown, unknown]> {
  const cur = readAll(d);
  if (d.kind === Kind.Map) {
    for (const [k, v] of cur as Map<unknown, unknown>) {
      d.ensureLive();
      if (d.readableQuietly(k)) yield [k, d.childFor(k, v)];
    }
  } else {
    for (const v of cur as Set<unknown>) {
      d.ensureLive();
      const member = d.childFor(v, v);
      yield [member, member];
    }
  }
}

export function* project(d: Draft, i: 0 | 1): IterableIterator<unknown> {
  for (const e of drafted(d)) yield e[i];
}

/** The methods Map and Set drafts share, keyed by property; `native` is Map.prototype or Set.prototype. */
/**
 * Removes an entry the collection holds: the zone rule is judged on `ruleKey` (a Map's key; a Set
 * member has none), then the entry and any draft of it go.
 */
export function removeEntry(d: Draft, entry: unknown, ruleKey: unknown): boolean {
  d.checkWrite(ruleKey, 'delete');
  d.markChanged();
  d.dropChild(entry);
  return (d.copy as Collection).delete(entry);
}

export function sharedMethods(kind: Kind.Map | Kind.Set, native: Record<PropertyKey, (...a: any[]) => unknown>): [PropertyKey, unknown][] {
  return [
    ['clear', draftMethod('clear', native.clear!, kind, (d) => {
      const cur = readAll(d);
      d.checkWrite(undefined, 'delete');
      // Clearing what is empty changes nothing: no copy, no delta.
      if (cur.size === 0) return undefined;
      d.markChanged();
      d.dropChildren();
      (d.copy as Collection).clear();
      return undefined;
    })],
    ['forEach', draftMethod('forEach', native.forEach!, kind, (d, self, [fn, thisArg]: [(v: unknown, k: unknown, c: unknown) => void, unknown?]) => {
      if (typeof fn !== 'function') throw new TypeError(`${String(fn)} is not a function`);
      for (const [k, v] of drafted(d)) fn.call(thisArg, v, k, self);
    })],
    ['entries', draftMethod('entries', native.entries!, kind, (d) => drafted(d))],
    ['keys', draftMethod('keys', native.keys!, kind, (d) => project(d, 0))],
    ['values', draftMethod('values', native.values!, kind, (d) => project(d, 1))],
    // Map iterates entries, Set iterates values: the same functions as those methods.
    [Symbol.iterator, draftMethod(kind === Kind.Map ? 'entries' : 'values', native[Symbol.iterator]!, kind, (d) => (kind === Kind.Map ? drafted(d) : project(d, 1)))],
  ];
}

/** The get trap of Map and Set drafts. */
export function collectionGet(d: Draft, key: PropertyKey, receiver: unknown, methods: ReadonlyMap<PropertyKey, unknown>, proto: object, tag: string): unknown {
  switch (key) {
    case 'size':
      return readAll(d).size;
    case Symbol.toStringTag:
      return tag;
    case 'toJSON':
      return undefined;
    case '__proto__':
    case 'prototype':
      throw hostile(key, d.path());
    default: {
      const m = methods.get(key);
      return m !== undefined ? m : inheritedMember(proto, key, receiver);
    }
  }
}
