import { StaleReferenceError, TheusError } from '../errors.js';
import { FREE, type Access } from './access.js';
import { diffDraft, readKeys, type DeltaOp } from './delta.js';
import { Draft, DraftScope } from './draft.js';
import { NOT_DATA } from './kinds.js';
import { assertRootName, type Segment } from './path.js';
import type { State } from './state.js';
import { isState, nextState, rootOf } from './state-link.js';

/** The target argument of direct calls to the root's read trap (which never looks at it). */
const NO_TARGET = Object.freeze({});

export interface TransactionOptions {
  /** Guard consulted on every read and write (contracts); default: everything allowed. */
  access?: Access;
  /** Record what is read, for key-level conflict detection. */
  trackReads?: boolean;
}

/** What a finished transaction produced: the engine turns this into a commit. */
export interface TransactionResult {
  readonly root: Readonly<Record<string, unknown>>;
  readonly ops: readonly DeltaOp[];
  /** Conflict keys of everything written. */
  readonly writes: ReadonlySet<string>;
  /** Conflict keys of everything read (empty unless `trackReads`). */
  readonly reads: ReadonlySet<string>;
}

/**
 * A private, copy-on-write view of one State. Proxies handed out by `domain`, `global`, `heavy`
 * and `root()` are revoked when the transaction commits or rolls back.
 */
export class Transaction {
  readonly #base: State;
  readonly #scope: DraftScope;
  readonly #root: Draft;

  constructor(base: State, options?: TransactionOptions) {
    if (!isState(base)) throw new TheusError('INVALID_ARGUMENT', 'A Transaction needs a State (use state.transaction()).');
    this.#base = base;
    this.#scope = new DraftScope(options?.trackReads ?? false);
    this.#root = Draft.stateRoot(this.#scope, rootOf(base), options?.access ?? FREE);
  }

  /** The snapshot this transaction started from. */
  get base(): State {
    return this.#base;
  }

  get active(): boolean {
    return this.#scope.live;
  }

  get domain(): any {
    this.#assertLive();
    return this.#rootNamed('domain');
  }

  get global(): any {
    this.#assertLive();
    return this.#rootNamed('global');
  }

  get heavy(): any {
    this.#assertLive();
    return this.#rootNamed('heavy');
  }

  /** The proxy of any top-level root (a configured namespace, `signal`, `meta` …). */
  root(name: string): any {
    this.#assertLive();
    // The name is user text turned into a property access: own roots only, no prototype machinery.
    assertRootName(name);
    return this.#rootNamed(name);
  }

  #rootNamed(name: string): any {
    // Ask the draft itself: going through the proxy's descriptor trap would build the child twice,
    // and calling its read trap directly saves the proxy hop (and the root's proxy) on every
    // transaction. An own key of the roots container is read on the trap's fast path, which
    // uses neither target nor receiver.
    const root = this.#root;
    return root.hasOwnKey(name) ? root.get(NO_TARGET, name, undefined) : undefined;
  }

  /** The whole state as one proxy (`{ domain, global, heavy, … }`). */
  get all(): any {
    this.#assertLive();
    return this.#root.ensureProxy();
  }

  /** The changes so far, as `{ op, path, value }` with array paths. */
  delta(): DeltaOp[] {
    this.#assertLive();
    const ops: DeltaOp[] = [];
    diffDraft(this.#root, [], ops, new Set());
    return ops;
  }

  /** Ends the transaction and returns the next State (base version + 1). The base is unchanged. */
  commit(): State {
    this.#assertLive();
    // The low-level commit needs only the new root: no delta, no conflict keys to compute. The
    // roots container goes to the new State unfrozen (see State#root); every root in it is frozen.
    const root = this.#root.buildOpenRoot() as Record<string, unknown>;
    this.#scope.retire('commit');
    return nextState(this.#base, root, this.#base.version + 1);
  }

  /** Discards every change and revokes the proxies. Idempotent. */
  rollback(): void {
    if (this.#scope.live) this.#scope.retire('rollback');
  }

  /** Ends the transaction, returning the new root and its conflict keys without installing anything. */
  finish(): TransactionResult {
    this.#assertLive();
    const ops: DeltaOp[] = [];
    const writes = new Set<string>();
    diffDraft(this.#root, [], ops, writes, -1, true);
    const root = this.#root.build(true) as Record<string, unknown>;
    const reads = new Set<string>();
    if (this.#scope.trackReads) readKeys(this.#scope.drafts, reads);
    this.#scope.retire('commit');
    return { root, ops, writes, reads };
  }

  #assertLive(): void {
    if (!this.#scope.live) {
      throw new StaleReferenceError(`This transaction was already ${this.#scope.endedBy === 'commit' ? 'committed' : 'rolled back'}.`);
    }
  }

  /** Marks transactions as machinery: storing one in state is refused (see kinds.ts). */
  get [NOT_DATA](): true {
    return true;
  }

  /** Transactions are not data: they refuse to be serialised into state or JSON. */
  toJSON(): never {
    throw new TheusError('UNSUPPORTED_VALUE', 'Transaction objects cannot be serialised or stored in state.');
  }
}

export type { Segment };
