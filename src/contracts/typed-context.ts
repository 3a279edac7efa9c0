/**
 * The `ctx` of a typed process, built from its contract. The declared paths are kept as one
 * union of strings (inputs ∪ outputs for reads, outputs for writes); each property access walks
 * one segment down that union, so the cost follows what the body touches, never the size of the
 * context type. `'**'` marks "this whole subtree".
 */

import type { SignalPayload } from './typed-return.js';

type IsAny<T> = 0 extends 1 & T ? true : false;

/** Everything below this node is covered by a declared path. */
export type Whole = '**';

/** The declared paths left below key `K` of a node whose remaining paths are `R`. */
export type Below<R extends string, K extends string> = R extends Whole | K | '*'
  ? Whole
  : R extends `${K}.${infer Rest}`
    ? Rest
    : R extends `*.${infer Rest}`
      ? Rest
      : never;

/** Below a key of the type: an index signature's key (`string`) stands for any key, so only `*` paths reach it. */
type BelowKey<R extends string, K> = string extends K ? Below<R, '*'> : number extends K ? Below<R, '*'> : Below<R, K & string>;

/** The same for the elements of an array, Map or Set (an index, a key or `*`). */
export type BelowItem<R extends string> = R extends Whole | '*' | `${number}`
  ? Whole
  : R extends `${string}.${infer Rest}`
    ? Rest
    : never;

/** First segments of the remaining paths. */
export type Heads<R extends string> = R extends `${infer H}.${string}` ? H : R;

type Callable = ((...args: never) => unknown) | (abstract new (...args: never) => unknown);

/**
 * What a view does with a value of type `T` (one member of a union): `leaf` values (primitives,
 * functions) pass through; Maps, Sets, arrays and Dates have their own views; anything else is an
 * object. One alias, so the compiler evaluates it once per type and every view of that type, in
 * every process, reuses it. Key tests come before any relation to a library type: relating a plain
 * object to `Date`, `Map`, `Function` or a function type resolves the members of those types (and
 * runs an inference pass) each time. A record (index signature) or an object with keys but none
 * of `getTime`, `size`, `length`, `apply` can be none of them; only a keyless object type may be a
 * bare function type.
 */
type Kind<T> = T extends object ? (string extends keyof T ? 'object' : [keyof T & LibraryKeys] extends [never] ? KeyedKind<T> : FunctionKind<T>) : 'leaf';

type KeyedKind<T> = [keyof T] extends [never] ? (T extends Callable ? 'leaf' : 'object') : 'object';

/** Keys by which a function, Map, Set, Date or array is told apart; a plain object has none of them. */
type LibraryKeys = 'apply' | 'size' | 'getTime' | 'length';

type FunctionKind<T> = 'apply' extends keyof T
  ? // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- functions pass through views untouched
    T extends Function
    ? 'leaf'
    : CollectionKind<T>
  : CollectionKind<T>;

type CollectionKind<T> = 'size' extends keyof T
  ? T extends Map<unknown, unknown>
    ? 'map'
    : T extends ReadonlyMap<unknown, unknown>
      ? 'readonly map'
      : T extends ReadonlySet<unknown>
        ? 'set'
        : DateKind<T>
  : DateKind<T>;

type DateKind<T> = 'getTime' extends keyof T ? (T extends Date ? 'date' : ArrayKind<T>) : ArrayKind<T>;

type ArrayKind<T> = 'length' extends keyof T ? (T extends readonly unknown[] ? 'array' : 'object') : 'object';

/** Deeply read-only: what an input (or anything in a `pure` process) looks like. */
export type DeepReadonly<T> = T extends unknown ? ReadonlyOf<T, Kind<T>> : never;

type ReadonlyOf<T, K> = K extends 'object'
  ? { readonly [P in keyof T]: DeepReadonly<T[P]> }
  : K extends 'leaf'
    ? T
    : K extends 'array'
      ? { readonly [I in keyof T]: DeepReadonly<T[I]> }
      : K extends 'date'
        ? ReadonlyDate
        : T extends ReadonlyMap<infer MK, infer V>
          ? ReadonlyMap<MK, DeepReadonly<V>>
          : T extends ReadonlySet<infer E>
            ? ReadonlySet<DeepReadonly<E>>
            : never;

/** A `Date` whose setters are gone. */
export type ReadonlyDate = Omit<Date, `set${string}`>;

/** `log_`, `audit_`, `sig_`, `cmd_` arrays: entries can be added, never changed or removed. */
export interface AppendOnly<E> extends ReadonlyArray<DeepReadonly<E>> {
  push(...items: E[]): number;
}

type AppendZone = `log_${string}` | `audit_${string}` | `sig_${string}` | `cmd_${string}`;

