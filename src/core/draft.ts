import { StaleReferenceError, TheusError } from '../errors.js';
import { FREE, type Access, type WriteOp } from './access.js';
import { Kind, kindOfRaw } from './kinds.js';
import { formatPath, type Segment } from './path.js';
import { DRAFT_KEY, DRAFTS, SEALED, setDraftBrand, type DraftLike } from './registry.js';
import { committedKind, freezeNode, mapKeySegment, rawOf, sealValue, staleUse, wrapDate, wrapMap, wrapSet, wrapWide } from './seal.js';
import { toPlain } from './plain.js';
import { WIDE_MAX_TO_PLAIN, WIDE_MIN_KEYS, WideBuilder, WideRecord } from './wide.js';

/**
 * Drafts: copy-on-write supervisor proxies over committed data.
 *
 * A draft node wraps one committed container. Reading hands out child drafts (cached per node, so
 * `d.a === d.a`) without copying anything — unlike Immer and Mutative, which copy the parent on
 * read to store the child draft. The first write copies the node and then each ancestor, once.
 * Child drafts live in a side map (`children`); only arrays keep them inside their copy, because
 * array mutators (splice, sort, shift …) move elements around.
 */

let nextTxId = 1;

/** Per-transaction shared state of every draft it hands out. */
export class DraftScope {
  readonly id = nextTxId++;
  live = true;
  /** Why the scope ended, for the StaleReferenceError message. */
  endedBy: 'commit' | 'rollback' | undefined;
  readonly trackReads: boolean;
  readonly drafts: Draft[] = [];

  constructor(options: { trackReads?: boolean } = {}) {
    this.trackReads = options.trackReads ?? false;
  }

  retire(reason: 'commit' | 'rollback'): void {
    this.live = false;
    this.endedBy = reason;
  }
}

type Container = Record<PropertyKey, unknown> | unknown[] | Map<unknown, unknown> | Set<unknown> | Date | WideRecord;

const ARRAY_TARGET: unknown[] = [];
const OBJECT_TARGET = {};
const ARRAY_MUTATORS = new Set<PropertyKey>(['push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin']);
const hasOwn = Object.prototype.hasOwnProperty;

export class Draft implements ProxyHandler<object>, DraftLike {
  /**
   * The hot traps are own fields, declared first so every draft has the same shape: V8 looks
   * traps up on the handler generically, and finding them on the instance skips a prototype walk
   * on every read and write (a large share of a proxy read's cost).
   */
  readonly get: (target: object, key: PropertyKey, receiver: unknown) => unknown = Draft.prototype.trapGet;
  readonly set: (target: object, key: PropertyKey, value: unknown, receiver: unknown) => boolean = Draft.prototype.trapSet;
  readonly #brand = true;

  static isDraft(x: unknown): x is Draft {
    return typeof x === 'object' && x !== null && #brand in x;
  }

  readonly proxy: any;
  /** The copy made on first write; null while unmodified. For wide records, a builder. */
  copy: any = null;
  /** Child drafts by key (all kinds but modified arrays, whose children live in `copy`). */
  children: Map<unknown, Draft> | null = null;
  /** Keys whose value this transaction read (leaf values). */
  reads: Set<unknown> | null = null;
  /** Keys this transaction navigated through (depends on the child existing, not its content). */
  presence: Set<unknown> | null = null;
  /** The transaction enumerated keys, sizes or iterated: depends on the key set. */
  structureRead = false;
  /** For arrays, Sets and Dates conflicts are tracked for the whole container. */
  wholeRead = false;
  /** Wide records: keys written, so diffing does not scan the whole record. */
  touched: Set<string> | null = null;
  /** Arrays: the index range [dirtyLo, dirtyHi) that may differ from the base, so diffing scans only it. */
  dirtyLo = Infinity;
  dirtyHi = -1;
  /** Arrays: child drafts handed out (their content may change without their slot changing). */
  arrayKids: Draft[] | null = null;

  touch(lo: number, hi: number): void {
    if (lo < this.dirtyLo) this.dirtyLo = lo;
    if (hi > this.dirtyHi) this.dirtyHi = hi;
  }

  constructor(
    readonly scope: DraftScope,
    readonly parent: Draft | null,
    readonly key: unknown,
    readonly kind: Kind,
    /** The value as stored in the parent (a frozen node or a read-only wrapper). */
    readonly committed: object,
    /** The raw container behind `committed`. */
    readonly base: Container,
    readonly access: Access,
  ) {
    // V8 looks traps up on the handler generically: an own `get` is found without walking to the
    // class prototype, which shows on every read through the proxy.
    // Targets are shared dummies: every trap answers from the draft, never from the target.
    this.proxy = new Proxy(kind === Kind.Array ? ARRAY_TARGET : OBJECT_TARGET, this);
    if (scope.trackReads) scope.drafts.push(this);
  }

