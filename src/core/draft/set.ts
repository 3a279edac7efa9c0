import type { Draft } from '../draft.js';
import { harden, inheritedMember } from '../safe-members.js';
import { draftOfThis, draftOfValue, hostile } from './shared.js';

/**
 * Set drafts. Members read by iteration are drafts, as Map values are: mutating a member object
 * copies it and the Set, and the commit puts the new member in the old one's place (same order).
 * A member draft can be passed back to `has` / `delete`: it stands for the member it was read from.
 */

type AnySet = Set<unknown>;
const S = Set.prototype;

/** The stored member a value stands for (a member draft of this Set stands for its committed member). */
function memberOf(d: Draft, v: unknown): unknown {
  const vd = draftOfValue(v);
  return vd !== undefined && vd.parent === d ? vd.committed : v;
}

function read(d: Draft): AnySet {
  d.ensureLive();
  if (d.scope.trackReads) d.wholeRead = true;
  return d.current as AnySet;
}

function* members(d: Draft): IterableIterator<unknown> {
  for (const v of read(d)) {
    d.ensureLive();
    yield d.childFor(v, v);
  }
}

function* pairs(d: Draft): IterableIterator<[unknown, unknown]> {
  for (const v of members(d)) yield [v, v];
}

function method<A extends unknown[]>(name: string, body: (d: Draft, self: unknown, ...args: A) => unknown): unknown {
  const native = (S as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
  return harden(
    {
      [name](this: unknown, ...args: A): unknown {
        const d = draftOfThis(this);
        return d === undefined ? Reflect.apply(native, this, args) : body(d, this, ...args);
      },
    }[name]!,
  );
}

const METHODS = new Map<PropertyKey, unknown>([
  ['has', method('has', (d, _self, v: unknown) => read(d).has(memberOf(d, v)))],
  ['add', method('add', (d, self, v: unknown) => {
    const cur = read(d);
    if (cur.has(memberOf(d, v))) return self;
    d.checkWrite(undefined, 'append');
    const value = d.incoming(cur.size, v);
    if (cur.has(value)) return self;
    d.markChanged();
    (d.copy as AnySet).add(value);
    return self;
  })],
  ['delete', method('delete', (d, _self, v: unknown) => {
    const m = memberOf(d, v);
    if (!read(d).has(m)) return false;
    d.checkWrite(undefined, 'delete');
    d.markChanged();
    d.children?.delete(m);
    return (d.copy as AnySet).delete(m);
  })],
  ['clear', method('clear', (d) => {
    const cur = read(d);
    d.checkWrite(undefined, 'delete');
    if (cur.size === 0) return undefined;
    d.markChanged();
    d.children = null;
    (d.copy as AnySet).clear();
    return undefined;
  })],
  ['forEach', method('forEach', (d, self, fn: (v: unknown, k: unknown, s: unknown) => void, thisArg?: unknown) => {
    if (typeof fn !== 'function') throw new TypeError(`${String(fn)} is not a function`);
    for (const v of members(d)) fn.call(thisArg, v, v, self);
  })],
  ['values', method('values', (d) => members(d))],
  ['keys', method('keys', (d) => members(d))],
  [Symbol.iterator, method('values', (d) => members(d))],
  ['entries', method('entries', (d) => pairs(d))],
]);

export function setGet(d: Draft, key: PropertyKey, receiver: unknown): unknown {
  switch (key) {
    case 'size':
      return read(d).size;
    case Symbol.toStringTag:
      return 'Set';
    case 'toJSON':
      return undefined;
    case '__proto__':
    case 'prototype':
      throw hostile(key, d.path());
    default: {
      const m = METHODS.get(key);
      return m !== undefined ? m : inheritedMember(S, key, receiver);
    }
  }
}