/** Keys of `T` selected by the heads `H` (all of them for `*`; records accept any named key). */
// `H & keyof T` rather than `Extract<keyof T, H>`: an intersection of literal unions is computed at
// once, where `Extract` runs a conditional type for every key of `T`.
type Selected<T, H extends string> = string extends keyof T ? ('*' extends H ? keyof T | Exclude<H, '*'> : H) : '*' extends H ? keyof T : H & keyof T;

// Every selected key is a key of `T` (or a name an index signature takes).
type Prop<T, K> = T[K & keyof T];

/** Writable keys: a whole-subtree output that is not a `const_` or append-only key. */
type WritableKeys<W extends string, K> = K extends string ? (K extends `const_${string}` | AppendZone ? never : Whole extends BelowKey<W, K> ? K : never) : never;

/** What a key holds in a view: zones first (their physics beat the contract), then the contract. */
type Value<V, K, R extends string, W extends string, P extends string> = K extends `${string}_${string}` ? ZonedValue<V, K, R, W, P> : Scope<V, BelowKey<R, K>, BelowKey<W, K>, `${P}.${string extends K ? '*' : K & string}`>;

// Only keys with an underscore can carry a zone prefix: one test spares the others for every other key.
type ZonedValue<V, K, R extends string, W extends string, P extends string> = K extends `const_${string}`
  ? DeepReadonly<V>
  : K extends AppendZone
    ? [BelowKey<W, K>] extends [never]
      ? DeepReadonly<V>
      : V extends readonly (infer E)[]
        ? AppendOnly<E>
        : DeepReadonly<V>
    : Scope<V, BelowKey<R, K>, BelowKey<W, K>, `${P}.${string extends K ? '*' : K & string}`>;

/**
 * The part of a context value a contract lets a process see. A key the contract does not name
 * is absent (reading it is a compile error); a key it names only as an input is `readonly`, and
 * so is everything below it.
 */
export type Scope<T, R extends string, W extends string, P extends string> = IsAny<T> extends true ? any : T extends unknown ? ScopeOf<T, Kind<T>, R, W, P> : never;

type ScopeOf<T, K, R extends string, W extends string, P extends string> = K extends 'leaf'
  ? T
  : Whole extends W
    ? Writable<T>
    : [W] extends [never]
      ? Whole extends R
        ? DeepReadonly<T>
        : ReadScope<T, K, R, P>
      : MixedScope<T, K, R, W, P>;

declare const contractScope: unique symbol;

/**
 * Names, in the type itself, the context path a partial view stands for, so that the compiler's
 * "Property 'x' does not exist on type …" message says which path lacked a declaration.
 */
export interface Marked<P extends string> {
  readonly [contractScope]?: `only the declared paths below ${P}`;
}

/** Read-only, but only the declared keys. */
type ReadScope<T, K, R extends string, P extends string> = K extends 'object'
  ? { readonly [Key in Selected<T, Heads<R>>]: Value<Prop<T, Key>, Key, R, never, P> } & Marked<P>
  : K extends 'array'
    ? T extends readonly (infer E)[]
      ? ReadonlyArray<Scope<E, BelowItem<R>, never, `${P}.*`>>
      : never
    : K extends 'date'
      ? ReadonlyDate
      : T extends ReadonlyMap<infer MK, infer V>
        ? ReadonlyMap<MK, Scope<V, BelowItem<R>, never, `${P}.*`>>
        : T extends ReadonlySet<infer E>
          ? ReadonlySet<DeepReadonly<E>>
          : never;

/** Some writable paths below: declared keys, writable where an output covers them entirely. */
type MixedScope<T, K, R extends string, W extends string, P extends string> = K extends 'object'
  ? MixedObject<T, R, W, P>
  : K extends 'array'
    ? T extends readonly (infer E)[]
      ? Whole extends BelowItem<W>
        ? ItemsWritable<E>
        : ReadonlyArray<Scope<E, BelowItem<R>, BelowItem<W>, `${P}.*`>>
      : never
    : K extends 'map'
      ? T extends Map<infer MK, infer V>
        ? Whole extends BelowItem<W>
          ? Map<MK, V>
          : ReadonlyMap<MK, Scope<V, BelowItem<R>, BelowItem<W>, `${P}.*`>>
        : never
      : K extends 'date'
        ? ReadonlyDate
        : // a Set, or a `ReadonlyMap` that is no `Map` (which the compiler relates to `ReadonlySet`)
          T extends ReadonlySet<infer E>
          ? ReadonlySet<DeepReadonly<E>>
          : MixedObject<T, R, W, P>;

