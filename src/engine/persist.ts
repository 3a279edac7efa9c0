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

  constructor(private readonly store: TheusStore) {}

  submit(entry: CommitEntry): Promise<CommitVerdict> {
    return new Promise<CommitVerdict>((resolve, reject) => {
      this.#queue.push({ entry, resolve, reject });
      if (!this.#flushing) void this.#flush();
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
        }
      }
    } finally {
      this.#flushing = false;
    }
  }
}
