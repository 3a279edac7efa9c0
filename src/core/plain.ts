import { TheusError } from '../errors.js';
import { Kind } from './kinds.js';
import { committedKind } from './seal.js';

/**
 * A plain, unproxied, mutable deep copy of committed data, a draft or a view: what `toJSON()` and
 * `toDict()` return. Maps become Maps, Sets Sets, Dates Dates, class instances keep their
 * prototype; everything else is plain objects and arrays.
 */
export function toPlain<T>(value: T): T {
  return copy(value, new Map(), 0) as T;
}

function copy(value: unknown, seen: Map<unknown, unknown>, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (depth > 10_000) throw new TheusError('UNSUPPORTED_VALUE', 'Value too deeply nested to copy.');
  switch (committedKind(value)) {
    case Kind.Array: {
      const src = value as unknown[];
      const out: unknown[] = [];
      seen.set(value, out);
      for (let i = 0; i < src.length; i++) out.push(copy(src[i], seen, depth + 1));
      return out;
    }
    case Kind.Map: {
      const out = new Map();
      seen.set(value, out);
      for (const [k, v] of value as Map<unknown, unknown>) out.set(copy(k, seen, depth + 1), copy(v, seen, depth + 1));
      return out;
    }
    case Kind.Set: {
      const out = new Set();
      seen.set(value, out);
      for (const v of value as Set<unknown>) out.add(copy(v, seen, depth + 1));
      return out;
    }
    case Kind.Date:
      return new Date((value as Date).getTime());
    case Kind.Opaque:
      return value;
    case Kind.Instance: {
      const out = Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>;
      seen.set(value, out);
      for (const k of Object.keys(value)) out[k] = copy((value as Record<string, unknown>)[k], seen, depth + 1);
      return out;
    }
    default: {
      const out: Record<string, unknown> = Object.getPrototypeOf(value) === null ? Object.create(null) : {};
      seen.set(value, out);
      for (const k of Object.keys(value)) out[k] = copy((value as Record<string, unknown>)[k], seen, depth + 1);
      return out;
    }
  }
}
