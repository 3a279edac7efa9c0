import type { Kind } from './kinds.js';

/**
 * Identity registries shared by the sealing, view and draft modules. They are module-private to
 * the core: nothing outside `src/core` can map a proxy back to the object it guards.
 */

/** Frozen committed nodes (plain objects, arrays, class instances): safe to hand out as they are. */
export const COMMITTED = new WeakSet<object>();

/** Read-only wrappers around committed containers that cannot be frozen (Map, Set, Date, wide records). */
export type SealedKind = Kind.Map | Kind.Set | Kind.Date | Kind.Wide;

/**
 * Asked of a wrapper (its handler answers it), returns the raw container behind it. Module-private
 * to the core, and asked only of registered wrappers, so no foreign proxy trap ever runs for it.
 */
export const RAW_KEY = Symbol('theus.raw');

/**
 * The weak table holds only each wrapper's kind, a small integer, never the container: V8's
 * scavenger keeps the values of a long-lived WeakMap alive while their keys are young, so a value
 * pointing at the container kept every superseded version of a wide record, Map or Set alive
 * until the next full GC (megabytes copied by each scavenge of a busy commit loop).
 */
const sealedKinds = new WeakMap<object, SealedKind>();

export const SEALED = {
  register(view: object, kind: SealedKind): void {
    sealedKinds.set(view, kind);
  },
  /** The kind a wrapper wraps, or undefined for anything that is not one of our wrappers. */
  kind(value: object): SealedKind | undefined {
    return sealedKinds.get(value);
  },
  has(value: object): boolean {
    return sealedKinds.has(value);
  },
  /** The raw container behind a registered wrapper. */
  raw(view: object): object {
    return (view as Record<symbol, object>)[RAW_KEY]!;
  },
};

/**
 * Drafts are recognised by asking the proxy for a module-private symbol (their trap answers it),
 * then confirming the answer with an unforgeable brand check. This replaces a WeakMap of every
 * proxy: registering thousands of short-lived proxies in weak tables made V8's GC the main cost
 * of small transactions.
 */
export const DRAFT_KEY = Symbol('theus.draft');

let isGenuine: (x: unknown) => x is DraftLike = (_x): _x is DraftLike => false;

/** Called once by the draft module with its brand check. */
export function setDraftBrand(check: (x: unknown) => x is DraftLike): void {
  isGenuine = check;
}

export const DRAFTS = {
  get(value: object): DraftLike | undefined {
    const d = (value as Record<symbol, unknown>)[DRAFT_KEY];
    return d !== undefined && isGenuine(d) ? d : undefined;
  },
  has(value: object): boolean {
    return this.get(value) !== undefined;
  },
};

export interface DraftLike {
  /** Returns the draft's current value as committed data (copying modified parts). */
  snapshot(path: readonly PropertyKey[]): unknown;
  readonly owner: { readonly live: boolean; readonly id: number };
}
