import { types } from 'node:util';
import { ContextLockedError, StaleReferenceError, TheusError } from '../errors.js';
import { Kind, kindOfRaw, unsupportedReason } from './kinds.js';
import { describe, formatPath, isHostileKey, type Segment } from './path.js';
import { COMMITTED, DRAFTS, SEALED } from './registry.js';
import { WIDE_MIN_KEYS, WideRecord } from './wide.js';

/**
 * Turning values into committed data. Committed plain objects, arrays and class instances are
 * frozen (so reading them is a native property load); Maps, Sets, Dates and wide records cannot be
 * frozen meaningfully, so they are held behind read-only wrappers. A value is sealed once: sealed
 * nodes are recognised by identity and shared, never walked again.
 */

export const MAX_DEPTH = 1000;

export function isCommitted(value: unknown): boolean {
  return typeof value === 'object' && value !== null && isCommittedNode(value);
}

/**
 * True for values that can be shared into state as they are: our read-only wrappers, class
 * instances we sealed, and deeply frozen plain data (ours or the caller's). Plain nodes are not
 * registered when we freeze them — registering every node in a WeakSet made V8's GC dominate
 * large commits — but verified on first reuse (one walk) and remembered from then on.
 */
function isCommittedNode(value: object): boolean {
  if (COMMITTED.has(value) || SEALED.has(value)) return true;
  return verifyFrozen(value, 0);
}

function verifyFrozen(value: object, depth: number): boolean {
  if (COMMITTED.has(value) || SEALED.has(value)) return true;
  if (depth > MAX_DEPTH || !Object.isFrozen(value) || types.isProxy(value)) return false;
  const kind = kindOfRaw(value);
  if (kind === Kind.Opaque) return true;
  if (kind !== Kind.Plain && kind !== Kind.Array) return false;
  const keys = Object.keys(value);
  if (kind === Kind.Plain && (keys.length > WIDE_MIN_KEYS || Reflect.ownKeys(value).length !== keys.length)) return false;
  for (const k of keys) {
    if (isHostileKey(k)) return false;
    const v = (value as Record<string, unknown>)[k];
    if (typeof v === 'function' || typeof v === 'symbol') return false;
    if (typeof v === 'object' && v !== null && !verifyFrozen(v, depth + 1)) return false;
  }
  COMMITTED.add(value);
  return true;
}

/** Kind of a value as stored in committed state (wrappers report the kind they wrap). */
export function committedKind(value: unknown): Kind {
  if (typeof value !== 'object' || value === null) return kindOfRaw(value);
  const sealed = SEALED.get(value);
  if (sealed) return sealed.kind;
  return kindOfRaw(value);
}

/** The raw container behind a committed value (the wrapper's target, or the frozen node itself). */
export function rawOf(value: object): object {
  return SEALED.get(value)?.raw ?? value;
}

/**
 * Copies a value supplied from outside into committed form. The caller's object is never frozen
 * or modified: state owns its own copy, so the caller can keep using theirs. Shared references
 * inside the value stay shared; cycles, hostile keys and non-data values are refused.
 */
export function sealValue(value: unknown, path: readonly Segment[]): unknown {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'function' || typeof value === 'symbol') refuse(value, path);
    return value;
  }
  try {
    if (DRAFTS.get(value) === undefined && isCommittedNode(value)) return value;
    return new Sealer().seal(value, [...path], 0);
  } catch (err) {
    // A foreign object failed while being copied (a revoked Proxy, a throwing getter, a Proxy
    // lying about its prototype): report a refused value, keeping the original as the cause.
    if (err instanceof TheusError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new TheusError('UNSUPPORTED_VALUE', `Cannot store the value at ${formatPath(path)}: copying it failed (${why}).`, { path: formatPath(path), cause: err });
  }
}

class Sealer {
  private readonly done = new Map<object, unknown>();
  private readonly active = new Set<object>();

  seal(value: unknown, path: Segment[], depth: number): unknown {
    if (typeof value !== 'object' || value === null) {
      if (typeof value === 'function' || typeof value === 'symbol') refuse(value, path);
      return value;
    }
    const draft = DRAFTS.get(value);
    if (draft) {
      if (!draft.owner.live) throw staleUse(path);
      return draft.snapshot(path);
    }
    if (isCommittedNode(value)) return value;
    const seen = this.done.get(value);
    if (seen !== undefined) return seen;
    if (this.active.has(value)) {
      throw new TheusError('UNSUPPORTED_VALUE', `Cannot store a cycle: the value at ${formatPath(path)} contains itself. State is a tree (shared subtrees are fine, cycles are not).`, { path: formatPath(path) });
    }
    if (depth > MAX_DEPTH) {
      throw new TheusError('UNSUPPORTED_VALUE', `Value nested deeper than ${MAX_DEPTH} levels at ${formatPath(path.slice(0, 8))}…`, { path: formatPath(path) });
    }
    this.active.add(value);
    const out = this.sealObject(value, path, depth);
    this.active.delete(value);
    this.done.set(value, out);
    return out;
  }