  static root(scope: DraftScope, committed: object, access: Access = FREE): Draft {
    const kind = committedKind(committed);
    return new Draft(scope, null, undefined, kind, committed, rawOf(committed) as Container, access);
  }

  get owner(): DraftScope {
    return this.scope;
  }

  // ------------------------------------------------------------------------------------------
  // Paths

  path(): Segment[] {
    if (!this.parent) return [];
    const out = this.parent.path();
    out.push(segmentOf(this.parent.kind, this.key));
    return out;
  }

  childPath(key: unknown): Segment[] {
    const p = this.path();
    p.push(segmentOf(this.kind, key));
    return p;
  }

  private ensureLive(key?: unknown): void {
    if (!this.scope.live) {
      throw new StaleReferenceError(
        `A proxy from a transaction that was ${this.scope.endedBy === 'commit' ? 'committed' : 'rolled back'} was used at ${formatPath(key === undefined ? this.path() : this.childPath(key))}. Proxies are revoked when their transaction ends; read the new state instead of keeping proxies.`,
        { path: formatPath(this.path()) },
      );
    }
  }

  // ------------------------------------------------------------------------------------------
  // Reading

  /** The container as the transaction currently sees it. */
  private get current(): any {
    return this.copy ?? this.base;
  }

  private noteRead(key: unknown): void {
    if (this.kind === Kind.Array || this.kind === Kind.Set || this.kind === Kind.Date) this.wholeRead = true;
    else (this.reads ??= new Set()).add(key);
  }

  private notePresence(key: unknown): void {
    if (this.kind === Kind.Array) this.wholeRead = true;
    else (this.presence ??= new Set()).add(key);
  }

  private noteStructure(): void {
    if (this.kind === Kind.Array || this.kind === Kind.Set || this.kind === Kind.Date) this.wholeRead = true;
    else this.structureRead = true;
  }

  /** False when the key is invisible to this transaction (private zones); throws when denied. */
  private canRead(key: unknown): boolean {
    return this.access.readAll || this.access.readKey(segmentOf(this.kind, key), this);
  }

  /** For key listings: denied and invisible keys are both left out instead of throwing. */
  private readableQuietly(key: string): boolean {
    try {
      return this.canRead(this.kind === Kind.Array ? toIndex(key) : key);
    } catch {
      return false;
    }
  }

  private checkWrite(key: unknown, op: WriteOp): void {
    if (!this.access.writeAll) this.access.writeKey(key === undefined ? undefined : segmentOf(this.kind, key), op, this);
  }

  /** Wraps a committed child value as a draft, or returns primitives/opaque values as they are. */
  private childFor(key: unknown, value: unknown): unknown {
    if (typeof value !== 'object' || value === null) {
      if (this.scope.trackReads) this.noteRead(key);
      return value;
    }
    const existing = this.children?.get(key);
    if (existing) {
      if (this.scope.trackReads) this.notePresence(key);
      return existing.proxy;
    }
    const sealed = SEALED.get(value);
    const kind = sealed ? sealed.kind : kindOfRaw(value);
    if (kind === Kind.Opaque || kind === Kind.Primitive) {
      if (this.scope.trackReads) this.noteRead(key);
      return value;
    }
    if (this.scope.trackReads) this.notePresence(key);
    const child = new Draft(this.scope, this, key, kind, value, (sealed ? sealed.raw : value) as Container, this.access.readAll && this.access.writeAll ? this.access : this.access.child(segmentOf(this.kind, key), this));
    if (this.kind === Kind.Array) (this.arrayKids ??= []).push(child);
    if (this.kind === Kind.Array && this.copy) (this.copy as unknown[])[key as number] = child.proxy;
    else (this.children ??= new Map()).set(key, child);
    return child.proxy;
  }

