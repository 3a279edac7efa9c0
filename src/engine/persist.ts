import type { CommitEntry, CommitVerdict, TheusStore } from '../storage/store.js';

interface Queued {
  readonly entry: CommitEntry;
  readonly resolve: (v: CommitVerdict) => void;
  readonly reject: (e: unknown) => void;
}

/** Already settled: `.then` on it queues a microtask (queueMicrotask also creates an async resource). */
const SETTLED = Promise.resolve();

/**
 * Group commit: entries that arrive while a store write is in flight go together in the next
 * `store.commit()` call, in arrival order, so a burst of commits costs one durable write.
 *
 * Every commit of a durable engine passes here, and each promise it makes costs more than its
 * allocation (with the engine's re-entrancy mark, async-context hooks run for every promise): the
 * flush is plain callbacks rather than an async loop, and a store that gathers its commit() calls
 * itself (`groupsCommits`) gets each entry directly, with the caller's continuation chained on
 * the store's own promise.
 */
export class GroupCommitter {
  #queue: Queued[] = [];
  #flushing = false;
  /** Commits handed over to a store that groups them itself and not yet answered. */
  #handedOver = 0;
  /** Set when a write to a store the engine owns failed: later entries were numbered after a lost one. */
  #failed: { readonly error: unknown } | undefined;

  /** Read once: whether a store gathers its own commit() calls is part of what it is. */
  readonly #handsOver: boolean;

  constructor(private readonly store: TheusStore) {
    this.#handsOver = store.groupsCommits === true;
  }

  /**
   * Commits `entry`: `then` runs with its verdict once the store has it durably, `fail` with the
   * error otherwise (a throw in `then` rejects the result, as with a promise's then). The caller's
   * continuation is taken here rather than chained on a returned promise, which spares every
   * commit a promise and a microtask hop.
   */
  submit<R>(entry: CommitEntry, then: (v: CommitVerdict) => R | PromiseLike<R>, fail: (e: unknown) => R | PromiseLike<R>): Promise<R> {
    if (this.#failed) return Promise.reject(this.#failed.error).then(then, fail);
    if (this.#handsOver) return this.#handOver(entry, then, fail);
    return new Promise<CommitVerdict>((resolve, reject) => {
      this.#queue.push({ entry, resolve, reject });
      if (!this.#flushing) {
        // From a microtask: commits made in the same synchronous run (executes started together)
        // go out as one group rather than a group of one followed by all the others.
        this.#flushing = true;
        void SETTLED.then(() => this.#flush());
      }
    }).then(then, fail);
  }

  /** Resolves once everything submitted so far was written (or refused), whichever way it went. */
  async idle(): Promise<void> {
    while (this.#flushing || this.#queue.length > 0 || this.#handedOver > 0) await new Promise<void>((r) => setImmediate(r));
  }

  /**
   * A store that groups commit() calls itself gets each entry as it comes: gathering them here
   * first would only add a hop and a second queue to a commit that waits for its write anyway.
   */
  #handOver<R>(entry: CommitEntry, then: (v: CommitVerdict) => R | PromiseLike<R>, fail: (e: unknown) => R | PromiseLike<R>): Promise<R> {
    this.#handedOver++;
    return this.#write([entry]).then(
      (verdicts) => {
        this.#handedOver--;
        const v = Array.isArray(verdicts) ? verdicts[0] : undefined;
        return v === undefined ? fail(this.#miscount(verdicts, 1)) : then(v);
      },
      (e: unknown) => {
        this.#handedOver--;
        this.#lost(e);
        return fail(e);
      },
    );
  }

  /** Writes what is queued, then what queued up meanwhile, until nothing is left. */
  #flush(): void {
    const batch = this.#queue;
    if (batch.length === 0) {
      this.#flushing = false;
      return;
    }
    this.#queue = [];
    this.#write(batch.map((q) => q.entry)).then(
      (verdicts) => {
        try {
          for (let i = 0; i < batch.length; i++) {
            const q = batch[i]!;
            const v = verdicts[i];
            if (v === undefined) q.reject(this.#miscount(verdicts, batch.length));
            else q.resolve(v);
          }
        } catch (e) {
          // Not a list at all (a store's bug): the batch fails as if the write had.
          this.#failedWrite(batch, e);
        }
        this.#flush();
      },
      (e: unknown) => {
        this.#failedWrite(batch, e);
        this.#flush();
      },
    );
  }

  /** The store's answer as a promise, whether it threw, returned a thenable or a native promise (handed back as it is). */
  #write(entries: readonly CommitEntry[]): Promise<readonly CommitVerdict[]> {
    try {
      return Promise.resolve(this.store.commit(entries));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #miscount(verdicts: readonly CommitVerdict[], commits: number): Error {
    return new Error(`The ${this.store.kind} store answered ${verdicts?.length} verdicts for ${commits} commit${commits === 1 ? '' : 's'}.`);
  }

  #failedWrite(batch: readonly Queued[], e: unknown): void {
    for (const q of batch) q.reject(e);
    this.#lost(e);
  }

  #lost(e: unknown): void {
    // A non-authoritative store persists in the engine's order: what is queued was built on
    // the failed entries, so writing it would leave a gap in the log. It fails with them.
    if (!this.store.authoritative) {
      this.#failed = { error: e };
      for (const q of this.#queue) q.reject(e);
      this.#queue = [];
    }
  }
}
