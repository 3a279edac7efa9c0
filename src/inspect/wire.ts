/**
 * Records as the page receives them: values previewed within a budget, errors flattened to their
 * name, message, code and (truncated) stack. Used for the live stream and the detail queries alike.
 */
import { preview, SMALL, type PreviewLimits } from './preview.js';
import type { Segment } from '../core/path.js';
import type { CommitRoute } from '../engine/channels.js';
import type { CommitSink } from './record-ring.js';
import type { CommitRec, Rec } from './records.js';
import type { Op } from './state-view.js';

/** Per stream event: a commit with 10 000 ops or a 1 MB payload still sends a few KB. */
export const STREAM: PreviewLimits = Object.freeze({ depth: 2, keys: 8, string: 80, nodes: 32 });
const MAX_OPS = 24;

export function wireError(e: unknown): Record<string, unknown> {
  if (e instanceof Error) {
    const x = e as Error & { code?: unknown; paths?: unknown; expectedVersion?: unknown; actualVersion?: unknown; path?: unknown };
    const out: Record<string, unknown> = { name: String(x.name).slice(0, 120), message: String(x.message).slice(0, 2000) };
    if (typeof x.code === 'string') out.code = x.code.slice(0, 80);
    if (typeof x.path === 'string') out.path = x.path.slice(0, 500);
    if (Array.isArray(x.paths)) out.paths = x.paths.slice(0, 50).map((p) => String(p).slice(0, 500));
    if (typeof x.expectedVersion === 'number') out.expectedVersion = x.expectedVersion;
    if (typeof x.actualVersion === 'number') out.actualVersion = x.actualVersion;
    if (typeof x.stack === 'string') out.stack = x.stack.slice(0, 6000);
    return out;
  }
  return { name: typeof e, message: String(preview(e, SMALL) ?? 'null').slice(0, 2000) };
}

export function wireOps(ops: readonly Op[], limits: PreviewLimits, max = MAX_OPS): { ops: unknown[]; opsTotal: number } {
  const out: unknown[] = [];
  for (let i = 0; i < ops.length && i < max; i++) {
    const o = ops[i]!;
    out.push(o.op === 'remove' ? { op: o.op, path: o.path.slice(0, 64) } : { op: o.op, path: o.path.slice(0, 64), value: preview(o.value, limits) });
  }
  return { ops: out, opsTotal: ops.length };
}

/** Ops of a commit named in the stream: the timeline shows two and filters on these. */
const STREAM_OPS = 8;

/** Paths without values: what the timeline shows; values come with the detail queries. */
function opPaths(ops: readonly Op[], max = STREAM_OPS): { op: string; path: readonly unknown[] }[] {
  const out: { op: string; path: readonly unknown[] }[] = [];
  for (let i = 0; i < ops.length && i < max; i++) out.push({ op: ops[i]!.op, path: ops[i]!.path.slice(0, 32) });
  return out;
}

/** The live stream's form of a record: small and cheap to build (no value previews for deltas). */
export function streamRec(seq: number, r: Rec): Record<string, unknown> {
  if (r.kind === 'commit') {
    const signals: string[] = [];
    for (let i = 0; i < r.signals.length && i < 16; i++) signals.push(r.signals[i]!.topic);
    return { seq, kind: r.kind, engineId: r.engineId, at: r.at, version: r.version, baseVersion: r.baseVersion, process: r.process, route: r.route, executionId: r.executionId, ops: opPaths(r.ops), opsTotal: r.ops.length, signals, outbox: r.outbox };
  }
  if (r.kind === 'conflict') return { seq, ...r, paths: r.paths.slice(0, 50), ops: opPaths(r.ops), opsTotal: r.ops.length };
  return wireRec(seq, r, STREAM);
}

/**
 * One batch of the live stream (see stream-batch.ts), serialised by a single JSON.stringify: a
 * commit adds one small tuple, its strings are shared through the batch's table, and its ops'
 * paths are the delta's own arrays rather than copies. A commit that repeats the one before it
 * (the same process writing the same paths, next in every count) is a single number: a hot
 * process commits that way thousands of times a second, and each value serialised costs about as
 * much as a field of the commit itself.
 */
export class BatchEncoder implements CommitSink {
  readonly #index = new Map<string, number>();
  readonly #strings: string[] = [];
  readonly #items: unknown[] = [];
  // The previous item when it was a commit (#pSeq < 0 otherwise): what a repeat is measured against.
  #pSeq = -1;
  #pAt = 0;
  #pVersion = 0;
  #pBase = 0;
  #pEngine = '';
  #pProcess: string | null = null;
  #pRoute = '';
  #pExecution: number | null = null;
  #pOpsTotal = 0;
  #pOutbox = 0;
  /** Kinds and paths of the previous commit's first ops; reused from commit to commit. */
  readonly #pKinds: number[] = [];
  readonly #pPaths: (readonly Segment[])[] = [];
  readonly #kinds: number[] = [];
  readonly #paths: (readonly Segment[])[] = [];

  add(seq: number, r: Rec): void {
    if (r.kind === 'commit') return this.commit(seq, r.at, r.version, r.baseVersion, r.engineId, r.process, r.route, r.executionId, r.ops, -1, [], r.signals, r.outbox);
    this.#pSeq = -1;
    this.#items.push(streamRec(seq, r));
  }

