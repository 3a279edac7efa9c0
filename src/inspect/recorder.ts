/**
 * Subscribes to the engine's diagnostics channels and keeps a bounded picture: the newest events in
 * a ring, a state snapshot every K commits per engine (a reference to the immutable State when the
 * engine is at hand, otherwise rebuilt from deltas after the event, off the engine's path), and
 * per-workflow step counts. Channel handlers only allocate a record and push it.
 */
import diagnostics from 'node:diagnostics_channel';
import { State } from '../core/state.js';
import {
  attemptChannel,
  auditChannel,
  commitChannel,
  conflictChannel,
  executeChannel,
  signalChannel,
  workerTaskChannel,
  workflowStepChannel,
  type AttemptEvent,
  type AuditEvent,
  type CommitEvent,
  type ConflictEvent,
  type ExecuteEvent,
  type SignalEvent,
  type WorkerTaskEvent,
  type WorkflowStepEvent,
} from '../engine/channels.js';
import type { CommitRec, Rec, StepRec } from './records.js';
import { Ring } from './ring.js';
import { applyDelta, type Op } from './state-view.js';
import { WorkflowGraphs } from './graphs.js';
import { VersionIndex } from './version-index.js';

/** Where an engine announces itself to a global inspector (`{ engineId, engine }`). */
export const ENGINE_CHANNEL = 'theus:engine';

/** What the inspector reads from an engine it was handed (all optional but `state`). */
export interface InspectableEngine {
  readonly engineId?: string;
  readonly state: State;
  contractOf?(name: string): unknown;
  /** A durable engine's past versions (a State, or its plain root). */
  stateAt?(version: number): Promise<State | Readonly<Record<string, unknown>> | undefined>;
}

export interface Snapshot {
  readonly version: number;
  readonly state: State;
  /** Built from deltas alone: paths written before the inspector attached are missing. */
  readonly partial: boolean;
}

export interface Track {
  readonly engineId: string;
  engine: InspectableEngine | undefined;
  readonly snapshots: Snapshot[];
  /** version → ring sequence of its commit (pruned as the ring moves on). */
  readonly commits: VersionIndex;
  head: number;
  rebuildQueued: boolean;
}

export interface RecorderOptions {
  capacity?: number;
  snapshotEvery?: number;
  /** Only this engine's events (with `engine`, its id when it has one). */
  engine?: InspectableEngine;
}

export type RecordListener = (seq: number, rec: Rec) => void;

