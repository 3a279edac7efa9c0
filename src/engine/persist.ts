import type { CommitEntry, CommitVerdict, TheusStore } from '../storage/store.js';

interface Queued {
  readonly entry: CommitEntry;
  readonly resolve: (v: CommitVerdict) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Group commit: entries that arrive while a store write is in flight go together in the next
 * `store.commit()` call, in arrival order, so a burst of commits costs one durable write.
 */
export class GroupCommitter {
  #queue: Queued[] = [];
  #flushing = false;
  /** Set when a write to a store the engine owns failed: later entries were numbered after a lost one. */
  #failed: { readonly error: unknown } | undefined;

  constructor(private readonly store: TheusStore) {}

  submit(entry: CommitEntry): Promise<CommitVerdict> {
    return new Promise<CommitVerdict>((resolve, reject) => {
      if (this.#failed) {
        reject(this.#failed.error);
        return;
      }
      this.#queue.push({ entry, resolve, reject });
      if (!this.#flushing) {
        // From a microtask: commits made in the same synchronous run (executes started together)
        // go out as one group rather than a group of one followed by all the others.
        this.#flushing = true;
        queueMicrotask(() => void this.#flush());
      }
    });
  }

  /** Resolves once everything queued so far was written (or refused). */
  async idle(): Promise<void> {
    while (this.#flushing || this.#queue.length > 0) await new Promise<void>((r) => setImmediate(r));
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        try {
          const verdicts = await this.store.commit(batch.map((q) => q.entry));
          batch.forEach((q, i) => {
            const v = verdicts[i];
            if (v === undefined) q.reject(new Error(`The ${this.store.kind} store answered ${verdicts.length} verdicts for ${batch.length} commits.`));
            else q.resolve(v);
          });
        } catch (e) {
          for (const q of batch) q.reject(e);
          // A non-authoritative store persists in the engine's order: what is queued was built on
          // the failed entries, so writing it would leave a gap in the log. It fails with them.
          if (!this.store.authoritative) {
            this.#failed = { error: e };
            for (const q of this.#queue) q.reject(e);
            this.#queue = [];
          }
        }
      }
    } finally {
      this.#flushing = false;
    }
  }
}