// The read-only and the writable keys are computed once, and each half maps over its own set.
// Not one mapped type per half with an `as` clause: the compiler re-evaluates an `as` clause for
// every key each time it asks whether the mapped type is generic, which it asks at every
// conditional type the view passes through.
type MixedObject<T, R extends string, W extends string, P extends string> = Whole extends R
  ? Halves<T, keyof T, WritableKeys<W, keyof T>, R, W, P>
  : Halves<T, Selected<T, Heads<R>>, WritableKeys<W, Selected<T, Heads<R>>>, R, W, P> & Marked<P>;

type Halves<T, Keys, WK, R extends string, W extends string, P extends string> = ReadHalf<T, Exclude<Keys, WK> & keyof T, R, W, P> & WriteHalf<T, WK & keyof T>;

// Mapped over a type parameter constrained to `keyof T`, so optional keys stay optional.
type ReadHalf<T, K extends keyof T, R extends string, W extends string, P extends string> = { readonly [Key in K]: Value<T[Key], Key, R, W, P> };

type WriteHalf<T, K extends keyof T> = { -readonly [Key in K]: Writable<T[Key]> };

type ZoneLocked = `const_${string}` | AppendZone;

/**
 * A whole output subtree: writable, except where a zone prefix says otherwise (`const_` keys
 * read-only, `log_`/`audit_`/`sig_`/`cmd_` arrays append-only). Mapped lazily, one level per access.
 */
export type Writable<T> = T extends unknown ? WritableOf<T, Kind<T>> : never;

type WritableOf<T, K> = K extends 'object'
  ? WritableObject<T>
  : K extends 'array'
    ? { -readonly [I in keyof T]: Writable<T[I]> }
    : T;

type WritableObject<T> =
  [Extract<keyof T, ZoneLocked>] extends [never]
      ? { -readonly [K in keyof T]: Writable<T[K]> }
      : { readonly [K in keyof T as K extends ZoneLocked ? K : never]: ZoneValue<T[K], K> } & { -readonly [K in keyof T as K extends ZoneLocked ? never : K]: Writable<T[K]> };

type ZoneValue<V, K> = K extends AppendZone ? (V extends readonly (infer E)[] ? AppendOnly<E> : DeepReadonly<V>) : DeepReadonly<V>;

/** `items.*` is an output but `items` is not: elements can be replaced, the array cannot grow or shrink. */
export interface ItemsWritable<E> extends ReadonlyArray<E> {
  [index: number]: E;
}

type WellKnownRoot = 'domain' | 'global' | 'heavy' | 'meta';
type Root<C, K extends string> = K extends keyof C ? C[K] : any;

/** `ctx.signal`: the declared signal outputs, assignable, and `publish` for the same topics. */
export type TypedSignals<C, W extends string> = [W] extends [never]
  ? { publish(topic: never, payload?: never): void }
  : Whole extends W
    ? { publish<T extends string>(topic: T, payload?: SignalPayload<C, T>): void } & Record<string, unknown>
    : { -readonly [T in Heads<W>]: SignalPayload<C, T> } & { publish<T extends Heads<W>>(topic: T, payload?: SignalPayload<C, T>): void };

type OutboxMap<C> = C extends { outbox: infer M } ? M : Record<string, unknown>;

/** `ctx.outbox`: topics and payloads from the context's `outbox` type when it declares one. */
export interface TypedOutbox<C> {
  add<T extends keyof OutboxMap<C> & string>(topic: T, ...payload: undefined extends OutboxMap<C>[T] ? [payload?: OutboxMap<C>[T]] : [payload: OutboxMap<C>[T]]): void;
}

/**
 * The typed `ctx`: the roots the contract names (anything else is absent), `ctx.ns(name)` for
 * declared namespaces, signals and outbox from the declared outputs and the context type.
 */
export type TypedContext<C, R extends string, W extends string, A> = {
  readonly [K in Extract<Heads<R>, WellKnownRoot>]: Scope<Root<C, K>, Below<R, K>, Below<W, K>, K>;
} & {
  readonly signal: TypedSignals<C, Below<W, 'signal'>>;
  readonly outbox: TypedOutbox<C>;
  /** Per-execution scratch space, never committed. */
  readonly local: Record<string, unknown>;
  readonly input: A;
  readonly abortSignal: AbortSignal;
  /**
   * Runs `fn` with an admin view of the same transaction: zone ceilings lifted (except `const_`),
   * the contract unchanged, so the view has the same type. Every use is logged.
   */
  asAdmin<T>(fn: (admin: TypedContext<C, R, W, A>) => T): T;
  /** A configured namespace root the contract names. */
  ns<N extends Exclude<Heads<R>, WellKnownRoot | 'signal' | '*'>>(name: N): Scope<Root<C, N>, Below<R, N>, Below<W, N>, N>;
};