  commit(seq: number, at: number, version: number, baseVersion: number, engineId: string, process: string | null, route: CommitRoute, execution: string | number | null, ops: readonly Op[] | undefined, opKind: number, opPath: readonly Segment[], signals: CommitRec['signals'], outbox: number): void {
    const total = ops === undefined ? 1 : ops.length;
    const kinds = this.#kinds;
    const paths = this.#paths;
    const n = Math.min(total, STREAM_OPS);
    kinds.length = n;
    paths.length = n;
    if (ops === undefined) {
      kinds[0] = opKind;
      paths[0] = opPath;
    } else {
      for (let i = 0; i < n; i++) {
        const o = ops[i]!;
        kinds[i] = opCode(o.op);
        paths[i] = o.path;
      }
    }
    const repeats =
      this.#pSeq >= 0 &&
      seq === this.#pSeq + 1 &&
      version === this.#pVersion + 1 &&
      baseVersion === this.#pBase + 1 &&
      engineId === this.#pEngine &&
      process === this.#pProcess &&
      route === this.#pRoute &&
      (typeof execution === 'number' ? this.#pExecution !== null && execution === this.#pExecution + 1 : execution === null && this.#pExecution === null) &&
      signals.length === 0 &&
      outbox === this.#pOutbox &&
      total === this.#pOpsTotal &&
      this.#sameOps();
    const delta = at - this.#pAt;
    // A string execution id, or signals, are not carried by a repeat: the next commit is a full tuple.
    this.#pSeq = typeof execution === 'string' || signals.length > 0 ? -1 : seq;
    this.#pAt = at;
    this.#pVersion = version;
    this.#pBase = baseVersion;
    this.#pEngine = engineId;
    this.#pProcess = process;
    this.#pRoute = route;
    this.#pExecution = typeof execution === 'number' ? execution : null;
    this.#pOpsTotal = total;
    this.#pKinds.length = n;
    this.#pPaths.length = n;
    for (let i = 0; i < n; i++) {
      this.#pKinds[i] = kinds[i]!;
      this.#pPaths[i] = paths[i]!;
    }
    if (repeats) {
      this.#items.push(delta);
      return;
    }
    const flat: unknown[] = [];
    for (let i = 0; i < n; i++) flat.push(kinds[i], paths[i]!.length > 32 ? paths[i]!.slice(0, 32) : paths[i]);
    let topics: string[] | 0 = 0;
    if (signals.length > 0) {
      topics = [];
      for (let i = 0; i < signals.length && i < 16; i++) topics.push(signals[i]!.topic);
    }
    this.#items.push([seq, at, version, baseVersion, this.#str(engineId), process === null ? -1 : this.#str(process), this.#str(route), execution, flat, total, topics, outbox]);
  }

  /** The ops the stream names have the kinds and paths of the previous commit's. */
  #sameOps(): boolean {
    const n = this.#kinds.length;
    if (n !== this.#pKinds.length) return false;
    for (let i = 0; i < n; i++) {
      if (this.#kinds[i] !== this.#pKinds[i]) return false;
      const x = this.#paths[i]!;
      const y = this.#pPaths[i]!;
      if (x === y) continue;
      const m = Math.min(x.length, 32);
      if (m !== Math.min(y.length, 32)) return false;
      for (let k = 0; k < m; k++) if (x[k] !== y[k]) return false;
    }
    return true;
  }

  #str(s: string): number {
    let i = this.#index.get(s);
    if (i === undefined) {
      i = this.#strings.length;
      this.#strings.push(s);
      this.#index.set(s, i);
    }
    return i;
  }

  /** The batch as JSON; an item that cannot be serialised is replaced by a stub naming it. */
  json(): string {
    try {
      return JSON.stringify({ t: this.#strings, r: this.#items });
    } catch {
      const items = this.#items.map((x) => {
        try {
          JSON.stringify(x);
          return x;
        } catch {
          const seq = Array.isArray(x) ? (x[0] as number) : (x as { seq: number }).seq;
          return { seq, kind: Array.isArray(x) ? 'commit' : (x as { kind: string }).kind, engineId: '', at: 0, unreadable: true };
        }
      });
      return JSON.stringify({ t: this.#strings, r: items });
    }
  }
}

function opCode(op: Op['op']): number {
  return op === 'add' ? 0 : op === 'replace' ? 1 : 2;
}

export function wireRec(seq: number, r: Rec, limits: PreviewLimits = STREAM): Record<string, unknown> {
  switch (r.kind) {
    case 'commit': {
      const { ops, opsTotal } = wireOps(r.ops, limits);
      return {
        seq,
        kind: r.kind,
        engineId: r.engineId,
        at: r.at,
        version: r.version,
        baseVersion: r.baseVersion,
        process: r.process,
        route: r.route,
        executionId: r.executionId,
        ops,
        opsTotal,
        signals: r.signals.slice(0, 16).map((s) => s.topic),
        outbox: r.outbox,
      };
    }
    case 'conflict': {
      const { ops, opsTotal } = wireOps(r.ops, limits);
      return { seq, ...r, paths: r.paths.slice(0, 50), ops, opsTotal };
    }
    case 'failure':
      return { seq, ...r, error: wireError(r.error) };
    case 'signal':
      return { seq, ...r, payload: preview(r.payload, limits) };
    case 'step':
      return r.error === undefined ? { seq, ...r } : { seq, ...r, error: wireError(r.error) };
    default:
      return { seq, ...r };
  }
}
