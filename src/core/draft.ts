import { StaleReferenceError, TheusError } from '../errors.js';
import { FREE, type Access, type WriteOp } from './access.js';
import { ARRAY_METHODS, arrayLengthSet } from './draft/array.js';
import { dateGet } from './draft/date.js';
import { buildDraft, buildOpenRecord } from './draft/finalise.js';
import { draftTarget } from './draft/inspect.js';
import { mapGet } from './draft/map.js';
import { setGet } from './draft/set.js';
import { DRAFT_TO_JSON, hostile, segmentOf, toIndex, type Container } from './draft/shared.js';
import { wideDelete, wideDescriptor, wideGet, wideHas, wideKeys, wideSet } from './draft/wide.js';
import { Kind, kindOfRaw } from './kinds.js';
import { formatPath, type Segment } from './path.js';
import { DRAFT_KEY, DRAFTS, SEALED, setDraftBrand, type DraftLike } from './registry.js';
import { inheritedMember } from './safe-members.js';
import { refuseHole, sealValue, staleUse } from './seal.js';
import { WideBuilder, type WideRecord } from './wide.js';

/**
 * Drafts: copy-on-write supervisor proxies over committed data.
 *
 * A draft node wraps one committed container. Reading hands out child drafts (cached per node, so
 * `d.a === d.a`) without copying anything — unlike Immer and Mutative, which copy the parent on
 * read to store the child draft. The first write copies the node and then each ancestor, once.
 * Child drafts live in a side map (`children`); only arrays keep them inside their copy, because
 * array mutators (splice, sort, shift …) move elements around.
 *
 * Plain objects and arrays (the hot kinds) are handled here; Maps, Sets, Dates, wide records and
 * the array mutators live in `draft/`, finalisation in `draft/finalise.ts`.
 */

let nextTxId = 1;

/** Per-transaction shared state of every draft it hands out. */
export class DraftScope {
  readonly id = nextTxId++;
  live = true;
  /** Why the scope ended, for the StaleReferenceError message. */
  endedBy: 'commit' | 'rollback' | undefined;
  /** Mutable only so inspection can read without recording conflict keys. */
  trackReads: boolean;
  /** Every draft handed out, for read tracking only (empty otherwise: most transactions never need it). */
  readonly drafts: Draft[];

  constructor(trackReads = false) {
    this.trackReads = trackReads;
    this.drafts = this.trackReads ? [] : NO_DRAFTS;
  }

  retire(reason: 'commit' | 'rollback'): void {
    this.live = false;
    this.endedBy = reason;
  }
}

const hasOwn = Object.prototype.hasOwnProperty;
/** `#built` before the node was built (a built value can be any value, undefined included). */
const UNBUILT: unique symbol = Symbol('unbuilt');
/** Shared by scopes that do not track reads; frozen, so a push into it would fail loudly. */
const NO_DRAFTS = Object.freeze([]) as unknown as Draft[];
/** The dirty bound of "to the end of the array": a small integer (see Draft.dirtyLo) above any real length. */
const TO_END = 0x3fffffff;