  private sealObject(value: object, path: Segment[], depth: number): unknown {
    const kind = kindOfRaw(value);
    switch (kind) {
      case Kind.Opaque:
        return value;
      case Kind.Unsupported:
        return refuse(value, path);
      case Kind.Array: {
        const src = value as unknown[];
        // Built by push so the array stays packed: element reads of a frozen holey array are slow.
        const out: unknown[] = [];
        for (let i = 0; i < src.length; i++) {
          path.push(i);
          out.push(this.seal(src[i], path, depth + 1));
          path.pop();
        }
        return freezeNode(out);
      }
      case Kind.Plain:
        return this.sealRecord(value as Record<string, unknown>, Object.getPrototypeOf(value) as object | null, path, depth);
      case Kind.Instance:
        return this.sealInstance(value, path, depth);
      case Kind.Map: {
        const out = new Map<unknown, unknown>();
        for (const [k, v] of value as Map<unknown, unknown>) {
          const key = typeof k === 'object' && k !== null ? this.seal(k, path, depth + 1) : k;
          path.push(mapKeySegment(k));
          out.set(key, this.seal(v, path, depth + 1));
          path.pop();
        }
        return wrapMap(out);
      }
      case Kind.Set: {
        const out = new Set<unknown>();
        for (const v of value as Set<unknown>) out.add(this.seal(v, path, depth + 1));
        return wrapSet(out);
      }
      case Kind.Date:
        return wrapDate(new Date((value as Date).getTime()));
      default:
        return refuse(value, path);
    }
  }

  private sealRecord(src: Record<string, unknown>, proto: object | null, path: Segment[], depth: number): unknown {
    const keys = Object.keys(src);
    if (keys.length > WIDE_MIN_KEYS && proto === Object.prototype) {
      const entries: [string, unknown][] = [];
      for (const k of keys) {
        checkKey(k, path);
        path.push(k);
        entries.push([k, this.seal(src[k], path, depth + 1)]);
        path.pop();
      }
      return wrapWide(WideRecord.fromEntries(entries));
    }
    const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
    for (const k of keys) {
      checkKey(k, path);
      path.push(k);
      out[k] = this.seal(src[k], path, depth + 1);
      path.pop();
    }
    // Objects built key by key drop to dictionary mode past ~16 keys; a spread copy is fast again.
    return freezeNode(proto === null || keys.length <= 16 ? out : { ...out });
  }

  private sealInstance(src: object, path: Segment[], depth: number): unknown {
    const out = Object.create(Object.getPrototypeOf(src) as object) as Record<PropertyKey, unknown>;
    const descs = Object.getOwnPropertyDescriptors(src);
    for (const k of Reflect.ownKeys(descs)) {
      const d = descs[k as keyof typeof descs]!;
      if (typeof k === 'string') checkKey(k, path);
      if ('value' in d) {
        path.push(typeof k === 'symbol' ? String(k) : k);
        d.value = this.seal(d.value, path, depth + 1);
        path.pop();
      }
      Object.defineProperty(out, k, d);
    }
    return freezeNode(out);
  }
}

function checkKey(k: string, path: readonly Segment[]): void {
  if (isHostileKey(k)) {
    throw new TheusError('INVALID_PATH', `The key '${k}' is refused at ${formatPath(path)}: it would reach the prototype chain.`, { path: formatPath([...path, k]) });
  }
}

export function mapKeySegment(k: unknown): Segment {
  return typeof k === 'string' || typeof k === 'number' ? k : `<${describe(k)}>`;
}

function refuse(value: unknown, path: readonly Segment[]): never {
  throw new TheusError('UNSUPPORTED_VALUE', `Cannot store ${describe(value)} at ${formatPath(path)}: ${unsupportedReason(value)}.`, { path: formatPath(path) });
}

export function staleUse(path: readonly PropertyKey[]): StaleReferenceError {
  return new StaleReferenceError(`A proxy from a finished transaction was used at ${formatPath(path)}. Proxies are revoked when their transaction commits or rolls back: read the new state instead of keeping proxies.`, { path: formatPath(path) });
}

/**
 * Freezes a node we created ourselves (no copy). Class instances are registered: a frozen
 * instance could still hide mutable #private state, so only ours are trusted.
 */
export function freezeNode<T extends object>(node: T): T {
  Object.freeze(node);
  const proto = Object.getPrototypeOf(node) as object | null;
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) COMMITTED.add(node);
  return node;
}

// ---------------------------------------------------------------------------------------------
// Read-only wrappers for committed containers that freezing cannot protect.

function locked(what: string): never {
  throw new ContextLockedError(`Committed state is read-only: ${what} needs a transaction (engine.edit, a process, or state.transaction()).`);
}