  trapGet(_target: object, key: PropertyKey, receiver: unknown): unknown {
    if (key === DRAFT_KEY) return this;
    if (!this.scope.live) this.ensureLive(key);
    const kind = this.kind;
    if (kind === Kind.Plain || kind === Kind.Array) {
      // Fast path: an own data property of plain data. Functions are never stored in state, so a
      // function value is inherited (a method) and takes the slow path, as does `undefined`.
      if (typeof key === 'string' && key !== '__proto__') {
        const src = this.copy ?? this.base;
        const v = (src as Record<string, unknown>)[key];
        if (v !== undefined && typeof v !== 'function') {
          if (!this.access.readAll && !this.access.readKey(segmentOf(kind, key), this)) return undefined;
          if (typeof v !== 'object' || v === null) {
            if (this.scope.trackReads) this.noteRead(key);
            return v;
          }
          if (kind === Kind.Array && this.copy !== null && DRAFTS.has(v)) return v;
          return this.childFor(key, v);
        }
      }
    } else {
      switch (kind) {
        case Kind.Map:
          return this.mapGet(key, receiver);
        case Kind.Set:
          return this.setGet(key, receiver);
        case Kind.Date:
          return this.dateGet(key);
        case Kind.Wide:
          return this.wideGet(key);
        default:
          break;
      }
    }
    return this.slowGet(key, receiver);
  }

  /** Whether the node currently has `key` as an own property (no trap, no child draft). */
  hasOwnKey(key: string): boolean {
    return hasOwn.call(this.copy ?? this.base, key);
  }

  private slowGet(key: PropertyKey, receiver: unknown): unknown {
    const src = this.current;
    if (typeof key === 'symbol') return Reflect.get(src, key, receiver);
    if (key === '__proto__' || key === 'prototype') throw hostile(key, this.path());
    if (!hasOwn.call(src, key)) {
      if (this.kind === Kind.Array) {
        if (ARRAY_MUTATORS.has(key)) return this.arrayMutator(key as string);
      }
      if ((key === 'toJSON' || key === 'toDict') && this.kind !== Kind.Instance) return () => toPlain(this.proxy);
      // Methods and accessors from the prototype chain run against the proxy, so their reads and
      // writes go through these traps too.
      if (this.scope.trackReads) this.notePresence(key);
      return Reflect.get(Object.getPrototypeOf(src) ?? Object.prototype, key, receiver);
    }
    if (!this.canRead(key)) return undefined;
    const v = (src as Record<string, unknown>)[key];
    if (this.kind === Kind.Array && this.copy && typeof v === 'object' && v !== null && DRAFTS.has(v)) return v;
    return this.childFor(key, v);
  }

  has(_target: object, key: PropertyKey): boolean {
    this.ensureLive(key);
    if (key === '__proto__' || key === 'prototype') return false;
    if (typeof key === 'string' && !this.access.readAll && !this.canRead(key)) return false;
    if (this.scope.trackReads) this.notePresence(key);
    // Like a plain object (and the committed wide view): inherited names such as 'toString' are `in` it.
    if (this.kind === Kind.Wide) return (typeof key === 'string' && (this.current as WideRecord | WideBuilder).has(key)) || key in Object.prototype;
    return key in this.current;
  }

  ownKeys(): ArrayLike<string | symbol> {
    this.ensureLive();
    if (this.scope.trackReads) this.noteStructure();
    let keys: (string | symbol)[];
    if (this.kind === Kind.Wide) {
      keys = [...wideKeys(this.current)];
    } else if (this.kind === Kind.Map || this.kind === Kind.Set || this.kind === Kind.Date) {
      keys = [];
    } else {
      keys = Reflect.ownKeys(this.current);
    }
    if (!this.access.readAll) keys = keys.filter((k) => k === 'length' || typeof k === 'symbol' || this.readableQuietly(k));
    return keys;
  }

  getOwnPropertyDescriptor(_target: object, key: PropertyKey): PropertyDescriptor | undefined {
    this.ensureLive(key);
    if (this.kind === Kind.Map || this.kind === Kind.Set || this.kind === Kind.Date) return undefined;
    if (this.kind === Kind.Wide) {
      if (typeof key !== 'string' || !(this.current as WideRecord).has(key)) return undefined;
      return { value: this.get(_target, key, this.proxy), writable: true, enumerable: true, configurable: true };
    }
    const desc = Reflect.getOwnPropertyDescriptor(this.current, key);
    if (!desc) return undefined;
    if (this.kind === Kind.Array && key === 'length') return { value: (this.current as unknown[]).length, writable: true, enumerable: false, configurable: false };
    if ('value' in desc) return { value: this.get(_target, key, this.proxy), writable: true, enumerable: desc.enumerable ?? true, configurable: true };
    return { get: desc.get, set: desc.set, enumerable: desc.enumerable ?? false, configurable: true };
  }

  getPrototypeOf(): object | null {
    if (this.kind === Kind.Wide) return Object.prototype;
    return Object.getPrototypeOf(this.base) as object | null;
  }

  isExtensible(target: object): boolean {
    return Reflect.isExtensible(target);
  }

  // ------------------------------------------------------------------------------------------
  // Writing

