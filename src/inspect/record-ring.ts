/**
 * The recorder's ring of the newest records, each with a sequence number that never repeats.
 * Commits, nearly every record, are not kept as an object each: their numbers go into a typed
 * array and their references into columns, written in place. Whatever an inspector keeps outlives
 * the young generation, and every object kept that long is copied by the garbage collector, then
 * promoted and marked again: per commit, that cost more than the rest of the recording. So a
 * commit keeps only what it brought and nothing that can be rebuilt: a single change (the usual
 * commit) is kept as its kind, path and value rather than the delta's array and op object, its
 * path shared with the commit before when they are equal; an execution id of the engine's
 * `<engineId>:<n>` form is kept as n. Records are rebuilt as objects when read.
 */
import type { Segment } from '../core/path.js';
import type { CommitEvent, CommitRoute } from '../engine/channels.js';
import type { CommitRec, Rec } from './records.js';
import type { Op } from './state-view.js';

type Signals = CommitRec['signals'];
type Path = readonly Segment[];

const NO_SIGNALS: Signals = Object.freeze([]);
const NO_OPS: readonly Op[] = Object.freeze([]);
const NO_PATH: Path = Object.freeze([]);
const OP_KINDS = ['add', 'replace', 'remove'] as const;
// Numbers per commit in #nums.
const AT = 0;
const VERSION = 1;
const BASE = 2;
const OUTBOX = 3;
const EXEC = 4; // n of `<engineId>:<n>`, or -1 (the id is in #exec)
const OP = 5; // a single change's kind (index in OP_KINDS), or -1 (the delta is in #ops)
const WIDTH = 6;

/**
 * What the live stream's encoder takes from a commit, without an object built for it. A number as
 * `execution` stands for the id `<engineId>:<n>`. The delta is `ops`, or when that is undefined
 * the single change `opKind` at `opPath`.
 */
export interface CommitSink {
  commit(seq: number, at: number, version: number, baseVersion: number, engineId: string, process: string | null, route: CommitRoute, execution: string | number | null, ops: readonly Op[] | undefined, opKind: number, opPath: Path, signals: Signals, outbox: number): void;
}

