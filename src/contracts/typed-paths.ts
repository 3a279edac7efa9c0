/**
 * Compile-time checking of contract paths against a context type. Only the literal paths a user
 * writes are checked, one by one (lazy, per-literal): the union of every path of a large context
 * type is never built, which would cost seconds of compile time.
 */

// One step down a path, for each member of `T`. Plain objects come first and cost one test: an
// object with neither a `size` nor a `length` key can be no Map and no array, so relating it to
// those library types (which resolves their members and runs an inference pass) is skipped. `any`
// needs no test of its own: every step of it is `any`.
type Step<T, H extends string> = T extends unknown
  ? [keyof T & ('size' | 'length')] extends [never]
    ? KeyStep<T, H>
    : CollectionStep<T, H>
  : never;

type CollectionStep<T, H extends string> = string extends keyof T
  ? KeyStep<T, H>
  : 'length' extends keyof T
    ? T extends readonly (infer E)[]
      ? H extends '*' | `${number}`
        ? E
        : never
      : MapStep<T, H>
    : MapStep<T, H>;

type MapStep<T, H extends string> = 'size' extends keyof T ? (T extends ReadonlyMap<any, infer V> ? V : KeyStep<T, H>) : KeyStep<T, H>;

// A string index signature makes every name a key of `T`, so records need no branch of their own.
type KeyStep<T, H extends string> = H extends keyof T ? NonNullable<T[H]> : H extends '*' ? T[keyof T] : never;

/** True when the dotted path `P` names something in `T` (`*` matches any one key). */
export type IsValidPath<T, P extends string> = P extends `${infer H}.${infer R}` ? IsValidPath<Step<T, H>, R> : [Step<T, P>] extends [never] ? false : true;

// Signal topics need no place in the context type: a context without a `signal` root accepts any
// `signal.<topic>` output (payloads are then `unknown`). Decided once per list, not per path.
type FreeSignals<C> = 'signal' extends keyof C ? never : 'signal' | `signal.${string}`;

/** The paths of the list `L` that do not exist in `C` (never when all are valid). */
export type InvalidPaths<C, L> = L extends readonly (infer P extends string)[] ? Invalid<C, P, FreeSignals<C>> : never;

type Invalid<C, P extends string, Free> = P extends Free ? never : IsValidPath<C, P> extends true ? never : P;

/** Adds an impossible requirement naming the bad path, so the compiler error says what is wrong. */
export type PathCheck<K extends string, C, L> = [InvalidPaths<C, L>] extends [never]
  ? unknown
  : { [key in K]: `Unknown context path: ${InvalidPaths<C, L> & string}` };

/** The type found at the dotted path `P` of `C` (`*` steps into any key or element). */
export type ValueAt<C, P extends string> = P extends `${infer H}.${infer R}` ? ValueAt<Step<C, H>, R> : Step<C, P>;
