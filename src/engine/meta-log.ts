import { invalidArgument } from '../errors.js';

export interface MetaEntry {
  readonly time: number;
  readonly kind: string;
  readonly message: string;
  readonly version: number;
  readonly data?: unknown;
}

/** A bounded ring of engine events (admin elevations, VIP grants, orchestrator transitions). */
export class MetaLog {
  readonly #entries: (MetaEntry | undefined)[];
  #next = 0;
  #size = 0;

  constructor(private readonly capacity = 1000) {
    this.#entries = new Array<MetaEntry | undefined>(capacity);
  }

  add(kind: string, message: string, version: number, data?: unknown): void {
    this.#entries[this.#next] = data === undefined ? { time: Date.now(), kind, message, version } : { time: Date.now(), kind, message, version, data };
    this.#next = (this.#next + 1) % this.capacity;
    this.#size = Math.min(this.#size + 1, this.capacity);
  }

  /** Oldest first; `limit` keeps the newest entries. */
  read(filter: { kind?: string; limit?: number } = {}): MetaEntry[] {
    if (typeof filter !== 'object' || filter === null) throw invalidArgument('metaLog(filter) takes an object { kind?, limit? }.');
    if (filter.kind !== undefined && typeof filter.kind !== 'string') throw invalidArgument('metaLog: kind must be a string.');
    if (filter.limit !== undefined && (!Number.isInteger(filter.limit) || filter.limit < 0)) throw invalidArgument('metaLog: limit must be a non-negative integer.');
    const out: MetaEntry[] = [];
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    for (let i = 0; i < this.#size; i++) {
      const e = this.#entries[(start + i) % this.capacity]!;
      if (filter.kind === undefined || e.kind === filter.kind) out.push(e);
    }
    return filter.limit !== undefined ? out.slice(Math.max(0, out.length - filter.limit)) : out;
  }
}