export class RecordRing {
  readonly capacity: number;
  #next = 0;
  /** Records other than commits; undefined at a commit's slot. */
  readonly #other: (Rec | undefined)[];
  readonly #nums: Float64Array;
  readonly #engine: string[];
  readonly #process: (string | null)[];
  readonly #route: CommitRoute[];
  readonly #exec: (string | null)[];
  readonly #ops: (readonly Op[])[];
  readonly #opPath: Path[];
  readonly #opValue: unknown[];
  readonly #signals: Signals[];
  #lastPath: Path = NO_PATH;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#other = new Array<Rec | undefined>(capacity).fill(undefined);
    this.#nums = new Float64Array(capacity * WIDTH);
    this.#engine = new Array<string>(capacity).fill('');
    this.#process = new Array<string | null>(capacity).fill(null);
    this.#route = new Array<CommitRoute>(capacity).fill('execute');
    this.#exec = new Array<string | null>(capacity).fill(null);
    this.#ops = new Array<readonly Op[]>(capacity).fill(NO_OPS);
    this.#opPath = new Array<Path>(capacity).fill(NO_PATH);
    this.#opValue = new Array<unknown>(capacity).fill(undefined);
    this.#signals = new Array<Signals>(capacity).fill(NO_SIGNALS);
  }

  /** Oldest sequence number still held. */
  get first(): number {
    return Math.max(0, this.#next - this.capacity);
  }

  get next(): number {
    return this.#next;
  }

  push(rec: Rec): number {
    if (rec.kind === 'commit') return this.#commit(rec.engineId, rec.at, rec.version, rec.baseVersion, rec.process, rec.route, rec.executionId, rec.ops, rec.signals, rec.outbox);
    const seq = this.#next++;
    const i = seq % this.capacity;
    this.#other[i] = rec;
    this.#release(i);
    return seq;
  }

  /** The engine's commit event, recorded without a record object. */
  pushCommit(e: CommitEvent): number {
    return this.#commit(e.engineId, e.at, e.version, e.baseVersion, e.process, e.route, e.executionId, e.ops, e.signals, e.outbox);
  }

  /** Lets go of what the commit that held slot i referenced. */
  #release(i: number): void {
    this.#ops[i] = NO_OPS;
    this.#opPath[i] = NO_PATH;
    this.#opValue[i] = undefined;
    this.#signals[i] = NO_SIGNALS;
    this.#exec[i] = null;
  }

  #commit(engineId: string, at: number, version: number, base: number, process: string | null, route: CommitRoute, executionId: string | null, ops: readonly Op[], signals: Signals, outbox: number): number {
    const seq = this.#next++;
    const i = seq % this.capacity;
    const n = i * WIDTH;
    const nums = this.#nums;
    nums[n + AT] = at;
    nums[n + VERSION] = version;
    nums[n + BASE] = base;
    nums[n + OUTBOX] = outbox;
    const no = executionId === null ? -1 : executionNumber(executionId, engineId);
    nums[n + EXEC] = no;
    this.#exec[i] = no < 0 ? executionId : null;
    if (ops.length === 1) {
      const op = ops[0]!;
      nums[n + OP] = op.op === 'add' ? 0 : op.op === 'replace' ? 1 : 2;
      this.#opPath[i] = this.#sharedPath(op.path);
      this.#opValue[i] = op.value;
      this.#ops[i] = NO_OPS;
    } else {
      nums[n + OP] = -1;
      this.#ops[i] = ops;
      this.#opPath[i] = NO_PATH;
      this.#opValue[i] = undefined;
    }
    this.#other[i] = undefined;
    this.#engine[i] = engineId;
    this.#process[i] = process;
    this.#route[i] = route;
    this.#signals[i] = signals.length === 0 ? NO_SIGNALS : signals;
    return seq;
  }

  /** The previous single change's path when equal to this one: one array kept for a run of them. */
  #sharedPath(path: Path): Path {
    const last = this.#lastPath;
    if (path.length === last.length) {
      let k = 0;
      while (k < path.length && path[k] === last[k]) k++;
      if (k === path.length) return last;
    }
    this.#lastPath = path;
    return path;
  }

  #held(seq: number): boolean {
    return seq >= this.first && seq < this.#next;
  }

  /** The slot of the commit at `seq` (still held, and a commit), or -1. */
  #commitSlot(seq: number): number {
    if (!this.#held(seq)) return -1;
    const i = seq % this.capacity;
    return this.#other[i] === undefined ? i : -1;
  }

  #executionId(i: number): string | null {
    const no = this.#nums[i * WIDTH + EXEC]!;
    return no < 0 ? this.#exec[i]! : `${this.#engine[i]!}:${no}`;
  }

  #opsAt(i: number): readonly Op[] {
    const kind = this.#nums[i * WIDTH + OP]!;
    if (kind < 0) return this.#ops[i]!;
    const op = OP_KINDS[kind]!;
    return [op === 'remove' ? { op, path: this.#opPath[i]! } : { op, path: this.#opPath[i]!, value: this.#opValue[i] }];
  }

  get(seq: number): Rec | undefined {
    if (!this.#held(seq)) return undefined;
    const i = seq % this.capacity;
    const other = this.#other[i];
    if (other !== undefined) return other;
    const n = i * WIDTH;
    const nums = this.#nums;
    return {
      kind: 'commit',
      engineId: this.#engine[i]!,
      at: nums[n + AT]!,
      version: nums[n + VERSION]!,
      baseVersion: nums[n + BASE]!,
      process: this.#process[i]!,
      route: this.#route[i]!,
      executionId: this.#executionId(i),
      ops: this.#opsAt(i),
      signals: this.#signals[i]!,
      outbox: nums[n + OUTBOX]!,
    } satisfies CommitRec;
  }

  /** A commit's version, read in place (replays walk hundreds of them); -1 when not a held commit. */
  commitVersion(seq: number): number {
    const i = this.#commitSlot(seq);
    return i < 0 ? -1 : this.#nums[i * WIDTH + VERSION]!;
  }

  commitOps(seq: number): readonly Op[] | undefined {
    const i = this.#commitSlot(seq);
    return i < 0 ? undefined : this.#opsAt(i);
  }

  /** Hands the record at `seq` to the stream's encoder, a commit field by field. */
  encode(seq: number, sink: CommitSink & { add(seq: number, rec: Rec): void }): void {
    if (!this.#held(seq)) return;
    const i = seq % this.capacity;
    const other = this.#other[i];
    if (other !== undefined) return sink.add(seq, other);
    const n = i * WIDTH;
    const nums = this.#nums;
    const no = nums[n + EXEC]!;
    const kind = nums[n + OP]!;
    sink.commit(seq, nums[n + AT]!, nums[n + VERSION]!, nums[n + BASE]!, this.#engine[i]!, this.#process[i]!, this.#route[i]!, no < 0 ? this.#exec[i]! : no, kind < 0 ? this.#ops[i] : undefined, kind, this.#opPath[i]!, this.#signals[i]!, nums[n + OUTBOX]!);
  }

  /** Records with sequence ≥ `from`, oldest first, at most `limit`. */
  *since(from: number, limit = Infinity): Generator<[number, Rec]> {
    let n = 0;
    for (let s = Math.max(from, this.first); s < this.#next && n < limit; s++, n++) yield [s, this.get(s)!];
  }

  /** Newest first. */
  *newest(): Generator<[number, Rec]> {
    for (let s = this.#next - 1; s >= this.first; s--) yield [s, this.get(s)!];
  }
}

/**
 * n when `id` is `<engineId>:<n>` exactly (as the engine writes it), else -1. The digits are read
 * first: the prefix is compared only for an id that could match.
 */
function executionNumber(id: string, engineId: string): number {
  const l = engineId.length;
  const len = id.length;
  if (len <= l + 1 || len > l + 16) return -1;
  let v = 0;
  for (let k = l + 1; k < len; k++) {
    const c = id.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  if (id.charCodeAt(l) !== 58 || (id.charCodeAt(l + 1) === 48 && len > l + 2) || id.slice(0, l) !== engineId) return -1;
  return v;
}
