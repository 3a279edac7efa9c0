import { SEP } from '../core/path.js';

interface CommitRecord {
  readonly version: number;
  readonly writes: ReadonlySet<string>;
}

/**
 * The conflict keys written by recent commits, so a transaction that started at version v can be
 * checked against exactly the commits made since v. Bounded: a transaction older than the window
 * is treated as conflicting (safe, and it simply retries on a fresh snapshot).
 */
export class CommitLog {
  /** A ring buffer: versions are consecutive, so version v sits at slot v % capacity. */
  readonly #ring: (CommitRecord | undefined)[];
  #newest = -1;

  constructor(private readonly capacity = 4096) {
    this.#ring = new Array<CommitRecord | undefined>(capacity);
  }

  /** Starts over at `version` (a reopened store): older transactions are treated as conflicting. */
  reset(version: number): void {
    this.#ring.fill(undefined);
    this.#newest = version;
  }

  add(version: number, writes: ReadonlySet<string>): void {
    this.#ring[version % this.capacity] = { version, writes };
    this.#newest = version;
  }

  /**
   * The keys of `touched` that overlap a write committed after `since`, or `undefined` when none
   * do. `['*']` when the log no longer reaches back to `since`.
   */
  conflicts(since: number, current: number, touched: Iterable<string>): string[] | undefined {
    if (since >= current) return undefined;
    if (current - since > this.capacity || this.#newest !== current) return ['*'];
    const exact = new Set<string>();
    const ancestors = new Set<string>();
    for (let v = since + 1; v <= current; v++) {
      const rec = this.#ring[v % this.capacity];
      if (!rec || rec.version !== v) return ['*'];
      for (const w of rec.writes) {
        exact.add(w);
        for (let p = w.indexOf(SEP); p >= 0; p = w.indexOf(SEP, p + 1)) ancestors.add(w.slice(0, p));
      }
    }
    if (exact.size === 0) return undefined;
    const hits: string[] = [];
    // A key read and written (or read as a value and as a key set) is reported once.
    const reported = new Set<string>();
    const hit = (k: string) => {
      const shown = displayKey(k);
      if (reported.has(shown)) return;
      reported.add(shown);
      hits.push(k);
    };
    for (const k of touched) {
      if (exact.has(k) || ancestors.has(k)) {
        hit(k);
        continue;
      }
      for (let p = k.indexOf(SEP); p >= 0; p = k.indexOf(SEP, p + 1)) {
        if (exact.has(k.slice(0, p))) {
          hit(k);
          break;
        }
      }
    }
    return hits.length > 0 ? hits : undefined;
  }
}

/** `domain\0accounts\0alice` → `domain.accounts.alice` (markers dropped), for error messages. */
export function displayKey(key: string): string {
  if (key === '*') return '*';
  return key
    .split(SEP)
    .filter((s) => s !== '\u0001' && s !== '\u0002')
    .join('.');
}

/** Conflict keys as the dotted paths a user reads, each once (markers fold into their path). */
export function displayPaths(keys: readonly string[]): string[] {
  return [...new Set(keys.map(displayKey))];
}