  /** Copies this node (first write only) and every ancestor that has not been copied yet. */
  markChanged(): void {
    if (this.copy !== null) return;
    this.makeCopy();
    for (let d = this.parent; d && d.copy === null; d = d.parent) d.makeCopy();
  }

  private makeCopy(): void {
    const base = this.base;
    switch (this.kind) {
      case Kind.Array: {
        // Spread, not slice: V8's slice of a frozen array is two orders of magnitude slower.
        const copy = [...(base as unknown[])];
        if (this.children) {
          for (const [k, child] of this.children) copy[k as number] = child.proxy;
          this.children = null;
        }
        this.copy = copy;
        return;
      }
      case Kind.Plain:
        // Spread, not Object.assign: V8 gives the spread copy fast properties even when the base
        // is in dictionary mode, and copying fast objects is what keeps small writes cheap.
        this.copy = Object.getPrototypeOf(base) === null ? Object.assign(Object.create(null), base) : { ...(base as object) };
        return;
      case Kind.Instance:
        this.copy = Object.create(Object.getPrototypeOf(base) as object, writableDescriptors(base));
        return;
      case Kind.Map:
        this.copy = new Map(base as Map<unknown, unknown>);
        return;
      case Kind.Set:
        this.copy = new Set(base as Set<unknown>);
        return;
      case Kind.Date:
        this.copy = new Date((base as Date).getTime());
        return;
      case Kind.Wide:
        this.copy = new WideBuilder(base as WideRecord);
        this.touched = new Set();
        return;
      default:
        throw new TheusError('UNSUPPORTED_VALUE', `Cannot write inside ${formatPath(this.path())}.`, { path: formatPath(this.path()) });
    }
  }

  /** Seals a value being written at `key` (copying it unless it is committed already). */
  private incoming(key: unknown, value: unknown): unknown {
    if (typeof value !== 'object' || value === null) {
      if (typeof value === 'function' || typeof value === 'symbol') return sealValue(value, this.childPath(key));
      return value;
    }
    return sealValue(value, this.childPath(key));
  }

  trapSet(_target: object, prop: PropertyKey, value: unknown, receiver: unknown): boolean {
    this.ensureLive(prop);
    const key = prop as string;
    if (typeof prop === 'symbol') throw new TheusError('UNSUPPORTED_VALUE', `Symbol keys cannot be written into state (at ${formatPath(this.path())}).`, { path: formatPath(this.path()) });
    if (key === '__proto__' || key === 'prototype' || key === 'constructor') throw hostile(key, this.path());
    switch (this.kind) {
      case Kind.Map:
      case Kind.Set:
      case Kind.Date:
        throw new TheusError('UNSUPPORTED_VALUE', `Cannot assign property '${key}' on a ${this.kind === Kind.Map ? 'Map' : this.kind === Kind.Set ? 'Set' : 'Date'} in state (at ${formatPath(this.path())}); use its methods.`, { path: formatPath(this.childPath(key)) });
      case Kind.Wide:
        return this.wideSet(key, value);
      case Kind.Instance: {
        // Start at the instance itself: an own accessor (defined in a constructor) must also run
        // against the proxy, or its body would write unsealed values into the private copy.
        const setter = findSetter(this.current as object, key);
        if (setter) {
          setter.call(receiver, value);
          return true;
        }
        break;
      }
      default:
        break;
    }
    const src = this.current;
    if (this.kind === Kind.Array && key === 'length') {
      const len = Number(value);
      if (!Number.isInteger(len) || len < 0) throw new TheusError('INVALID_ARGUMENT', `Invalid array length ${String(value)} at ${formatPath(this.path())}.`, { path: formatPath(this.path()) });
      this.checkWrite(undefined, len < (src as unknown[]).length ? 'delete' : 'append');
      this.markChanged();
      this.touch(Math.min(len, (this.copy as unknown[]).length), Infinity);
      (this.copy as unknown[]).length = len;
      return true;
    }
    const exists = hasOwn.call(src, key);
    const seg = this.kind === Kind.Array ? toIndex(key) : key;
    if (this.kind === Kind.Array && typeof seg !== 'number') {
      // A named property on a list would commit, yet appear in no delta, conflict key or JSON.
      throw new TheusError('UNSUPPORTED_VALUE', `Arrays in state hold elements only: cannot set '${key}' on ${formatPath(this.path())}; use an object for named fields.`, {
        path: formatPath(this.childPath(key)),
      });
    }
    this.checkWrite(seg, exists ? 'update' : this.kind === Kind.Array ? 'append' : 'add');
    const v = this.incoming(seg, value);
    if (exists && this.copy === null && Object.is((src as Record<string, unknown>)[key], v)) return true;
    this.markChanged();
    if (this.kind === Kind.Array) {
      if (typeof seg === 'number') this.touch(seg, seg + 1);
      else this.touch(0, Infinity);
      (this.copy as unknown[])[seg as number] = v;
    }
    else {
      this.children?.delete(key);
      (this.touched ??= new Set()).add(key);
      (this.copy as Record<string, unknown>)[key] = v;
    }
    return true;
  }