const MAP_READERS = new Set<PropertyKey>(['get', 'has', 'keys', 'values', 'entries', Symbol.iterator]);
const MAP_WRITERS = new Set<PropertyKey>(['set', 'delete', 'clear', 'add']);

function collectionHandler(kind: Kind.Map | Kind.Set): ProxyHandler<Map<unknown, unknown> | Set<unknown>> {
  const cache = new WeakMap<object, Map<PropertyKey, unknown>>();
  return {
    get(target, key, receiver) {
      if (key === 'size') return target.size;
      if (MAP_WRITERS.has(key)) return () => locked(`${kind === Kind.Map ? 'Map' : 'Set'}#${String(key)}`);
      if (key === 'forEach') {
        return (fn: (v: unknown, k: unknown, c: unknown) => void, thisArg?: unknown) => {
          // The third argument must be the wrapper, never the raw container.
          target.forEach((v: unknown, k: unknown) => fn.call(thisArg, v, k, receiver));
        };
      }
      if (MAP_READERS.has(key)) {
        let perTarget = cache.get(target);
        if (!perTarget) cache.set(target, (perTarget = new Map()));
        let bound = perTarget.get(key);
        if (!bound) {
          const fn = (Reflect.get(target, key) as (...a: unknown[]) => unknown).bind(target);
          perTarget.set(key, (bound = fn));
        }
        return bound;
      }
      if (key === 'toJSON') return undefined;
      return Reflect.get(target, key);
    },
    set: () => locked('assignment'),
    defineProperty: () => locked('Object.defineProperty'),
    deleteProperty: () => locked('delete'),
    setPrototypeOf: () => locked('Object.setPrototypeOf'),
    preventExtensions: () => locked('Object.preventExtensions'),
  };
}

const mapHandler = collectionHandler(Kind.Map);
const setHandler = collectionHandler(Kind.Set);

export function wrapMap(map: Map<unknown, unknown>): Map<unknown, unknown> {
  const view = new Proxy(map, mapHandler as ProxyHandler<Map<unknown, unknown>>);
  SEALED.set(view, { kind: Kind.Map, raw: map });
  return view;
}

export function wrapSet(set: Set<unknown>): Set<unknown> {
  const view = new Proxy(set, setHandler as ProxyHandler<Set<unknown>>);
  SEALED.set(view, { kind: Kind.Set, raw: set });
  return view;
}

const dateMethods = new Map<PropertyKey, unknown>();
const dateHandler: ProxyHandler<Date> = {
  get(target, key) {
    if (typeof key === 'string' && key.startsWith('set')) return () => locked(`Date#${key}`);
    const value = Reflect.get(target, key, target) as unknown;
    if (typeof value !== 'function') return value;
    let fn = dateMethods.get(key) as ((this: Date, ...a: unknown[]) => unknown) | undefined;
    if (!fn) {
      const method = value as (...a: unknown[]) => unknown;
      fn = function (this: Date, ...args: unknown[]) {
        return method.apply(SEALED.get(this)?.raw ?? this, args);
      };
      dateMethods.set(key, fn);
    }
    return fn;
  },
  set: () => locked('assignment'),
  defineProperty: () => locked('Object.defineProperty'),
  deleteProperty: () => locked('delete'),
  setPrototypeOf: () => locked('Object.setPrototypeOf'),
  preventExtensions: () => locked('Object.preventExtensions'),
};

export function wrapDate(date: Date): Date {
  const view = new Proxy(date, dateHandler);
  SEALED.set(view, { kind: Kind.Date, raw: date });
  return view;
}

const wideTargets = new WeakMap<object, WideRecord>();
const wideHandler: ProxyHandler<object> = {
  get(target, key) {
    const rec = wideTargets.get(target)!;
    if (typeof key === 'string') {
      const v = rec.get(key);
      if (v !== undefined || rec.has(key)) return v;
    }
    return Reflect.get(Object.prototype, key);
  },
  has(target, key) {
    return typeof key === 'string' ? wideTargets.get(target)!.has(key) || key in Object.prototype : key in Object.prototype;
  },
  ownKeys(target) {
    return [...wideTargets.get(target)!.keys()];
  },
  getOwnPropertyDescriptor(target, key) {
    const rec = wideTargets.get(target)!;
    if (typeof key !== 'string' || !rec.has(key)) return undefined;
    return { value: rec.get(key), writable: false, enumerable: true, configurable: true };
  },
  set: () => locked('assignment'),
  defineProperty: () => locked('Object.defineProperty'),
  deleteProperty: () => locked('delete'),
  setPrototypeOf: () => locked('Object.setPrototypeOf'),
  preventExtensions: () => locked('Object.preventExtensions'),
};

/** A plain-object-looking read-only view of a wide record. */
export function wrapWide(record: WideRecord): Record<string, unknown> {
  const target = {};
  wideTargets.set(target, record);
  const view = new Proxy(target, wideHandler) as Record<string, unknown>;
  SEALED.set(view, { kind: Kind.Wide, raw: record });
  return view;
}
