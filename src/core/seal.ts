import { types } from 'node:util';
import { ContextLockedError, StaleReferenceError, TheusError } from '../errors.js';
import { Kind, kindOfRaw, OPAQUE, unsupportedReason } from './kinds.js';
import { describe, formatPath, isHostileKey, type Segment } from './path.js';
import { COMMITTED, DRAFTS, RAW_KEY, SEALED } from './registry.js';
import { harden, inheritedMember } from './safe-members.js';
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
  return SEALED.kind(value) ?? kindOfRaw(value);
}

/** The raw container behind a committed value (the wrapper's target, or the frozen node itself). */
export function rawOf(value: object): object {
  return SEALED.has(value) ? SEALED.raw(value) : value;
}

/**
 * Copies a value supplied from outside into committed form. The caller's object is never frozen
 * or modified: state owns its own copy, so the caller can keep using theirs. Shared references
 * inside the value stay shared; cycles, hostile keys and non-data values are refused.
 */
export function sealValue(value: unknown, path: readonly Segment[]): unknown {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') refuse(value, path);
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
      if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') refuse(value, path);
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
          const v = src[i];
          // Only an undefined read can be a hole; `in` is asked then and only then.
          if (v === undefined && !(i in src)) refuseHole(src.length, i, path);
          path.push(i);
          out.push(this.seal(v, path, depth + 1));
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
    refuseSymbolKeys(src, path);
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
    refuseSymbolKeys(src, path);
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

/**
 * Symbol keys cannot be written through a draft, appear in no delta path and do not survive JSON,
 * so a value carrying them is refused when it enters state rather than silently trimmed.
 */
function refuseSymbolKeys(src: object, path: readonly Segment[]): void {
  // The opaque marker is an instruction, not data (it is ignored on plain objects, see kinds.ts).
  const symbols = Object.getOwnPropertySymbols(src).filter((s) => s !== OPAQUE);
  if (symbols.length > 0) {
    throw new TheusError('UNSUPPORTED_VALUE', `Cannot store the object at ${formatPath(path)}: it has the symbol key ${String(symbols[0])}. State keys are strings; use a string key instead.`, {
      path: formatPath(path),
    });
  }
}

/** Arrays in state are dense: a hole would cost its whole span in every copy, delta and JSON. */
export function refuseHole(length: number, index: number, path: readonly Segment[]): never {
  throw new TheusError(
    'UNSUPPORTED_VALUE',
    `Arrays in state are dense: the array at ${formatPath(path)} would have a hole at index ${index} (length ${length}). Append with push, or use a Map or an object keyed by index for sparse data.`,
    { path: formatPath(path) },
  );
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
// Read-only wrappers for committed containers that freezing cannot protect. Their raw targets are
// frozen too (it changes nothing inside a Map, Set or Date, but `Object.isFrozen` answers true).
// Every function they hand out is hardened (see safe-members.ts) and cached.

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

function locked(what: string): never {
  throw new ContextLockedError(`Committed state is read-only: ${what} needs a transaction (engine.edit, a process, or state.transaction()).`);
}

const lockedMethods = new Map<string, unknown>();
function lockedMethod(what: string): unknown {
  let fn = lockedMethods.get(what);
  if (fn === undefined) lockedMethods.set(what, (fn = harden(() => locked(what))));
  return fn;
}

const COLLECTION_READERS = new Set<PropertyKey>(['get', 'has', 'keys', 'values', 'entries', Symbol.iterator]);
const COLLECTION_WRITERS = new Set<PropertyKey>(['set', 'delete', 'clear', 'add']);

function collectionHandler(kind: Kind.Map | Kind.Set): ProxyHandler<Map<unknown, unknown> | Set<unknown>> {
  const cache = new WeakMap<object, Map<PropertyKey, unknown>>();
  const name = kind === Kind.Map ? 'Map' : 'Set';
  const proto = kind === Kind.Map ? Map.prototype : Set.prototype;
  const cached = (target: Map<unknown, unknown> | Set<unknown>, key: PropertyKey, make: () => (...a: any[]) => unknown): unknown => {
    let perTarget = cache.get(target);
    if (!perTarget) cache.set(target, (perTarget = new Map()));
    let fn = perTarget.get(key);
    if (!fn) perTarget.set(key, (fn = harden(make())));
    return fn;
  };
  return {
    get(target, key, receiver) {
      if (key === 'size') return target.size;
      if (key === RAW_KEY) return target;
      if (COLLECTION_WRITERS.has(key)) return lockedMethod(`${name}#${String(key)}`);
      if (key === 'forEach') {
        // The third argument must be the wrapper, never the raw container.
        return cached(target, key, () => (fn: (v: unknown, k: unknown, c: unknown) => void, thisArg?: unknown) => {
          target.forEach((v: unknown, k: unknown) => fn.call(thisArg, v, k, receiver));
        });
      }
      // Bound to the raw container: a foreign `this` cannot redirect them.
      if (COLLECTION_READERS.has(key)) return cached(target, key, () => (Reflect.get(target, key) as (...a: unknown[]) => unknown).bind(target));
      if (key === Symbol.toStringTag) return name;
      if (key === 'toJSON') return undefined;
      return inheritedMember(proto, key, receiver);
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
  const view = new Proxy(Object.freeze(map), mapHandler as ProxyHandler<Map<unknown, unknown>>);
  SEALED.register(view, Kind.Map);
  return view;
}

export function wrapSet(set: Set<unknown>): Set<unknown> {
  const view = new Proxy(Object.freeze(set), setHandler as ProxyHandler<Set<unknown>>);
  SEALED.register(view, Kind.Set);
  return view;
}

/**
 * `new Date(view)` cannot read a proxy's time slot, so it converts the view to a primitive with
 * the hint 'default'. A real Date answers its `toString()`, which drops the milliseconds; views
 * and drafts answer the ISO string instead, which `new Date()` parses back exactly.
 */
export function datePrimitive(raw: Date, hint: unknown): string | number {
  if (hint === 'number') return raw.getTime();
  if (hint === 'string' || Number.isNaN(raw.getTime())) return raw.toString();
  return raw.toISOString();
}

const dateMethods = new Map<PropertyKey, unknown>();
const dateToPrimitive = harden({
  [Symbol.toPrimitive](this: Date, hint: unknown): string | number {
    const raw = rawOf(this) as Date;
    return datePrimitive(raw, hint);
  },
}[Symbol.toPrimitive]);

const dateHandler: ProxyHandler<Date> = {
  get(target, key, receiver) {
    if (key === RAW_KEY) return target;
    if (key === Symbol.toPrimitive) return dateToPrimitive;
    if (typeof key === 'string' && key.startsWith('set')) return lockedMethod(`Date#${key}`);
    const value = key === 'constructor' ? undefined : (Reflect.get(Date.prototype, key) as unknown);
    if (typeof value !== 'function') return inheritedMember(Date.prototype, key, receiver);
    let fn = dateMethods.get(key);
    if (!fn) {
      const method = value as (...a: unknown[]) => unknown;
      fn = harden(function (this: Date, ...args: unknown[]) {
        return method.apply(rawOf(this) as Date, args);
      });
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
  const view = new Proxy(Object.freeze(date), dateHandler);
  SEALED.register(view, Kind.Date);
  return view;
}

/** The target of a wide view: what `console.log` and `util.inspect` print is the record's content. */
class WideViewTarget {
  readonly #rec: WideRecord;
  constructor(rec: WideRecord) {
    this.#rec = rec;
  }
  /** The record behind a target, or behind a wide view. */
  static recordOf(x: unknown): WideRecord | undefined {
    if (typeof x !== 'object' || x === null) return undefined;
    if (#rec in x) return x.#rec;
    return SEALED.kind(x) === Kind.Wide ? (SEALED.raw(x) as WideRecord) : undefined;
  }
  [INSPECT](): Record<string, unknown> {
    // Node calls this with the view as `this` (or, with showProxy, with this target).
    const rec = WideViewTarget.recordOf(this);
    const out: Record<string, unknown> = {};
    if (rec) for (const k of rec.keys()) out[k] = rec.get(k);
    return out;
  }
}

const recordOf = (target: object): WideRecord => WideViewTarget.recordOf(target)!;

const wideHandler: ProxyHandler<object> = {
  get(target, key, receiver) {
    const rec = recordOf(target);
    if (typeof key === 'string') {
      const v = rec.get(key);
      if (v !== undefined || rec.has(key)) return v;
    }
    if (key === RAW_KEY) return rec;
    return inheritedMember(Object.prototype, key, receiver);
  },
  has(target, key) {
    return typeof key === 'string' ? recordOf(target).has(key) || key in Object.prototype : key in Object.prototype;
  },
  ownKeys(target) {
    return [...recordOf(target).keys()];
  },
  getOwnPropertyDescriptor(target, key) {
    const rec = recordOf(target);
    if (typeof key !== 'string' || !rec.has(key)) return undefined;
    return { value: rec.get(key), writable: false, enumerable: true, configurable: true };
  },
  getPrototypeOf: () => Object.prototype,
  set: () => locked('assignment'),
  defineProperty: () => locked('Object.defineProperty'),
  deleteProperty: () => locked('delete'),
  setPrototypeOf: () => locked('Object.setPrototypeOf'),
  preventExtensions: () => locked('Object.preventExtensions'),
};

/** A plain-object-looking read-only view of a wide record. */
export function wrapWide(record: WideRecord): Record<string, unknown> {
  const view = new Proxy(new WideViewTarget(record), wideHandler) as Record<string, unknown>;
  SEALED.register(view, Kind.Wide);
  return view;
}
