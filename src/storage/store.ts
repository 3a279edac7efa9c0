/**
 * The store interface: what the engine's one commit pipeline asks of durable storage. The memory
 * engine, the SQLite store, the PostgreSQL store and users' own stores all implement it, so every
 * route into state (execute, parallel, edit, transaction, compareAndSwap, heavy, workflow steps)
 * reaches storage through the same call.
 *
 * Values crossing this interface are plain committed data (what `toPlain` yields): paths are
 * segment arrays, never dotted strings, so a key containing a dot is never split.
 */
import type { Segment } from '../core/path.js';
import type { StorageError } from '../errors.js';

/** One change, as the pipeline recorded it. */
export interface StoredOp {
  readonly op: 'add' | 'replace' | 'remove';
  readonly path: readonly Segment[];
  readonly value?: unknown;
}

/** A message committed atomically with the state change that produced it. */
export interface OutboxMessageInit {
  readonly topic: string;
  readonly payload: unknown;
}

/** What the pipeline hands the store for one commit. */
export interface CommitEntry {
  /** Unique per commit attempt that reached the store: a retried write with the same id is not applied twice. */
  readonly id: string;
  /** The version the transaction's snapshot was taken at. */
  readonly baseVersion: number;
  /** The version the engine assigned (non-authoritative stores), or undefined when the store assigns it. */
  readonly version?: number;
  /** The process that produced it, or null for setup routes (edit, compareAndSwap, transaction, heavy). */
  readonly process: string | null;
  readonly ops: readonly StoredOp[];
  /** Conflict keys read and written (opaque strings the engine derives from segment paths). */
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  readonly signals: readonly { readonly topic: string; readonly payload: unknown }[];
  readonly outbox: readonly OutboxMessageInit[];
  /** Milliseconds since the epoch, taken by the engine. */
  readonly at: number;
}

/** The store's answer for one commit. */
export type CommitVerdict =
  | { readonly ok: true; readonly version: number }
  | { readonly ok: false; readonly actualVersion: number; readonly paths: readonly string[] };

/** A committed record as history returns it. */
export interface HistoryRecord {
  readonly version: number;
  readonly process: string | null;
  readonly delta: readonly StoredOp[];
  readonly signals: readonly { readonly topic: string; readonly payload: unknown }[];
  readonly at: number;
}

export interface HistoryQuery {
  readonly from?: number;
  readonly to?: number;
  /** Only records with an op at, above or below this path. */
  readonly path?: readonly Segment[];
}

/** A delivered outbox message. `id` is stable across redeliveries, for idempotent consumers. */
export interface OutboxMessage {
  readonly id: string;
  readonly topic: string;
  readonly payload: unknown;
  readonly version: number;
  readonly attempts: number;
}

export interface DeadLetter extends OutboxMessage {
  readonly error: string;
  readonly failedAt: number;
}

/** What a store found when it was opened. */
export interface OpenedStore {
  readonly version: number;
  /** The state's root at `version` (plain data), or undefined when the store is empty. */
  readonly root: Readonly<Record<string, unknown>> | undefined;
}

export interface TheusStore {
  /** A short name for messages and the inspector: 'memory', 'sqlite', 'postgres', … */
  readonly kind: string;
  /**
   * True when the store itself decides conflicts and assigns versions (several engines share it).
   * False when one engine owns the store: the engine checks conflicts in memory and the store
   * persists in the engine's order.
   */
  readonly authoritative: boolean;
  /** Opens (creating when empty, with `initial` at version 0). Throws StorageError on bad input. */
  open(initial: Readonly<Record<string, unknown>>): Promise<OpenedStore>;
  /**
   * Makes a group of commits durable, in order, in one write where the store can. Resolves once
   * every entry is durable (or refused, for authoritative stores). Must not half-apply an entry.
   */
  commit(entries: readonly CommitEntry[]): Promise<readonly CommitVerdict[]>;
  /**
   * Optional. True when the store itself gathers the `commit` calls made before its next write
   * into that write, in call order, and writes a call only in the same write as the earlier ones
   * still pending or after they are durable, never after one that failed: the engine then calls
   * `commit` for each commit as it comes, without waiting for the previous call to settle.
   * Otherwise the engine gathers commits itself and, for a non-authoritative store, makes one call
   * at a time.
   */
  readonly groupsCommits?: boolean;
  /**
   * Optional. Throws StorageError when the entry holds a value this store could not restore (for
   * example an instance of an unregistered class), so the engine can refuse that one commit before
   * installing it instead of failing after. Synchronous; a store may keep the work it did for the
   * `commit` call that follows.
   */
  check?(entry: CommitEntry): void;
  /**
   * Commits made by other engines, for authoritative stores: calls `apply` for each version after
   * `afterVersion`, in order, exactly once. A version that cannot be delivered (a row the store
   * refuses, or a log pruned past it) is never skipped: the store calls `fail` with a StorageError
   * and stops following. Returns a function that stops following.
   */
  follow?(afterVersion: number, apply: (record: HistoryRecord) => void, fail?: (error: StorageError) => void): () => void;
  /**
   * Optional, for authoritative stores: the priority lane across engines. A process that lost
   * `vipAfter` races takes it with its declared conflict keys, waits until its engine applied
   * `lock.version`, runs, commits through `lock.commit`, and releases; other engines' commits wait
   * meanwhile, so it cannot lose again.
   */
  lockPaths?(keys: readonly string[]): Promise<StorePathLock>;
  history(query: HistoryQuery): AsyncIterable<HistoryRecord>;
  /** The state root at a retained version, or undefined when it is no longer retained. */
  stateAt(version: number): Promise<Readonly<Record<string, unknown>> | undefined>;
  readonly outbox: OutboxStore;
  close(): Promise<void>;
}

/** The priority lane held by one process across every engine sharing an authoritative store. */
export interface StorePathLock {
  readonly version: number;
  commit(entries: readonly CommitEntry[]): Promise<readonly CommitVerdict[]>;
  /**
   * Optional. Throws StorageError when the entry holds a value this store could not restore (for
   * example an instance of an unregistered class), so the engine can refuse that one commit before
   * installing it instead of failing after. Synchronous; a store may keep the work it did for the
   * `commit` call that follows.
   */
  check?(entry: CommitEntry): void;
  release(): Promise<void>;
}

/** The outbox side of a store: claims with leases so that any number of relays can deliver. */
export interface OutboxStore {
  /** Up to `limit` deliverable messages, in commit order, leased to `owner` for `leaseMs`. */
  claim(owner: string, limit: number, leaseMs: number): Promise<readonly OutboxMessage[]>;
  /** Delivered: never offered again. */
  ack(owner: string, ids: readonly string[]): Promise<void>;
  /** Failed: offered again after `retryAtMs` from now, or dead-lettered when `dead`. */
  fail(owner: string, id: string, error: string, retryInMs: number, dead: boolean): Promise<void>;
  deadLetters(): Promise<readonly DeadLetter[]>;
  /** Moves dead letters (all, or those ids) back to delivery with their attempts reset. Returns how many. */
  redrive(ids?: readonly string[]): Promise<number>;
  /** Messages committed and not yet delivered or dead. */
  pending(): Promise<number>;
}
