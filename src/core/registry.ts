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

/** Draft proxy → its draft node (typed loosely here to keep this module free of import cycles). */
export const DRAFTS = new WeakMap<object, DraftLike>();

export interface DraftLike {
  /** Returns the draft's current value as committed data (copying modified parts). */
  snapshot(path: readonly PropertyKey[]): unknown;
  readonly owner: { readonly live: boolean; readonly id: number };
}

/** Revoked or retired proxies, so a late use can say *why* it fails. */
export const RETIRED = new WeakSet<object>();
