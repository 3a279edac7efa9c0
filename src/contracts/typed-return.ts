/**
 * What a typed process may return, from its outputs: with one output, a value of that output's
 * type; with several, an object keyed by output path (or last segment) or an array in
 * declaration order; always `undefined` (nothing written) or a `StateUpdate` naming declared
 * outputs (checked by `UpdateCheck`). Any other value is a compile error instead of a silent
 * overwrite at run time.
 */
import type { StateUpdate } from './state-update.js';
import type { ValueAt } from './typed-paths.js';

type SignalPayloads<C> = C extends { signal: infer S } ? S : Record<string, unknown>;

/** The payload type of a signal topic: from the context's `signal` type when it has one. */
export type SignalPayload<C, T extends string> = T extends keyof SignalPayloads<C> ? SignalPayloads<C>[T] : unknown;

/** The value a returned entry writes to the output `P`. A wildcard output takes no value. */
export type OutputValue<C, P extends string> = P extends `${string}*${string}`
  ? undefined
  : P extends `signal.${infer T}`
    ? SignalPayload<C, T>
    : P extends 'signal'
      ? undefined
      : ValueAt<C, P>;

/** The outputs a result key stands for: the output itself, or the outputs it is the last segment of. */
type OutputNamed<O extends string, K> = O extends K | `${string}.${K & string}` ? O : never;

type LastSegment<P extends string> = P extends `${string}.${infer Rest}` ? LastSegment<Rest> : P;

// Keyed by every output path and last segment, over one key set rather than through an `as` clause
// (which the compiler re-evaluates whenever it asks whether the type is generic).
type Several<C, O extends readonly string[]> =
  | { readonly [K in O[number] | LastSegment<O[number]>]?: OutputValue<C, OutputNamed<O[number], K>> }
  | { readonly [I in keyof O]?: O[I] extends string ? OutputValue<C, O[I]> : never };

type Returnable<C, O extends readonly string[]> = number extends O['length']
  ? unknown
  : O extends readonly []
    ? unknown
    : (O extends readonly [infer P extends string] ? OutputValue<C, P> : Several<C, O>) | StateUpdate | undefined | void;

/** The constraint on a typed process's result (`async` functions included). */
export type ReturnFor<C, O extends readonly string[]> = Returnable<C, O> | PromiseLike<Returnable<C, O>>;

type Sections = 'data' | 'signal' | 'meta' | 'heavy';
// The keys a user wrote; the index signature of the untyped section type is not one of them.
type KnownKeys<D> = keyof { [K in keyof D as string extends K ? never : K]: 0 } & string;
type SectionKeys<U, S extends Sections> = U extends { readonly [k in S]?: infer D } ? (D extends object ? KnownKeys<D> : never) : never;
type Prefixed<U, S extends Sections, Root extends string> = SectionKeys<U, S> extends infer K extends string ? (Root extends '' ? K : `${Root}.${K}`) : never;

/** Every path a returned `StateUpdate` names, in output spelling (`signal.<topic>`, `meta.x`, …). */
type UpdatePaths<U> = Prefixed<U, 'data', ''> | Prefixed<U, 'signal', 'signal'> | Prefixed<U, 'meta', 'meta'> | Prefixed<U, 'heavy', 'heavy'>;

type Covered<P extends string, O extends string> = O extends P
  ? true
  : P extends `${O}.${string}`
    ? true
    : O extends `${infer Head}.*${infer Tail}`
      ? P extends `${Head}.${string}${Tail}`
        ? true
        : O extends `${infer OH}.${string}` ? (P extends OH ? true : never) : never
      : O extends `${P}.${string}`
        ? true // nested form: `{ domain: { … } }` names a root or ancestor of an output
        : never;

type Undeclared<U, O extends string> = UpdatePaths<U> extends infer P extends string ? (P extends unknown ? ([Covered<P, O>] extends [never] ? P : never) : never) : never;

type DataSection<U> = U extends { readonly data?: infer D } ? D : never;

/** Dotted `data` paths whose value does not fit the output's type (nested forms are checked at run time). */
type WrongValues<C, U> = DataSection<U> extends infer D
  ? { [P in KnownKeys<D>]: P extends `${string}.${string}` ? (D[P & keyof D] extends OutputValue<C, P> ? never : P) : never }[KnownKeys<D>]
  : never;

type UpdateProblem<C, O extends string, U> = [Undeclared<U, O>] extends [never]
  ? [WrongValues<C, U>] extends [never]
    ? never
    : `StateUpdate value of the wrong type for: ${WrongValues<C, U>}`
  : `StateUpdate writes a path that is not an output: ${Undeclared<U, O>}`;

/**
 * Checked on the contract argument once the result type is known, and only when the result is a
 * `StateUpdate` (so other processes pay nothing for it): a path outside the outputs, or a value
 * that does not fit its output, adds an impossible requirement whose text names the path.
 */
export type UpdateCheck<C, O extends string, R> =
  UpdateIn<R> extends infer U ? ([U] extends [never] ? unknown : [UpdateProblem<C, O, U>] extends [never] ? unknown : { outputs: UpdateProblem<C, O, U> }) : never;

// The `StateUpdate` members of a result, through promises. Not `Extract<Awaited<R>, …>`: `Awaited`
// relates every member of the result union to a structural thenable, which made this check cost as
// much as the rest of a process's typing, for the many processes that return no update at all.
type UpdateIn<R> = R extends StateUpdate ? R : R extends PromiseLike<infer V> ? UpdateIn<V> : never;