/** Map keys compare by SameValueZero (NaN finds NaN); every other kind keys by string or index. */
function sameKey(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

/** What a transaction read through one node, for key-level conflict detection. */
export class ReadTrack {
  /** Keys whose value this transaction read (leaf values). */
  reads: Set<unknown> | null = null;
  /** Keys this transaction navigated through (depends on the child existing, not its content). */
  presence: Set<unknown> | null = null;
  /** The transaction enumerated keys, sizes or iterated: depends on the key set. */
  structureRead = false;
  /** For arrays, Sets and Dates conflicts are tracked for the whole container. */
  wholeRead = false;
}

export class Draft implements ProxyHandler<object>, DraftLike {
  /**
   * The hot traps are own fields, declared first so every draft has the same shape: V8 looks
   * traps up on the handler generically, and finding them on the instance skips a prototype walk
   * on every read and write (a large share of a proxy read's cost).
   */
  readonly get: (target: object, key: PropertyKey, receiver: unknown) => unknown = Draft.prototype.trapGet;
  readonly set: (target: object, key: PropertyKey, value: unknown, receiver: unknown) => boolean = Draft.prototype.trapSet;

  static isDraft(x: unknown): x is Draft {
    return typeof x === 'object' && x !== null && #built in x;
  }

  /** Null only for a transaction's root until `tx.all` asks for it (see stateRoot). */
  proxy: any;
  /** The copy made on first write; null while unmodified. For wide records, a builder. */
  copy: any = null;
  /**
   * Child drafts (all kinds but modified arrays, whose children live in `copy`). Most nodes hand
   * out one child, so the first is kept in `kid`; the Map is made at the second child and then
   * holds every child (`kid` is null again). A Map costs more than the draft it would index.
   */
  kid: Draft | null = null;
  children: Map<unknown, Draft> | null = null;
  /** What this transaction read through this node; only made when the scope tracks reads. */
  track: ReadTrack | null = null;
  /**
   * Object and wide-record keys written, so diffing does not scan the whole node. The first key
   * is kept in `touched1`; a Set is made only for a second one (most nodes change one key).
   */
  touched: Set<string> | null = null;
  touched1: string | undefined = undefined;
  /** A plain object gained a key: only then can it have crossed the wide-record threshold. */
  grew = false;
  /**
   * Arrays: the index range [dirtyLo, dirtyHi) that may differ from the base, so diffing scans
   * only it; empty while dirtyHi is -1. Small integers only (see TO_END): a double in either
   * field would box a heap number in every draft.
   */
  dirtyLo = 0;
  dirtyHi = -1;
  /** Arrays: child drafts handed out (their content may change without their slot changing). */
  arrayKids: Draft[] | null = null;
  /**
   * The committed value built at commit (memoised: a node is reachable once, but be safe).
   * Private, so it doubles as the unforgeable brand of isDraft (one field less per draft).
   */
  #built: unknown = UNBUILT;

  touchKey(key: string): void {
    if (this.touched === null) {
      if (this.touched1 === undefined || this.touched1 === key) {
        this.touched1 = key;
        return;
      }
      this.touched = new Set([this.touched1]);
    }
    this.touched.add(key);
  }

  /** The keys written (see touchKey). */
  touchedKeys(): Iterable<string> {
    return this.touched ?? (this.touched1 === undefined ? [] : [this.touched1]);
  }

  isTouched(key: string): boolean {
    return this.touched !== null ? this.touched.has(key) : this.touched1 === key;
  }

  /** Marks [lo, hi) as possibly changed; `hi` TO_END (or Infinity) reaches past any later growth. */
  touch(lo: number, hi: number): void {
    const h = hi > TO_END ? TO_END : hi;
    if (this.dirtyHi < 0) {
      this.dirtyLo = lo;
      this.dirtyHi = h;
      return;
    }
    if (lo < this.dirtyLo) this.dirtyLo = lo;
    if (h > this.dirtyHi) this.dirtyHi = h;
  }

  // ------------------------------------------------------------------------------------------
  // Child drafts (see `kid`)

  childAt(key: unknown): Draft | undefined {
    const kid = this.kid;
    if (kid !== null) return sameKey(kid.key, key) ? kid : undefined;
    return this.children?.get(key);
  }

  addChild(child: Draft): void {
    if (this.children !== null) this.children.set(child.key, child);
    else if (this.kid === null) this.kid = child;
    else {
      this.children = new Map<unknown, Draft>([
        [this.kid.key, this.kid],
        [child.key, child],
      ]);
      this.kid = null;
    }
  }

  /**
   * Whether writing `v` at `key`, which holds `stored` so far, changes nothing. The same value is
   * not enough: a modified child draft at that key is written over `stored` at finalisation, so
   * assigning the old value back (`a.e = b` after `a.e[0] = x`, where `a.e` came from `b`) is a
   * real write that must discard the child.
   */
  keeps(key: unknown, stored: unknown, v: unknown): boolean {
    if (!Object.is(stored, v)) return false;
    const child = this.childAt(key);
    return child === undefined || child.copy === null;
  }

  dropChild(key: unknown): void {
    const kid = this.kid;
    if (kid !== null) {
      if (sameKey(kid.key, key)) this.kid = null;
    } else if (this.children !== null) this.children.delete(key);
  }

  dropChildren(): void {
    this.kid = null;
    this.children = null;
  }

  hasChildren(): boolean {
    return this.kid !== null || this.children !== null;
  }

  /** Every child draft (the Map's values, the single kid, or nothing). */
  childDrafts(): Iterable<Draft> {
    return this.children !== null ? this.children.values() : this.kid !== null ? [this.kid] : NO_DRAFTS;
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
    lazyProxy = false,
  ) {
    // Each draft gets its own small target: every trap answers from the draft, never from the
    // target, but `util.inspect` / `console.log` print the target, which renders what the
    // access policy lets this transaction read (see draft/inspect.ts).
    this.proxy = lazyProxy ? null : new Proxy(draftTarget(kind === Kind.Array, this), this);
    if (scope.trackReads) scope.drafts.push(this);
  }

  static root(scope: DraftScope, committed: object, access: Access = FREE): Draft {
    const sealed = SEALED.kind(committed);
    return sealed !== undefined
      ? new Draft(scope, null, undefined, sealed, committed, SEALED.raw(committed) as Container, access)
      : new Draft(scope, null, undefined, kindOfRaw(committed), committed, committed as Container, access);
  }

  /** The root draft of a transaction: a State's roots container is always a plain object. */
  static stateRoot(scope: DraftScope, root: object, access: Access): Draft {
    // Its proxy is made on demand: most transactions reach their roots through `tx.domain` & co.,
    // which call the read trap directly, and never ask for the whole state as one proxy.
    return new Draft(scope, null, undefined, Kind.Plain, root, root as Container, access, true);
  }

  /** The proxy of a lazily proxied root (see stateRoot). */
  ensureProxy(): any {
    return (this.proxy ??= new Proxy(draftTarget(false, this), this));
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

  ensureLive(key?: unknown): void {
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
  get current(): any {
    return this.copy ?? this.base;
  }

  /** The read record of this node (made on first use: only tracking scopes call this). */
  tracked(): ReadTrack {
    return (this.track ??= new ReadTrack());
  }

  noteRead(key: unknown): void {
    if (this.kind === Kind.Array || this.kind === Kind.Set || this.kind === Kind.Date) this.tracked().wholeRead = true;
    else (this.tracked().reads ??= new Set()).add(key);
  }

  notePresence(key: unknown): void {
    if (this.kind === Kind.Array || this.kind === Kind.Set) this.tracked().wholeRead = true;
    else (this.tracked().presence ??= new Set()).add(key);
  }

  noteStructure(): void {
    if (this.kind === Kind.Array || this.kind === Kind.Set || this.kind === Kind.Date) this.tracked().wholeRead = true;
    else this.tracked().structureRead = true;
  }

  /** The transaction depends on the whole container (arrays, Sets, Dates). */
  noteWhole(): void {
    this.tracked().wholeRead = true;
  }

  /** False when the key is invisible to this transaction (private zones); throws when denied. */
  canRead(key: unknown): boolean {
    return this.access.readAll || this.access.readKey(segmentOf(this.kind, key), this);
  }

  /** For key listings and iteration: denied and invisible keys are both left out instead of throwing. */
  readableQuietly(key: unknown): boolean {
    if (this.access.readAll) return true;
    try {
      return this.canRead(this.kind === Kind.Array && typeof key === 'string' ? toIndex(key) : key);
    } catch {
      return false;
    }
  }

  checkWrite(key: unknown, op: WriteOp): void {
    if (!this.access.writeAll) this.access.writeKey(key === undefined ? undefined : segmentOf(this.kind, key), op, this);
  }

  /** Wraps a committed child value as a draft, or returns primitives/opaque values as they are. */
  childFor(key: unknown, value: unknown): unknown {
    if (typeof value !== 'object' || value === null) {
      if (this.scope.trackReads) this.noteRead(key);
      return value;
    }
    const existing = this.childAt(key);
    if (existing) {
      if (this.scope.trackReads) this.notePresence(key);
      return existing.proxy;
    }
    return this.newChild(key, value);
  }

  /** childFor for an object value whose key has no child draft yet (the caller looked). */
  newChild(key: unknown, value: object): unknown {
    const sealed = SEALED.kind(value);
    const kind = sealed ?? kindOfRaw(value);
    if (kind === Kind.Opaque || kind === Kind.Primitive) {
      if (this.scope.trackReads) this.noteRead(key);
      return value;
    }
    if (this.scope.trackReads) this.notePresence(key);
    const access = this.access.readAll && this.access.writeAll ? this.access : this.access.child(segmentOf(this.kind, key), this);
    const child = new Draft(this.scope, this, key, kind, value, (sealed !== undefined ? SEALED.raw(value) : value) as Container, access);
    if (this.kind === Kind.Array) {
      (this.arrayKids ??= []).push(child);
      if (this.copy) {
        (this.copy as unknown[])[key as number] = child.proxy;
        return child.proxy;
      }
    }
    this.addChild(child);
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
          return mapGet(this, key, receiver);
        case Kind.Set:
          return setGet(this, key, receiver);
        case Kind.Date:
          return dateGet(this, key, receiver);
        case Kind.Wide:
          return wideGet(this, key, receiver);
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
    if (typeof key === 'symbol') return inheritedMember(Object.getPrototypeOf(src) as object | null, key, receiver);
    if (key === '__proto__' || key === 'prototype') throw hostile(key, this.path());
    if (!hasOwn.call(src, key)) {
      if (this.kind === Kind.Array) {
        const mutator = ARRAY_METHODS.get(key as string);
        if (mutator !== undefined) return mutator;
      }
      if ((key === 'toJSON' || key === 'toDict') && this.kind !== Kind.Instance) return DRAFT_TO_JSON;
      // Methods and accessors from the prototype chain run against the proxy, so their reads and
      // writes go through these traps too. What they are is never handed out (safe-members.ts).
      if (this.scope.trackReads) this.notePresence(key);
      return inheritedMember((Object.getPrototypeOf(src) as object | null) ?? Object.prototype, key, receiver);
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
    if (this.kind === Kind.Wide) return wideHas(this, key);
    return key in this.current;
  }

  ownKeys(): ArrayLike<string | symbol> {
    this.ensureLive();
    if (this.scope.trackReads) this.noteStructure();
    let keys: (string | symbol)[];
    if (this.kind === Kind.Wide) {
      keys = [...wideKeys(this)];
    } else if (this.kind === Kind.Map || this.kind === Kind.Set || this.kind === Kind.Date) {
      keys = [];
    } else {
      keys = Reflect.ownKeys(this.current);
    }
    if (!this.access.readAll) keys = keys.filter((k) => k === 'length' || typeof k === 'symbol' || this.readableQuietly(k));
    return keys;
  }

  getOwnPropertyDescriptor(target: object, key: PropertyKey): PropertyDescriptor | undefined {
    this.ensureLive(key);
    if (this.kind === Kind.Map || this.kind === Kind.Set || this.kind === Kind.Date) return undefined;
    if (this.kind === Kind.Wide) return wideDescriptor(this, target, key);
    const desc = Reflect.getOwnPropertyDescriptor(this.current, key);
    if (!desc) return undefined;
    if (this.kind === Kind.Array && key === 'length') return { value: (this.current as unknown[]).length, writable: true, enumerable: false, configurable: false };
    if ('value' in desc) return { value: this.get(target, key, this.proxy), writable: true, enumerable: desc.enumerable ?? true, configurable: true };
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

  /** Like markChanged, with a copy the caller built already (an array push builds it at its final size). */
  adoptCopy(copy: unknown[]): void {
    this.copy = copy;
    for (let d = this.parent; d && d.copy === null; d = d.parent) d.makeCopy();
  }

  private makeCopy(): void {
    const base = this.base;
    switch (this.kind) {
      case Kind.Array: {
        // Spread, not slice: V8's slice of a frozen array is two orders of magnitude slower.
        const copy = [...(base as unknown[])];
        for (const child of this.childDrafts()) copy[child.key as number] = child.proxy;
        this.dropChildren();
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
        return;
      default:
        throw new TheusError('UNSUPPORTED_VALUE', `Cannot write inside ${formatPath(this.path())}.`, { path: formatPath(this.path()) });
    }
  }

  /** Seals a value being written at `key` (copying it unless it is committed already). */
  incoming(key: unknown, value: unknown): unknown {
    if (typeof value !== 'object' || value === null) {
      if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return sealValue(value, this.childPath(key));
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
        return wideSet(this, key, value);
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
      case Kind.Array:
        return this.arraySet(key, value);
      default:
        break;
    }
    const src = this.current as Record<string, unknown>;
    const exists = hasOwn.call(src, key);
    this.checkWrite(key, exists ? 'update' : 'add');
    const v = this.incoming(key, value);
    if (exists && this.keeps(key, src[key], v)) return true;
    this.markChanged();
    this.dropChild(key);
    this.touchKey(key);
    if (!exists) this.grew = true;
    (this.copy as Record<string, unknown>)[key] = v;
    return true;
  }

  private arraySet(key: string, value: unknown): boolean {
    const src = this.current as unknown[];
    if (key === 'length') return arrayLengthSet(this, value);
    const seg = toIndex(key);
    if (typeof seg !== 'number') {
      // A named property on a list would commit, yet appear in no delta, conflict key or JSON.
      throw new TheusError('UNSUPPORTED_VALUE', `Arrays in state hold elements only: cannot set '${key}' on ${formatPath(this.path())}; use an object for named fields.`, {
        path: formatPath(this.childPath(key)),
      });
    }
    const len = src.length;
    const exists = seg < len;
    this.checkWrite(seg, exists ? 'update' : 'append');
    if (seg > len) refuseHole(len, len, this.path());
    const v = this.incoming(seg, value);
    if (exists && this.keeps(seg, src[seg], v)) return true;
    this.markChanged();
    this.touch(seg, seg + 1);
    (this.copy as unknown[])[seg] = v;
    return true;
  }

  deleteProperty(_target: object, prop: PropertyKey): boolean {
    this.ensureLive(prop);
    if (typeof prop === 'symbol') return true;
    const key = prop as string;
    if (key === '__proto__' || key === 'prototype' || key === 'constructor') throw hostile(key, this.path());
    if (this.kind === Kind.Wide) return wideDelete(this, key);
    if (this.kind === Kind.Map || this.kind === Kind.Set || this.kind === Kind.Date) return true;
    if (!hasOwn.call(this.current, key)) return true;
    if (this.kind === Kind.Array) {
      const seg = toIndex(key);
      if (typeof seg !== 'number') return true;
      // Arrays stay dense: deleting an element stores undefined in its slot (what JSON would show).
      this.checkWrite(seg, 'delete');
      if ((this.current as unknown[])[seg] === undefined) return true;
      this.markChanged();
      this.touch(seg, seg + 1);
      (this.copy as unknown[])[seg] = undefined;
      return true;
    }
    this.checkWrite(key, 'delete');
    this.markChanged();
    this.touchKey(key);
    this.dropChild(key);
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
  // Snapshots and finalisation

  /** Current content as committed data, without ending the transaction (value semantics on assignment). */
  snapshot(_path: readonly PropertyKey[]): unknown {
    if (!this.scope.live) throw staleUse(this.path());
    if (this.copy === null) {
      // A State's roots container may be held unfrozen (see State#root): freeze it before it
      // can become a value in state.
      if (this.parent === null) Object.freeze(this.committed);
      return this.committed;
    }
    return buildDraft(this, false);
  }

  /** Produces the committed value of this node. With `inPlace`, the copy itself is frozen (commit). */
  build(inPlace: boolean): unknown {
    if (inPlace) {
      // A sentinel, not a wrapper object: a commit builds one value per changed node.
      if (this.#built === UNBUILT) this.#built = buildDraft(this, true);
      return this.#built;
    }
    return buildDraft(this, false);
  }

  /** The committed roots container, left unfrozen for the State that takes it (commit only). */
  buildOpenRoot(): unknown {
    return buildOpenRecord(this);
  }
}

/** The handler is machinery: inspecting it (`showProxy`) shows nothing of the data it guards. */
Object.defineProperty(Draft.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value: () => '[theus draft handler]',
});

// -----------------------------------------------------------------------------------------------

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

setDraftBrand((x): x is DraftLike => Draft.isDraft(x));

export function draftOf(value: unknown): Draft | undefined {
  return typeof value === 'object' && value !== null ? (DRAFTS.get(value) as Draft | undefined) : undefined;
}

export function isSealedWrapper(value: unknown): boolean {
  return typeof value === 'object' && value !== null && SEALED.has(value);
}
