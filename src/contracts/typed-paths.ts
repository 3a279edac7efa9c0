/**
 * Compile-time checking of contract paths against a context type. Only the literal paths a user
 * writes are checked, one by one (lazy, per-literal): the union of every path of a large context
 * type is never built, which would cost seconds of compile time.
 */

type IsAny<T> = 0 extends 1 & T ? true : false;

// One step down a path, for each member of `T`. The key tests come before relating `T` to `Map` or
// to an array: a plain object without a `size` or `length` key can be neither, and relating it to
// them would resolve those library types and run an inference pass on every step.
type Step<T, H extends string> = IsAny<T> extends true ? any : T extends unknown ? MapStep<T, H> : never;

type MapStep<T, H extends string> = 'size' extends keyof T ? (T extends ReadonlyMap<any, infer V> ? V : ArrayStep<T, H>) : ArrayStep<T, H>;

type ArrayStep<T, H extends string> = 'length' extends keyof T
  ? T extends readonly (infer E)[]
    ? H extends '*' | `${number}`
      ? E
      : never
    : KeyStep<T, H>
  : KeyStep<T, H>;

type KeyStep<T, H extends string> = H extends '*' ? T[keyof T] : H extends keyof T ? NonNullable<T[H]> : string extends keyof T ? T[string] : never;

/** True when the dotted path `P` names something in `T` (`*` matches any one key). */
export type IsValidPath<T, P extends string> =
  IsAny<T> extends true
    ? true
    : P extends `${infer H}.${infer R}`
      ? [Step<T, H>] extends [never]
        ? false
        : IsValidPath<Step<T, H>, R>
      : [Step<T, P>] extends [never]
        ? false
        : true;

// Signal topics need no place in the context type: a context without a `signal` root accepts any
// `signal.<topic>` output (payloads are then `unknown`).
type FreeSignal<C, P extends string> = 'signal' extends keyof C ? false : P extends 'signal' | `signal.${string}` ? true : false;

/** The paths of the list `L` that do not exist in `C` (never when all are valid). */
export type InvalidPaths<C, L> = L extends readonly (infer P)[]
  ? P extends string
    ? FreeSignal<C, P> extends true
      ? never
      : IsValidPath<C, P> extends true
        ? never
        : P
    : never
  : never;

/** Adds an impossible requirement naming the bad path, so the compiler error says what is wrong. */
export type PathCheck<K extends string, C, L> = [InvalidPaths<C, L>] extends [never]
  ? unknown
  : { [key in K]: `Unknown context path: ${InvalidPaths<C, L> & string}` };

type Walk<T, P extends string> = P extends `${infer H}.${infer R}` ? Walk<Step<T, H>, R> : Step<T, P>;

/** The type found at the dotted path `P` of `C` (`*` steps into any key or element). */
export type ValueAt<C, P extends string> = IsAny<C> extends true ? any : Walk<C, P>;
