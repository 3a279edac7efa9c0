import type { Kind } from './kinds.js';

/**
 * Identity registries shared by the sealing, view and draft modules. They are module-private to
 * the core: nothing outside `src/core` can map a proxy back to the object it guards.
 */

/** Frozen committed nodes (plain objects, arrays, class instances): safe to hand out as they are. */
export const COMMITTED = new WeakSet<object>();

/** Read-only wrappers around committed containers that cannot be frozen (Map, Set, Date, wide records). */
export interface SealedInfo {
  readonly kind: Kind.Map | Kind.Set | Kind.Date | Kind.Wide;
  readonly raw: object;
}
export const SEALED = new WeakMap<object, SealedInfo>();

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
