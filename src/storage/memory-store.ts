/**
 * The in-memory store: what an engine without `storage` uses. Nothing survives the process, but
 * the outbox, history and time travel behave as with a durable store. Reopening the same store
 * object (a second engine on it after the first closed) resumes at its last version.
 */
import { StorageError, invalidArgument } from '../errors.js';
import { applyOps, OpReplay, type PlainRoot } from './apply-ops.js';
import { filterHistory, checkHistoryQuery, checkVersionArg } from './history-query.js';
import { MemoryOutbox } from './memory-outbox.js';
import { RecentIds } from './recent-ids.js';
import type { CommitEntry, CommitVerdict, HistoryQuery, HistoryRecord, OpenedStore, TheusStore } from './store.js';

export interface MemoryStoreOptions {
  /** How many of the latest versions `history` and `stateAt` can reach (default 1000; 0 keeps none). */
  readonly retainVersions?: number;
}

export function memoryStore(options: MemoryStoreOptions = {}): TheusStore {
  return new MemoryStore(options);
}

class MemoryStore implements TheusStore {
  readonly kind = 'memory';
  readonly authoritative = false;
  readonly outbox = new MemoryOutbox();
  private readonly retain: number;
  private opened = false;
  private closed = false;
  private everOpened = false;
  /** The root at `baseVersion`; the log holds every version after it. */
  private base: Readonly<PlainRoot> = {};
  private baseVersion = 0;
  private log: HistoryRecord[] = [];
  private head = 0;
  private readonly recent = new RecentIds();

  constructor(options: MemoryStoreOptions) {
    const retain = options.retainVersions ?? 1000;
    if (!Number.isSafeInteger(retain) || retain < 0) throw invalidArgument(`retainVersions must be a non-negative integer, got ${String(retain)}.`);
    this.retain = retain;
  }

  open(initial: Readonly<Record<string, unknown>>): Promise<OpenedStore> {
    if (this.opened) return Promise.reject(new StorageError('This memory store is already open in another engine; close that engine first, or give each engine its own store.'));
    if (typeof initial !== 'object' || initial === null) return Promise.reject(invalidArgument('The initial state must be an object.'));
    this.opened = true;
    this.closed = false;
    if (!this.everOpened || this.head === 0) {
      // Nothing committed yet: the engine's initial state wins.
      this.everOpened = true;
      this.base = initial;
      return Promise.resolve({ version: 0, root: undefined });
    }
    return Promise.resolve({ version: this.head, root: this.rootAt(this.head) });
  }

  commit(entries: readonly CommitEntry[]): Promise<readonly CommitVerdict[]> {
    if (!this.opened) return Promise.reject(new StorageError(this.closed ? 'The memory store is closed.' : 'The memory store is not open: call open() first.'));
    const verdicts: CommitVerdict[] = [];
    for (const e of entries) {
      const seen = this.recent.get(e.id, e.version, this.head);
      if (seen !== undefined) {
        verdicts.push({ ok: true, version: seen });
        continue;
      }
      const version = e.version ?? this.head + 1;
      if (version !== this.head + 1) {
        return Promise.reject(new StorageError(`Commit ${e.id} carries version ${version} but the store is at ${this.head}: versions must follow one another. This is a bug in the caller.`));
      }
      this.head = version;
      if (this.retain > 0) {
        this.log.push({ version, process: e.process, delta: e.ops, signals: e.signals, at: e.at });
      } else {
        this.base = applyOps(this.base, e.ops);
        this.baseVersion = version;
      }
      if (e.outbox.length > 0) this.outbox.enqueue(version, e.outbox);
      this.recent.set(e.id, version);
      verdicts.push({ ok: true, version });
    }
    this.trim();
    return Promise.resolve(verdicts);
  }

  async *history(query: HistoryQuery = {}): AsyncIterable<HistoryRecord> {
    checkHistoryQuery(query);
    yield* filterHistory(this.log.slice(), query);
  }

  stateAt(version: number): Promise<Readonly<Record<string, unknown>> | undefined> {
    try {
      checkVersionArg(version);
    } catch (err) {
      return Promise.reject(err);
    }
    if (version < this.baseVersion || version > this.head) return Promise.resolve(undefined);
    if (this.retain === 0 && version !== this.head) return Promise.resolve(undefined);
    return Promise.resolve(this.rootAt(version));
  }

  close(): Promise<void> {
    this.opened = false;
    this.closed = true;
    return Promise.resolve();
  }

  private rootAt(version: number): PlainRoot {
    // With nothing retained the base is kept at the head, and only the head is known.
    if (this.retain === 0) return this.base as PlainRoot;
    const replay = new OpReplay(this.base);
    for (const r of this.log) {
      if (r.version > version) break;
      replay.apply(r.delta);
    }
    return replay.root;
  }

  /** Folds the oldest records into the base, a batch at a time so each container is copied once per batch. */
  private trim(): void {
    if (this.retain === 0 || this.log.length <= this.retain + Math.max(64, this.retain >> 2)) return;
    const drop = this.log.length - this.retain;
    const replay = new OpReplay(this.base);
    for (let i = 0; i < drop; i++) replay.apply((this.log[i] as HistoryRecord).delta);
    this.base = replay.root;
    this.baseVersion = (this.log[drop - 1] as HistoryRecord).version;
    this.log = this.log.slice(drop);
  }

}
