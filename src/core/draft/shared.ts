import { TheusError } from '../../errors.js';
import { Kind } from '../kinds.js';
import { formatPath, type Segment } from '../path.js';
import { DRAFTS } from '../registry.js';
import { mapKeySegment } from '../seal.js';
import { harden } from '../safe-members.js';
import { toPlain } from '../plain.js';
import type { WideRecord } from '../wide.js';
import type { Draft } from '../draft.js';

/** Helpers shared by the draft node and its per-kind trap modules. */

export type Container = Record<PropertyKey, unknown> | unknown[] | Map<unknown, unknown> | Set<unknown> | Date | WideRecord;

/** The path segment of `key` under a node of `parentKind` (Set members have no key: a placeholder). */
export function segmentOf(parentKind: Kind, key: unknown): Segment {
  if (parentKind === Kind.Array) return typeof key === 'number' ? key : toIndex(key as string);
  if (parentKind === Kind.Map || parentKind === Kind.Set) return mapKeySegment(key);
  return key as string;
}

export function toIndex(key: PropertyKey): number | string {
  const n = Number(key);
  return Number.isInteger(n) && n >= 0 && String(n) === key ? n : (key as string);
}

export function hostile(key: string, path: readonly Segment[]): TheusError {
  return new TheusError('INVALID_PATH', `The key '${key}' is refused at ${formatPath(path)}: it would reach the prototype chain.`, { path: formatPath([...path, key]) });
}

/**
 * The draft a shared method was called on. Methods handed out by drafts are shared (and frozen),
 * so they find their draft through `this`; with any other receiver they return undefined and
 * the caller falls back to the native method, which behaves (or throws) as JavaScript does.
 */
export function draftOfThis(self: unknown): Draft | undefined {
  return typeof self === 'object' && self !== null ? (DRAFTS.get(self) as Draft | undefined) : undefined;
}

/**
 * A method handed out by drafts of `kind`: one shared, hardened function per name. Called on a
 * draft of that kind it runs `body`; on anything else (a plain container, another kind of
 * draft) it is the native method, which works or throws exactly as JavaScript does.
 */
export function draftMethod<A extends unknown[]>(name: string, native: (...a: any[]) => unknown, kind: Kind, body: (d: Draft, self: unknown, args: A) => unknown): unknown {
  return harden(
    {
      [name](this: unknown, ...args: A): unknown {
        const d = draftOfThis(this);
        return d === undefined || d.kind !== kind ? Reflect.apply(native, this, args) : body(d, this, args);
      },
    }[name]!,
  );
}

export function draftOfValue(value: unknown): Draft | undefined {
  return typeof value === 'object' && value !== null ? (DRAFTS.get(value) as Draft | undefined) : undefined;
}

/** `toJSON` / `toDict` of drafts: one shared, hardened function (it finds its draft through `this`). */
export const DRAFT_TO_JSON = harden({
  toJSON(this: unknown): unknown {
    return toPlain(this);
  },
}.toJSON);
