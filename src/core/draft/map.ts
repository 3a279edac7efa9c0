import type { Draft } from '../draft.js';
import { harden, inheritedMember } from '../safe-members.js';
import { sealValue } from '../seal.js';
import { draftOfThis, hostile } from './shared.js';

/**
 * Map drafts. Values read through a Map draft are drafts (copy on first write, like object
 * properties); keys are committed values. Methods are shared, frozen functions that find their
 * draft through `this`; called on anything else they are the native methods.
 */

type AnyMap = Map<unknown, unknown>;
const M = Map.prototype;

function* entries(d: Draft): IterableIterator<[unknown, unknown]> {
  d.ensureLive();
  if (d.scope.trackReads) d.noteStructure();
  for (const [k, v] of d.current as AnyMap) {
    d.ensureLive();
    if (!d.readableQuietly(k)) continue;
    yield [k, d.childFor(k, v)];
  }
}

function* project<T>(it: Iterable<[unknown, unknown]>, i: 0 | 1): IterableIterator<T> {
  for (const e of it) yield e[i] as T;
}

function method<A extends unknown[]>(name: string, body: (d: Draft, self: unknown, ...args: A) => unknown): unknown {
  const native = (M as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
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
  ['get', method('get', (d, _self, k: unknown) => {
    d.ensureLive();
    if (!d.canRead(k)) return undefined;
    return d.childFor(k, (d.current as AnyMap).get(k));
  })],
  ['has', method('has', (d, _self, k: unknown) => {
    d.ensureLive();
    if (!d.canRead(k)) return false;
    if (d.scope.trackReads) d.notePresence(k);
    return (d.current as AnyMap).has(k);
  })],
  ['set', method('set', (d, self, k: unknown, v: unknown) => {
    d.ensureLive();
    const m = d.current as AnyMap;
    const had = m.has(k);
    d.checkWrite(k, had ? 'update' : 'add');
    const value = d.incoming(k, v);
    // Setting the value a key already holds changes nothing: no copy, no delta.
    if (had && Object.is(m.get(k), value)) return self;
    const storedKey = typeof k === 'object' && k !== null ? sealValue(k, d.path()) : k;
    d.markChanged();
    d.children?.delete(storedKey);
    (d.copy as AnyMap).set(storedKey, value);
    return self;
  })],
  ['delete', method('delete', (d, _self, k: unknown) => {
    d.ensureLive();
    if (!(d.current as AnyMap).has(k)) return false;
    d.checkWrite(k, 'delete');
    d.markChanged();
    d.children?.delete(k);
    return (d.copy as AnyMap).delete(k);
  })],
  ['clear', method('clear', (d) => {
    d.ensureLive();
    d.checkWrite(undefined, 'delete');
    if ((d.current as AnyMap).size === 0) return undefined;
    d.markChanged();
    d.children = null;
    (d.copy as AnyMap).clear();
    return undefined;
  })],
  ['forEach', method('forEach', (d, self, fn: (v: unknown, k: unknown, m: unknown) => void, thisArg?: unknown) => {
    if (typeof fn !== 'function') throw new TypeError(`${String(fn)} is not a function`);
    for (const [k, v] of entries(d)) fn.call(thisArg, v, k, self);
  })],
  ['keys', method('keys', (d) => project(entries(d), 0))],
  ['values', method('values', (d) => project(entries(d), 1))],
  ['entries', method('entries', (d) => entries(d))],
  [Symbol.iterator, method('entries', (d) => entries(d))],
]);

export function mapGet(d: Draft, key: PropertyKey, receiver: unknown): unknown {
  switch (key) {
    case 'size':
      d.ensureLive();
      if (d.scope.trackReads) d.noteStructure();
      return (d.current as AnyMap).size;
    case Symbol.toStringTag:
      return 'Map';
    case 'toJSON':
      return undefined;
    case '__proto__':
    case 'prototype':
      throw hostile(key, d.path());
    default: {
      const m = METHODS.get(key);
      return m !== undefined ? m : inheritedMember(M, key, receiver);
    }
  }
}
