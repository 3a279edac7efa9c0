import type { Draft } from '../draft.js';
import { Kind } from '../kinds.js';
import { inheritedMember } from '../safe-members.js';
import { datePrimitive } from '../seal.js';
import { draftMethod, hostile } from './shared.js';

/**
 * Date drafts. Getters read the current time; setters run on a scratch copy first, so a setter
 * that lands on the same time is a no-op (no copy, no delta).
 */

type DateMethod = (this: Date, ...a: unknown[]) => unknown;
const D = Date.prototype as unknown as Record<PropertyKey, unknown>;

/** Every `set…` method: the native setter on a scratch Date, then one write of the resulting time. */
function setter(native: DateMethod): (d: Draft, self: unknown, args: unknown[]) => unknown {
  return (d, _self, args) => {
    d.ensureLive();
    d.checkWrite(undefined, 'update');
    const cur = d.current as Date;
    const scratch = new Date(cur.getTime());
    const out = native.apply(scratch, args);
    if (Object.is(scratch.getTime(), cur.getTime())) return out;
    d.markChanged();
    (d.copy as Date).setTime(scratch.getTime());
    return out;
  };
}

/** Every other method reads: it runs on the current Date and makes the transaction depend on it. */
function reader(native: DateMethod): (d: Draft, self: unknown, args: unknown[]) => unknown {
  return (d, _self, args) => {
    d.ensureLive();
    if (d.scope.trackReads) d.noteWhole();
    return native.apply(d.current as Date, args);
  };
}

function toPrimitive(d: Draft, _self: unknown, [hint]: unknown[]): unknown {
  d.ensureLive();
  if (d.scope.trackReads) d.noteWhole();
  return datePrimitive(d.current as Date, hint);
}

const METHODS = new Map<PropertyKey, unknown>();
for (const key of Reflect.ownKeys(D)) {
  if (key === 'constructor') continue;
  const native = Reflect.getOwnPropertyDescriptor(D, key)?.value as unknown;
  if (typeof native !== 'function') continue;
  const fn = native as DateMethod;
  const name = typeof key === 'symbol' ? 'toPrimitive' : key;
  const body = key === Symbol.toPrimitive ? toPrimitive : name.startsWith('set') ? setter(fn) : reader(fn);
  METHODS.set(key, draftMethod(name, fn, Kind.Date, body));
}

export function dateGet(d: Draft, key: PropertyKey, receiver: unknown): unknown {
  if (key === '__proto__' || key === 'prototype') throw hostile(key, d.path());
  const m = METHODS.get(key);
  return m !== undefined ? m : inheritedMember(Date.prototype, key, receiver);
}
