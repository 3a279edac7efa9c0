import type { Draft } from '../draft.js';
import { harden, inheritedMember } from '../safe-members.js';
import { datePrimitive } from '../seal.js';
import { draftOfThis, hostile } from './shared.js';

/**
 * Date drafts. Getters read the current time; setters run on a scratch copy first, so a setter
 * that lands on the same time is a no-op (no copy, no delta).
 */

type DateMethod = (this: Date, ...a: unknown[]) => unknown;
const D = Date.prototype as unknown as Record<PropertyKey, unknown>;

const METHODS = new Map<PropertyKey, unknown>();

for (const key of Reflect.ownKeys(D)) {
  if (key === 'constructor') continue;
  const native = Reflect.getOwnPropertyDescriptor(D, key)?.value as unknown;
  if (typeof native !== 'function') continue;
  const name = typeof key === 'symbol' ? 'toPrimitive' : key;
  const fn = native as DateMethod;
  if (key === Symbol.toPrimitive) {
    METHODS.set(
      key,
      harden({
        [name](this: unknown, hint: unknown): unknown {
          const d = draftOfThis(this);
          if (d === undefined) return Reflect.apply(fn, this, [hint]);
          d.ensureLive();
          if (d.scope.trackReads) d.wholeRead = true;
          return datePrimitive(d.current as Date, hint);
        },
      }[name]!),
    );
  } else if (name.startsWith('set')) {
    METHODS.set(
      key,
      harden({
        [name](this: unknown, ...args: unknown[]): unknown {
          const d = draftOfThis(this);
          if (d === undefined) return Reflect.apply(fn, this, args);
          d.ensureLive();
          d.checkWrite(undefined, 'update');
          const cur = d.current as Date;
          const scratch = new Date(cur.getTime());
          const out = fn.apply(scratch, args);
          if (Object.is(scratch.getTime(), cur.getTime())) return out;
          d.markChanged();
          (d.copy as Date).setTime(scratch.getTime());
          return out;
        },
      }[name]!),
    );
  } else {
    METHODS.set(
      key,
      harden({
        [name](this: unknown, ...args: unknown[]): unknown {
          const d = draftOfThis(this);
          if (d === undefined) return Reflect.apply(fn, this, args);
          d.ensureLive();
          if (d.scope.trackReads) d.wholeRead = true;
          return fn.apply(d.current as Date, args);
        },
      }[name]!),
    );
  }
}

export function dateGet(d: Draft, key: PropertyKey, receiver: unknown): unknown {
  if (key === '__proto__' || key === 'prototype') throw hostile(key, d.path());
  const m = METHODS.get(key);
  return m !== undefined ? m : inheritedMember(Date.prototype, key, receiver);
}