export class Recorder {
  readonly ring: Ring<Rec>;
  readonly snapshotEvery: number;
  readonly tracks = new Map<string, Track>();
  readonly graphs = new WorkflowGraphs();
  readonly #listeners = new Set<RecordListener>();
  readonly #engine: InspectableEngine | undefined;
  #filter: string | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(options: RecorderOptions = {}) {
    this.ring = new Ring<Rec>(options.capacity ?? 2000);
    this.snapshotEvery = options.snapshotEvery ?? 32;
    this.#engine = options.engine;
    this.#filter = options.engine?.engineId;
    // The state when attached: the base every later version is rebuilt from.
    this.#initial = options.engine ? { version: options.engine.state.version, state: options.engine.state, partial: false } : undefined;
  }

  readonly #initial: Snapshot | undefined;

  onRecord(listener: RecordListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): void {
    if (this.#unsubscribe) return;
    if (this.#engine && this.#filter !== undefined) this.#track(this.#filter, this.#engine);
    const onCommit = (m: unknown) => this.#commit(m as CommitEvent);
    const onConflict = (m: unknown) => {
      const e = m as ConflictEvent;
      if (this.#skip(e.engineId)) return;
      this.#push({ kind: 'conflict', engineId: e.engineId, at: Date.now(), process: e.process, route: e.route, executionId: e.executionId, attempt: e.attempt, baseVersion: e.baseVersion, winningVersion: e.winningVersion, paths: e.paths, ops: e.ops });
    };
    const onAudit = (m: unknown) => {
      const e = m as AuditEvent;
      if (this.#skip(e.engineId)) return;
      this.#push({ kind: 'audit', engineId: e.engineId, at: Date.now(), process: e.process, level: e.level, rule: e.rule, message: e.message, version: e.version });
    };
    const onSignal = (m: unknown) => {
      const e = m as SignalEvent;
      if (this.#skip(e.engineId)) return;
      this.#push({ kind: 'signal', engineId: e.engineId, at: Date.now(), topic: e.topic, payload: e.payload, version: e.version });
    };
    const onStep = (m: unknown) => {
      const e = m as WorkflowStepEvent;
      if (this.#skip(e.engineId)) return;
      const rec: StepRec = { kind: 'step', engineId: e.engineId, at: Date.now(), workflow: e.workflow, graph: e.kind, step: e.step, status: e.status, version: e.version, error: e.error };
      this.graphs.add(rec);
      this.#push(rec);
    };
    const onWorker = (m: unknown) => {
      const e = m as WorkerTaskEvent;
      this.#push({ kind: 'worker', engineId: '', at: Date.now(), pool: e.pool, worker: e.worker, task: e.task, status: e.status, ...(e.durationMs === undefined ? {} : { durationMs: e.durationMs }) });
    };
    const onExecuteError = (m: unknown) => {
      const e = m as ExecuteEvent;
      if (this.#skip(e.engineId)) return;
      this.#push({ kind: 'failure', engineId: e.engineId, at: Date.now(), process: e.process, executionId: e.executionId, parallel: e.parallel, error: e.error });
    };
    const onAttemptStart = (m: unknown) => {
      const e = m as AttemptEvent;
      if (e.attempt <= 1 || this.#skip(e.engineId)) return;
      this.#push({ kind: 'retry', engineId: e.engineId, at: Date.now(), process: e.process, executionId: e.executionId, attempt: e.attempt, baseVersion: e.baseVersion, backoffMs: e.backoffMs, vip: e.vip });
    };
    const onEngine = (m: unknown) => {
      const e = m as { engineId?: unknown; engine?: InspectableEngine };
      if (typeof e?.engineId !== 'string' || this.#skip(e.engineId) || !e.engine) return;
      this.#track(e.engineId, e.engine);
    };
    const engineChannel = diagnostics.channel(ENGINE_CHANNEL);
    commitChannel.subscribe(onCommit);
    conflictChannel.subscribe(onConflict);
    auditChannel.subscribe(onAudit);
    signalChannel.subscribe(onSignal);
    workflowStepChannel.subscribe(onStep);
    workerTaskChannel.subscribe(onWorker);
    executeChannel.error.subscribe(onExecuteError);
    attemptChannel.start.subscribe(onAttemptStart);
    engineChannel.subscribe(onEngine);
    this.#unsubscribe = () => {
      commitChannel.unsubscribe(onCommit);
      conflictChannel.unsubscribe(onConflict);
      auditChannel.unsubscribe(onAudit);
      signalChannel.unsubscribe(onSignal);
      workflowStepChannel.unsubscribe(onStep);
      workerTaskChannel.unsubscribe(onWorker);
      executeChannel.error.unsubscribe(onExecuteError);
      attemptChannel.start.unsubscribe(onAttemptStart);
      engineChannel.unsubscribe(onEngine);
    };
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#listeners.clear();
  }

  /** The engine's id once known (a handed engine without `engineId` adopts the first one seen). */
  get engineId(): string | undefined {
    return this.#filter;
  }

  /** Until a handed engine without an id is named by its first commit, everything is kept. */
  #skip(engineId: string): boolean {
    return this.#filter !== undefined && engineId !== this.#filter;
  }

  #track(engineId: string, engine?: InspectableEngine): Track {
    let t = this.tracks.get(engineId);
    if (t === undefined) {
      t = { engineId, engine, snapshots: [], commits: new VersionIndex(), head: -1, rebuildQueued: false };
      this.tracks.set(engineId, t);
      if (engine) {
        const first = engine === this.#engine && this.#initial ? this.#initial : { version: engine.state.version, state: engine.state, partial: false };
        t.snapshots.push(first);
        t.head = first.version;
      }
    } else if (engine && !t.engine) t.engine = engine;
    return t;
  }

  #commit(e: CommitEvent): void {
    if (this.#filter === undefined && this.#engine !== undefined && this.#engine.state.version >= e.version && e.version > (this.#initial?.version ?? -1)) {
      this.#filter = e.engineId;
      this.#track(e.engineId, this.#engine);
    }
    if (this.#skip(e.engineId)) return;
    const rec: CommitRec = {
      kind: 'commit',
      engineId: e.engineId,
      at: e.at,
      version: e.version,
      baseVersion: e.baseVersion,
      process: e.process,
      route: e.route,
      executionId: e.executionId,
      ops: e.ops,
      signals: e.signals,
      outbox: e.outbox,
    };
    const t = this.#track(e.engineId);
    const seq = this.#push(rec);
    t.commits.set(e.version, seq);
    if (e.version > t.head) t.head = e.version;
    t.commits.prune(this.ring.first, this.ring.capacity);
    const last = t.snapshots[t.snapshots.length - 1];
    if (last === undefined) {
      // Nothing known before this commit: replay deltas onto an empty state, marked partial.
      t.snapshots.push({ version: e.baseVersion, state: State.create({}), partial: true });
    } else if (e.version - last.version >= this.snapshotEvery) {
      const live = t.engine?.state;
      if (live !== undefined && live.version === e.version) this.#addSnapshot(t, { version: e.version, state: live, partial: false });
      else this.#queueRebuild(t);
    }
  }

  #push(rec: Rec): number {
    const seq = this.ring.push(rec);
    for (const l of this.#listeners) l(seq, rec);
    return seq;
  }

  #addSnapshot(t: Track, s: Snapshot): void {
    t.snapshots.push(s);
    const keep = Math.ceil(this.ring.capacity / this.snapshotEvery) + 2;
    if (t.snapshots.length > keep) t.snapshots.splice(0, t.snapshots.length - keep);
  }

  /** Snapshot from the previous one plus the retained deltas, after the current event. */
  #queueRebuild(t: Track): void {
    if (t.rebuildQueued) return;
    t.rebuildQueued = true;
    setImmediate(() => {
      t.rebuildQueued = false;
      const last = t.snapshots[t.snapshots.length - 1];
      if (!last || t.head - last.version < this.snapshotEvery) return;
      const built = this.replay(t, last, t.head);
      if (built) this.#addSnapshot(t, { version: t.head, state: built.state, partial: last.partial || built.skipped > 0 });
    }).unref();
  }

  /** `from` + the commits (from.version, to], in one transaction; undefined when one is no longer retained. */
  replay(t: Track, from: Snapshot, to: number): { state: State; skipped: number } | undefined {
    const ops: Op[] = [];
    for (let v = from.version + 1; v <= to; v++) {
      const seq = t.commits.get(v);
      const rec = seq === undefined ? undefined : this.ring.get(seq);
      if (rec === undefined || rec.kind !== 'commit' || rec.version !== v) return undefined;
      for (const op of rec.ops) ops.push(op);
    }
    return applyDelta(from.state, ops);
  }

  commitRec(t: Track, version: number): CommitRec | undefined {
    const seq = t.commits.get(version);
    const rec = seq === undefined ? undefined : this.ring.get(seq);
    return rec !== undefined && rec.kind === 'commit' && rec.version === version ? rec : undefined;
  }
}

/** Asks an engine that keeps no history in memory to keep some, so old versions can be shown. */
export function keepHistory(engine: unknown, versions = 10_000): void {
  const e = engine as { historyLimit?: number } | null | undefined;
  if (e && typeof e.historyLimit === 'number' && e.historyLimit < versions) {
    try {
      e.historyLimit = versions;
    } catch {
      // A store-backed engine's history is the store's: nothing to raise.
    }
  }
}
