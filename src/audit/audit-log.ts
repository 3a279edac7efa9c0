import type { AuditLevel } from './recipe-types.js';

/** What a failure led to: counted only, counted past the warning threshold, or the level's action. */
export type AuditAction = 'logged' | 'warned' | 'blocked' | 'aborted' | 'stopped';

export interface AuditLogEntry {
  /** `now()` at the time of the failure (milliseconds since the epoch by default). */
  readonly time: number;
  readonly process: string;
  /** Rule id (`input:amount`, `output:domain.balance`) or `<exception>` for a failure of the process itself. */
  readonly rule: string;
  readonly level: AuditLevel;
  /** The offending value, by reference (the error message for `<exception>`). */
  readonly value: unknown;
  readonly action: AuditAction;
  /**
   * The committed state version the check ran against: for input rules, the version when the call started; for
   * output rules, the version the commit was about to build on; for `<exception>`, the version when it failed.
   */
  readonly version: number;
  readonly message: string;
  /** The rule's failure count after this failure. */
  readonly count: number;
}

export interface AuditLogFilter {
  process?: string;
  level?: AuditLevel;
  /** At most this many entries, the newest ones. */
  limit?: number;
}

/** Fixed-capacity ring of frozen entries: when full, the oldest entry is overwritten. */
export class AuditLog {
  private readonly slots: (AuditLogEntry | undefined)[];
  private next = 0;
  private size = 0;
  private written = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<AuditLogEntry | undefined>(capacity);
  }

  push(entry: AuditLogEntry): void {
    this.slots[this.next] = Object.freeze(entry);
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
    this.written++;
  }

  /** Entries ever written, including those since overwritten. */
  get totalWritten(): number {
    return this.written;
  }

  get length(): number {
    return this.size;
  }

  /** Matching entries, oldest to newest. */
  read(filter: AuditLogFilter): AuditLogEntry[] {
    const out: AuditLogEntry[] = [];
    const start = (this.next - this.size + this.capacity) % this.capacity;
    for (let i = 0; i < this.size; i++) {
      const entry = this.slots[(start + i) % this.capacity] as AuditLogEntry;
      if (filter.process !== undefined && entry.process !== filter.process) continue;
      if (filter.level !== undefined && entry.level !== filter.level) continue;
      out.push(entry);
    }
    return filter.limit !== undefined && out.length > filter.limit ? out.slice(out.length - filter.limit) : out;
  }
}
