import type { DeltaOp } from '../core/delta.js';
import type { State } from '../core/state.js';
import { checkHistoryQuery, checkVersionArg, matchesQuery } from '../storage/history-query.js';
import type { HistoryQuery, HistoryRecord } from '../storage/store.js';

interface Slot {
  readonly state: State;
  readonly record: HistoryRecord | undefined;
}

/**
 * History and time travel for an engine without storage: the last `capacity` States themselves
 * (immutable and structurally shared, so keeping them costs only what changed) with their commit
 * records. Recording a commit is one small object: the in-memory commit path stays synchronous
 * and cheap, and nothing is replayed unless someone asks.
 */
export class RecentHistory {
  readonly #ring: (Slot | undefined)[];
  #newest = -1;

  constructor(private readonly capacity = 1000) {
    this.#ring = new Array<Slot | undefined>(Math.max(1, capacity));
  }

  /** The state the engine started from (version 0, or the version it reopened at). */
  start(state: State): void {
    this.#ring.fill(undefined);
    this.#ring[state.version % this.#ring.length] = { state, record: undefined };
    this.#newest = state.version;
  }

  add(state: State, process: string | null, delta: readonly DeltaOp[], signals: readonly { topic: string; payload: unknown }[]): void {
    this.#ring[state.version % this.#ring.length] = { state, record: { version: state.version, process, delta, signals, at: Date.now() } };
    this.#newest = state.version;
  }

  #slot(version: number): Slot | undefined {
    if (version > this.#newest || this.#newest - version >= this.capacity) return undefined;
    const s = this.#ring[version % this.#ring.length];
    return s && s.state.version === version ? s : undefined;
  }

  stateAt(version: number): State | undefined {
    checkVersionArg(version);
    return this.#slot(version)?.state;
  }

  async *history(query: HistoryQuery = {}): AsyncIterable<HistoryRecord> {
    checkHistoryQuery(query);
    const newest = this.#newest;
    if (newest < 0) return;
    const from = Math.max(query.from ?? 0, newest - this.capacity + 1, 0);
    const records: HistoryRecord[] = [];
    for (let v = from; v <= newest; v++) {
      const r = this.#slot(v)?.record;
      if (r && matchesQuery(r, query)) records.push(r);
    }
    yield* records;
  }
}