  deleteProperty(_target: object, prop: PropertyKey): boolean {
    this.ensureLive(prop);
    if (typeof prop === 'symbol') return true;
    const key = prop as string;
    if (key === '__proto__' || key === 'prototype' || key === 'constructor') throw hostile(key, this.path());
    if (this.kind === Kind.Wide) {
      if (!(this.current as WideRecord).has(key)) return true;
      this.checkWrite(key, 'delete');
      this.markChanged();
      (this.copy as WideBuilder).delete(key);
      this.touched!.add(key);
      this.children?.delete(key);
      return true;
    }
    if (this.kind === Kind.Map || this.kind === Kind.Set || this.kind === Kind.Date) return true;
    if (!hasOwn.call(this.current, key)) return true;
    const seg = this.kind === Kind.Array ? toIndex(key) : key;
    this.checkWrite(seg, 'delete');
    this.markChanged();
    if (this.kind === Kind.Array) this.touch(typeof seg === 'number' ? seg : 0, typeof seg === 'number' ? seg + 1 : Infinity);
    else (this.touched ??= new Set()).add(key);
    this.children?.delete(key);
    delete (this.copy as Record<string, unknown>)[key];
    return true;
  }

  defineProperty(_target: object, key: PropertyKey, desc: PropertyDescriptor): boolean {
    this.ensureLive(key);
    if (desc.get || desc.set || !('value' in desc)) {
      throw new TheusError('UNSUPPORTED_VALUE', `Accessor properties cannot be defined on state (at ${formatPath(this.childPath(key))}); assign a value instead.`, { path: formatPath(this.childPath(key)) });
    }
    return this.set(_target, key, desc.value, this.proxy);
  }

  setPrototypeOf(): boolean {
    throw new TheusError('UNSUPPORTED_VALUE', `The prototype of ${formatPath(this.path())} cannot be changed through a supervisor proxy.`, { path: formatPath(this.path()) });
  }

  preventExtensions(): boolean {
    throw new TheusError('UNSUPPORTED_VALUE', `State objects cannot be frozen or sealed through a proxy (at ${formatPath(this.path())}); committed state is frozen for you.`, { path: formatPath(this.path()) });
  }

  // ------------------------------------------------------------------------------------------
  // Arrays

  private arrayMutator(name: string): (...args: unknown[]) => unknown {
    return (...args: unknown[]) => {
      this.ensureLive(name);
      const op: WriteOp = name === 'push' || name === 'unshift' ? 'append' : name === 'pop' || name === 'shift' ? 'delete' : name === 'splice' ? (args.length > 2 ? 'update' : 'delete') : 'update';
      this.checkWrite(undefined, op);
      if (this.scope.trackReads) this.wholeRead = true;
      // Arguments are sealed and checked before the first copy: a refused value (a function, a
      // cycle …) leaves the array uncopied, so the commit still shares it with the base.
      const len = (this.current as unknown[]).length;
      const incoming =
        name === 'push' ? args.map((a, i) => this.incoming(len + i, a))
        : name === 'unshift' ? args.map((a, i) => this.incoming(i, a))
        : name === 'splice' ? args.slice(2).map((a, i) => this.incoming(i, a))
        : name === 'fill' ? [this.incoming(0, args[0])]
        : args;
      if (name === 'sort' && args[0] !== undefined && typeof args[0] !== 'function') {
        throw new TheusError('INVALID_ARGUMENT', `sort() takes a comparison function (at ${formatPath(this.path())}).`, { path: formatPath(this.path()) });
      }
      this.markChanged();
      const copy = this.copy as unknown[];
      const start = copy.length;
      // push and pop leave the prefix alone; the other mutators may move anything.
      this.touch(name === 'push' ? start : name === 'pop' ? Math.max(0, start - 1) : 0, Infinity);
      switch (name) {
        case 'push':
          return copy.push(...incoming);
        case 'unshift':
          return copy.unshift(...incoming);
        case 'splice':
          return (copy.splice as (...a: unknown[]) => unknown[])(...args.slice(0, 2), ...incoming);
        case 'fill':
          return (copy.fill(incoming[0], args[1] as number | undefined, args[2] as number | undefined), this.proxy);
        case 'sort': {
          const cmp = args[0] as ((a: unknown, b: unknown) => number) | undefined;
          // Elements may be committed objects; the comparator sees drafts, as it would in place.
          const view = copy.map((v, i) => (typeof v === 'object' && v !== null && !DRAFTS.has(v) ? this.childFor(i, v) : v));
          view.sort(cmp);
          for (let i = 0; i < view.length; i++) copy[i] = view[i];
          return this.proxy;
        }
        case 'reverse':
          copy.reverse();
          return this.proxy;
        case 'copyWithin': {
          (copy.copyWithin as (...a: unknown[]) => unknown)(...args);
          // copyWithin is a series of element assignments, so like `arr[i] = arr[j]` it stores
          // values: a draft copied into the target range becomes a snapshot. Left as the same
          // proxy in two slots, a later write through one slot would show up in the other.
          const len = copy.length;
          const rel = (v: unknown, dflt: number) => {
            const n = v === undefined ? dflt : Math.trunc(Number(v)) || 0;
            return n < 0 ? Math.max(len + n, 0) : Math.min(n, len);
          };
          const to = rel(args[0], 0);
          const count = Math.min(rel(args[2], len) - rel(args[1], 0), len - to);
          for (let i = to; i < to + count; i++) {
            const v = copy[i];
            const d = typeof v === 'object' && v !== null ? (DRAFTS.get(v) as Draft | undefined) : undefined;
            if (d) copy[i] = d.snapshot(this.childPath(i));
          }
          return this.proxy;
        }
        default:
          return (copy[name as 'pop' | 'shift'] as () => unknown)();
      }
    };
  }

