import { WILDCARD } from '../contracts/pattern.js';
import type { Contract } from '../contracts/types.js';
import { conflictKey } from '../core/path.js';
import { StorageError } from '../errors.js';
import type { CommitEntry, CommitVerdict, StorePathLock, TheusStore } from '../storage/store.js';

/**
 * How long a process holding the store's priority lane waits for its engine to apply the version
 * the lane was taken at. Every other engine's commits wait while it does, so the wait is bounded:
 * past it the process runs anyway, and a snapshot still stale then costs a conflict, not a wrong
 * commit.
 */
const CATCH_UP_LIMIT_MS = 10_000;
/** How often a waiting holder looks whether its execution was cancelled (engine closed, aborted). */
const CANCEL_CHECK_MS = 50;

/**
 * The conflict keys a process declared: its inputs and outputs, each cut at its first wildcard so
 * that the key covers every path the pattern can match. A pattern that starts with a wildcard
 * covers everything (`*`).
 */
export function declaredKeys(contract: Contract): string[] {
  const keys = new Set<string>();
  for (const p of [...contract.inputs, ...contract.outputs]) {
    const cut = p.segments.indexOf(WILDCARD);
    const segments = cut < 0 ? p.segments : p.segments.slice(0, cut);
    keys.add(segments.length === 0 ? '*' : conflictKey(segments));
  }
  return [...keys];
}

/**
 * The priority lane across engines, as one engine sees it: which execution (by its token) holds
 * the store's path lock, the commit route through that lock, and waiting until the engine applied
 * the version the lock was taken at.
 */
export class StoreLane {
  readonly #held = new Map<object, StorePathLock>();
  #waiters: { readonly version: number; readonly resolve: () => void }[] = [];

  /** Takes the store's lane for `token` (queued in the database behind any other holder). */
  async take(token: object, store: TheusStore, keys: readonly string[]): Promise<StorePathLock> {
    const lock = await store.lockPaths!(keys);
    this.#held.set(token, lock);
    return lock;
  }

  /**
   * Resolves once `applied()` reports at least `version`, `cancelled()` turns true, or the limit
   * passed. Never rejects: what the holder then runs on decides only whether it conflicts.
   */
  waitApplied(current: number, version: number, cancelled: () => boolean, limitMs = CATCH_UP_LIMIT_MS): Promise<void> {
    if (current >= version) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const started = Date.now();
      const waiter = {
        version,
        resolve: () => {
          clearInterval(check);
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          resolve();
        },
      };
      const check = setInterval(() => {
        if (cancelled() || Date.now() - started >= limitMs) waiter.resolve();
      }, CANCEL_CHECK_MS);
      this.#waiters.push(waiter);
    });
  }

  /** The engine installed up to `version`. */
  applied(version: number): void {
    if (this.#waiters.length === 0) return;
    for (const w of [...this.#waiters]) if (w.version <= version) w.resolve();
  }

  /**
   * The commit of the execution holding the lane goes through the lock's own connection, ahead of
   * the commits that wait for the lane; undefined when `token` holds no lock.
   */
  commit(token: object | undefined, entry: CommitEntry): Promise<CommitVerdict> | undefined {
    const lock = token === undefined ? undefined : this.#held.get(token);
    if (!lock) return undefined;
    return lock.commit([entry]).then((verdicts) => {
      const v = verdicts[0];
      if (v === undefined || verdicts.length !== 1) throw new StorageError(`The store's priority lane answered ${verdicts.length} verdicts for one commit.`);
      return v;
    });
  }

  /**
   * Gives the lane up. A release that fails is not the execution's failure: the store drops the
   * lock with its connection. Undefined (nothing to await) when `token` holds no lock, which keeps
   * the common execution free of an extra await.
   */
  release(token: object): Promise<void> | undefined {
    const lock = this.#held.get(token);
    if (!lock) return undefined;
    this.#held.delete(token);
    return lock.release().catch(() => undefined);
  }
}