  // ------------------------------------------------------------------------------------------
  // Maps and Sets

  private mapGet(key: PropertyKey, receiver: unknown): unknown {
    const map = this.current as Map<unknown, unknown>;
    switch (key) {
      case 'size':
        if (this.scope.trackReads) this.noteStructure();
        return map.size;
      case 'get':
        return (k: unknown) => {
          this.ensureLive();
          if (!this.canRead(k)) return undefined;
          return this.childFor(k, map === this.current ? map.get(k) : (this.current as Map<unknown, unknown>).get(k));
        };
      case 'has':
        return (k: unknown) => {
          this.ensureLive();
          if (this.scope.trackReads) this.notePresence(k);
          return (this.current as Map<unknown, unknown>).has(k);
        };
      case 'set':
        return (k: unknown, v: unknown) => {
          this.ensureLive();
          const m = this.current as Map<unknown, unknown>;
          this.checkWrite(k, m.has(k) ? 'update' : 'add');
          const value = this.incoming(k, v);
          const storedKey = typeof k === 'object' && k !== null ? sealValue(k, this.path()) : k;
          this.markChanged();
          this.children?.delete(storedKey);
          (this.copy as Map<unknown, unknown>).set(storedKey, value);
          return receiver;
        };
      case 'delete':
        return (k: unknown) => {
          this.ensureLive();
          if (!(this.current as Map<unknown, unknown>).has(k)) return false;
          this.checkWrite(k, 'delete');
          this.markChanged();
          this.children?.delete(k);
          return (this.copy as Map<unknown, unknown>).delete(k);
        };
      case 'clear':
        return () => {
          this.ensureLive();
          this.checkWrite(undefined, 'delete');
          this.markChanged();
          this.children = null;
          (this.copy as Map<unknown, unknown>).clear();
        };
      case 'forEach':
        return (fn: (v: unknown, k: unknown, m: unknown) => void, thisArg?: unknown) => {
          for (const [k, v] of this.mapEntries()) fn.call(thisArg, v, k, receiver);
        };
      case 'keys':
        return () => {
          this.ensureLive();
          if (this.scope.trackReads) this.noteStructure();
          return (this.current as Map<unknown, unknown>).keys();
        };
      case 'values':
        return () => mapIter(this.mapEntries(), (e) => e[1]);
      case 'entries':
      case Symbol.iterator:
        return () => this.mapEntries();
      case Symbol.toStringTag:
        return 'Map';
      case 'toJSON':
        return undefined;
      default:
        if (key === '__proto__' || key === 'prototype') throw hostile(key, this.path());
        return Reflect.get(Map.prototype, key);
    }
  }

  private *mapEntries(): IterableIterator<[unknown, unknown]> {
    this.ensureLive();
    if (this.scope.trackReads) this.noteStructure();
    for (const [k, v] of this.current as Map<unknown, unknown>) {
      this.ensureLive();
      yield [k, this.childFor(k, v)];
    }
  }

  private setGet(key: PropertyKey, receiver: unknown): unknown {
    const read = () => {
      this.ensureLive();
      if (this.scope.trackReads) this.wholeRead = true;
      return this.current as Set<unknown>;
    };
    switch (key) {
      case 'size':
        return read().size;
      case 'has':
        return (v: unknown) => read().has(v);
      case 'add':
        return (v: unknown) => {
          if (read().has(v)) return receiver;
          this.checkWrite(undefined, 'append');
          const value = this.incoming(read().size, v);
          this.markChanged();
          (this.copy as Set<unknown>).add(value);
          return receiver;
        };
      case 'delete':
        return (v: unknown) => {
          if (!read().has(v)) return false;
          this.checkWrite(undefined, 'delete');
          this.markChanged();
          return (this.copy as Set<unknown>).delete(v);
        };
      case 'clear':
        return () => {
          read();
          this.checkWrite(undefined, 'delete');
          this.markChanged();
          (this.copy as Set<unknown>).clear();
        };
      case 'forEach':
        return (fn: (v: unknown, k: unknown, s: unknown) => void, thisArg?: unknown) => {
          for (const v of read()) fn.call(thisArg, v, v, receiver);
        };
      case 'values':
      case 'keys':
      case Symbol.iterator:
        return () => read().values();
      case 'entries':
        return () => read().entries();
      case Symbol.toStringTag:
        return 'Set';
      case 'toJSON':
        return undefined;
      default:
        if (key === '__proto__' || key === 'prototype') throw hostile(key, this.path());
        return Reflect.get(Set.prototype, key);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Dates

  private dateGet(key: PropertyKey): unknown {
    if (key === '__proto__' || key === 'prototype') throw hostile(key, this.path());
    const value = Reflect.get(Date.prototype, key) as unknown;
    if (typeof value !== 'function') return value;
    const method = value as (...a: unknown[]) => unknown;
    if (typeof key === 'string' && key.startsWith('set')) {
      return (...args: unknown[]) => {
        this.ensureLive();
        this.checkWrite(undefined, 'update');
        this.markChanged();
        return method.apply(this.copy as Date, args);
      };
    }
    return (...args: unknown[]) => {
      this.ensureLive();
      if (this.scope.trackReads) this.wholeRead = true;
      return method.apply(this.current as Date, args);
    };
  }

  // ------------------------------------------------------------------------------------------
  // Wide records

  private wideGet(prop: PropertyKey): unknown {
    if (typeof prop === 'symbol') return Reflect.get(Object.prototype, prop);
    const key = prop as string;
    if (key === '__proto__' || key === 'prototype') throw hostile(key, this.path());
    const src = this.current as WideRecord | WideBuilder;
    const child = this.children?.get(key);
    if (child) {
      if (this.scope.trackReads) this.notePresence(key);
      return child.proxy;
    }
    const v = src.get(key);
    if (v === undefined && !src.has(key)) {
      if (key === 'toJSON' || key === 'toDict') return () => toPlain(this.proxy);
      return Reflect.get(Object.prototype, key, this.proxy);
    }
    if (!this.canRead(key)) return undefined;
    return this.childFor(key, v);
  }

  private wideSet(key: string, value: unknown): boolean {
    const src = this.current as WideRecord | WideBuilder;
    this.checkWrite(key, src.has(key) ? 'update' : 'add');
    const v = this.incoming(key, value);
    this.markChanged();
    this.children?.delete(key);
    (this.copy as WideBuilder).set(key, v);
    this.touched!.add(key);
    return true;
  }

  // ------------------------------------------------------------------------------------------
  // Snapshots and finalisation

  /** Current content as committed data, without ending the transaction (value semantics on assignment). */
  snapshot(_path: readonly PropertyKey[]): unknown {
    if (!this.scope.live) throw staleUse(this.path());
    if (this.copy === null && this.children === null) return this.committed;
    return this.build(false);
  }

  /** Produces the committed value of this node. With `inPlace`, the copy itself is frozen (commit). */
  build(inPlace: boolean): unknown {
    if (inPlace) {
      if (this.built === undefined) this.built = { value: this.buildOnce(true) };
      return this.built.value;
    }
    return this.buildOnce(false);
  }

  private built: { value: unknown } | undefined;

  private buildOnce(inPlace: boolean): unknown {
    if (this.copy === null) {
      if (this.children === null) return this.committed;
      // Unmodified node whose children may have been modified: children only become modified by
      // marking this node changed, so an unmodified node's subtree is unchanged.
      return this.committed;
    }
    const sub = (v: unknown): unknown => {
      if (typeof v === 'object' && v !== null) {
        const d = DRAFTS.get(v);
        if (d) return (d as Draft).build(inPlace);
      }
      return v;
    };
    switch (this.kind) {
      case Kind.Array: {
        const src = this.copy as unknown[];
        const out = inPlace ? src : [...src];
        // Drafts sit either in the dirty range (moved there by a mutator) or at their own slot.
        const hi = Math.min(src.length, this.dirtyHi);
        for (let i = Math.max(0, this.dirtyLo); i < hi; i++) {
          const v = src[i];
          if (typeof v === 'object' && v !== null) out[i] = sub(v);
        }
        if (this.arrayKids) {
          for (const kid of this.arrayKids) {
            const i = Number(kid.key);
            if (src[i] === kid.proxy) out[i] = sub(kid.proxy);
          }
        }
        return freezeNode(out);
      }
      case Kind.Plain:
      case Kind.Instance: {
        const src = this.copy as Record<string, unknown>;
        let out = src;
        if (!inPlace) out = this.kind === Kind.Instance ? Object.create(Object.getPrototypeOf(src) as object, Object.getOwnPropertyDescriptors(src)) : Object.assign(Object.getPrototypeOf(src) === null ? Object.create(null) : {}, src);
        if (this.children) for (const [k, child] of this.children) if (hasOwn.call(out, k as string)) out[k as string] = child.build(inPlace);
        if (this.kind === Kind.Plain && Object.getPrototypeOf(out) === Object.prototype) {
          const keys = Object.keys(out);
          if (keys.length > WIDE_MIN_KEYS) return wrapWide(WideRecord.fromEntries(keys.map((k) => [k, out[k]] as const)));
        }
        return freezeNode(out);
      }
      case Kind.Map: {
        const src = this.copy as Map<unknown, unknown>;
        const out = inPlace ? src : new Map(src);
        if (this.children) for (const [k, child] of this.children) if (out.has(k)) out.set(k, child.build(inPlace));
        return wrapMap(out);
      }
      case Kind.Set:
        return wrapSet(inPlace ? (this.copy as Set<unknown>) : new Set(this.copy as Set<unknown>));
      case Kind.Date:
        return wrapDate(new Date((this.copy as Date).getTime()));
      case Kind.Wide: {
        const b = this.copy as WideBuilder;
        const out = inPlace ? b : new WideBuilder(b.build());
        if (this.children) for (const [k, child] of this.children) if (out.has(k as string)) out.set(k as string, child.build(inPlace));
        if (out.size < WIDE_MAX_TO_PLAIN) {
          const rec = out.build();
          const plain: Record<string, unknown> = {};
          for (const k of rec.keys()) plain[k] = rec.get(k);
          return freezeNode(plain);
        }
        return wrapWide(out.build());
      }
      default:
        return this.committed;
    }
  }
}

// -----------------------------------------------------------------------------------------------

function segmentOf(parentKind: Kind, key: unknown): Segment {
  if (parentKind === Kind.Array) return typeof key === 'number' ? key : toIndex(key as string);
  if (parentKind === Kind.Map) return mapKeySegment(key);
  return key as string;
}

function toIndex(key: PropertyKey): number | string {
  const n = Number(key);
  return Number.isInteger(n) && n >= 0 && String(n) === key ? n : (key as string);
}

function hostile(key: string, path: readonly Segment[]): TheusError {
  return new TheusError('INVALID_PATH', `The key '${key}' is refused at ${formatPath(path)}: it would reach the prototype chain.`, { path: formatPath([...path, key]) });
}

/** The descriptors of a frozen node, made writable again for its private copy. */
function writableDescriptors(obj: object): PropertyDescriptorMap {
  const descs = Object.getOwnPropertyDescriptors(obj) as PropertyDescriptorMap;
  for (const k of Reflect.ownKeys(descs)) {
    const d = descs[k as string]!;
    d.configurable = true;
    if ('value' in d) d.writable = true;
  }
  return descs;
}

function findSetter(proto: object | null, key: string): ((v: unknown) => void) | undefined {
  for (let p = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    const d = Object.getOwnPropertyDescriptor(p, key);
    if (d) return d.set;
  }
  return undefined;
}

function wideKeys(src: WideRecord | WideBuilder): readonly string[] {
  return src instanceof WideRecord ? src.keys() : src.build().keys();
}

function* mapIter<T, U>(it: Iterable<T>, fn: (t: T) => U): IterableIterator<U> {
  for (const x of it) yield fn(x);
}

setDraftBrand((x): x is DraftLike => Draft.isDraft(x));

export function draftOf(value: unknown): Draft | undefined {
  return typeof value === 'object' && value !== null ? (DRAFTS.get(value) as Draft | undefined) : undefined;
}

export function isSealedWrapper(value: unknown): boolean {
  return typeof value === 'object' && value !== null && SEALED.has(value);
}
