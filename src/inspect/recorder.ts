/**
 * Subscribes to the engine's diagnostics channels and keeps a bounded picture: the newest events in
 * a ring, a state snapshot every K commits per engine (a reference to the immutable State when the
 * engine is at hand, otherwise rebuilt from deltas after the event, off the engine's path), and
 * per-workflow step counts. A commit, the event that comes by the thousand, is written into the
 * ring in place: no record object, nothing serialised, no "before" value read (the detail query
 * reads it from the state before, rebuilt from a snapshot).
 *
 * The engine's own history is left as configured: keeping every State for thousands of versions
 * made each commit's new objects survive into the old generation, which cost an inspected engine
 * more than all of the recording. Versions older than the ring come from the engine's `stateAt`
 * (a durable store, or an engine's `historyLimit`).
 */
import { State } from '../core/state.js';
import {
  CHANNELS,
  attemptChannel,
  auditChannel,
  commitChannel,
  conflictChannel,
  engineChannel,
  executeChannel,
  signalChannel,
  workerTaskChannel,
  workflowStepChannel,
  type AttemptEvent,
  type AuditEvent,
  type CommitEvent,
  type ConflictEvent,
  type EngineEvent,
  type ExecuteEvent,
  type SignalEvent,
  type WorkerTaskEvent,
  type WorkflowStepEvent,
} from '../engine/channels.js';
import type { CommitRec, Rec, StepRec } from './records.js';
import { RecordRing } from './record-ring.js';
import { applyDelta, type Op } from './state-view.js';
import { WorkflowGraphs } from './graphs.js';
import { VersionIndex } from './version-index.js';

/** Where an engine announces itself to a global inspector (`{ engineId, engine }`). */
export const ENGINE_CHANNEL = CHANNELS.engine;

/** Engines a global inspector follows at once; past it, the one idle the longest is let go. */
export const MAX_ENGINES = 32;
/** Executions awaiting a retry after a lost conflict that are followed at once (see #retrying). */
const MAX_RETRYING = 1024;
/** Ids of closed engines remembered, so that their late events do not bring them back. */
const MAX_CLOSED = 256;

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
  /** Last sequence recorded for this engine: the idlest engine is the first let go. */
  lastSeq: number;
}

export interface RecorderOptions {
  capacity?: number;
  snapshotEvery?: number;
  /** Only this engine's events (with `engine`, its id when it has one). */
  engine?: InspectableEngine;
}

/** Told the sequence of each record kept (read it from `ring`). */
export type RecordListener = (seq: number) => void;

export class Recorder {
  readonly ring: RecordRing;
  readonly snapshotEvery: number;
  readonly tracks = new Map<string, Track>();
  readonly graphs = new WorkflowGraphs();
  // An array rather than a Set: walked on every commit, and for..of over a Set allocates.
  #listeners: RecordListener[] = [];
  readonly #engine: InspectableEngine | undefined;
  #filter: string | undefined;
  #unsubscribe: (() => void) | undefined;
  /**
   * Executions that lost a conflict and may run again. Retries are the only attempts the timeline
   * shows, and an attempt event costs the engine an object and a few closures per execute, so the
   * attempt channel is listened to only while some execution is in this map (entered on its
   * conflict, left on its commit or failure).
   */
  readonly #retrying = new Map<string, true>();
  #onAttemptStart: ((m: unknown) => void) | undefined;
  readonly #closedEngines = new Set<string>();

  constructor(options: RecorderOptions = {}) {
    this.ring = new RecordRing(options.capacity ?? 2000);
    this.snapshotEvery = options.snapshotEvery ?? 32;
    this.#engine = options.engine;
    this.#filter = options.engine?.engineId;
    // The state when attached: the base every later version is rebuilt from.
    this.#initial = options.engine ? { version: options.engine.state.version, state: options.engine.state, partial: false } : undefined;
  }

  readonly #initial: Snapshot | undefined;

  onRecord(listener: RecordListener): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  start(): void {
    if (this.#unsubscribe) return;
    if (this.#engine && this.#filter !== undefined) this.#track(this.#filter, this.#engine);
    const onCommit = (m: unknown) => this.#commit(m as CommitEvent);
    const onConflict = (m: unknown) => {
      const e = m as ConflictEvent;
      if (this.#skip(e.engineId)) return;
      if (e.executionId !== null) this.#awaitRetry(e.executionId);
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
      this.#settled(e.executionId);
      this.#push({ kind: 'failure', engineId: e.engineId, at: Date.now(), process: e.process, executionId: e.executionId, parallel: e.parallel, error: e.error });
    };
    this.#onAttemptStart = (m: unknown) => {
      const e = m as AttemptEvent;
      if (e.attempt <= 1 || this.#skip(e.engineId)) return;
      this.#push({ kind: 'retry', engineId: e.engineId, at: Date.now(), process: e.process, executionId: e.executionId, attempt: e.attempt, baseVersion: e.baseVersion, backoffMs: e.backoffMs, vip: e.vip });
    };
    const onEngine = (m: unknown) => {
      const e = m as Partial<EngineEvent> | null;
      if (typeof e?.engineId !== 'string' || this.#skip(e.engineId)) return;
      if (e.closed === true) this.#closed(e.engineId);
      else if (e.engine) this.#track(e.engineId, e.engine as InspectableEngine);
    };
    commitChannel.subscribe(onCommit);
    conflictChannel.subscribe(onConflict);
    auditChannel.subscribe(onAudit);
    signalChannel.subscribe(onSignal);
    workflowStepChannel.subscribe(onStep);
    workerTaskChannel.subscribe(onWorker);
    executeChannel.error.subscribe(onExecuteError);
    engineChannel.subscribe(onEngine);
    this.#unsubscribe = () => {
      commitChannel.unsubscribe(onCommit);
      conflictChannel.unsubscribe(onConflict);
      auditChannel.unsubscribe(onAudit);
      signalChannel.unsubscribe(onSignal);
      workflowStepChannel.unsubscribe(onStep);
      workerTaskChannel.unsubscribe(onWorker);
      executeChannel.error.unsubscribe(onExecuteError);
      engineChannel.unsubscribe(onEngine);
      this.#retrying.clear();
      this.#followAttempts(false);
    };
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#listeners = [];
  }

  /** The engine's id once known (a handed engine without `engineId` adopts the first one seen). */
  get engineId(): string | undefined {
    return this.#filter;
  }

  /** Whether the attempt channel is listened to (while an execution may retry). */
  get followsAttempts(): boolean {
    return this.#retrying.size > 0;
  }

  /** Until a handed engine without an id is named by its first commit, everything is kept. */
  #skip(engineId: string): boolean {
    return this.#filter !== undefined && engineId !== this.#filter;
  }

  #awaitRetry(executionId: string): void {
    if (this.#retrying.size >= MAX_RETRYING) this.#retrying.delete(this.#retrying.keys().next().value!);
    this.#retrying.set(executionId, true);
    this.#followAttempts(true);
  }

  #settled(executionId: string | null): void {
    if (executionId === null || !this.#retrying.delete(executionId) || this.#retrying.size > 0) return;
    this.#followAttempts(false);
  }

  #following = false;
  #followAttempts(on: boolean): void {
    if (on === this.#following || !this.#onAttemptStart) return;
    this.#following = on;
    if (on) attemptChannel.start.subscribe(this.#onAttemptStart);
    else attemptChannel.start.unsubscribe(this.#onAttemptStart);
  }

  #track(engineId: string, engine?: InspectableEngine): Track | undefined {
    let t = this.tracks.get(engineId);
    if (t === undefined) {
      // A late event of an engine that closed must not bring it back.
      if (this.#closedEngines.has(engineId)) return undefined;
      if (this.#engine === undefined && this.tracks.size >= MAX_ENGINES) this.#evictIdlest();
      t = { engineId, engine, snapshots: [], commits: new VersionIndex(), head: -1, rebuildQueued: false, lastSeq: this.ring.next };
      this.tracks.set(engineId, t);
      if (engine) {
        const first = engine === this.#engine && this.#initial ? this.#initial : { version: engine.state.version, state: engine.state, partial: false };
        t.snapshots.push(first);
        t.head = first.version;
      }
    } else if (engine && !t.engine) t.engine = engine;
    return t;
  }

  #evictIdlest(): void {
    let idlest: Track | undefined;
    for (const t of this.tracks.values()) if (idlest === undefined || t.lastSeq < idlest.lastSeq) idlest = t;
    if (idlest) this.#release(idlest.engineId);
  }

  /** An engine closed: its snapshots, version index and graphs go (its records age out of the ring). */
  #closed(engineId: string): void {
    // The engine handed to this inspector stays on show after it closes.
    if (this.#engine !== undefined) return;
    this.#release(engineId);
    if (this.#closedEngines.size >= MAX_CLOSED) this.#closedEngines.delete(this.#closedEngines.values().next().value!);
    this.#closedEngines.add(engineId);
  }

  #release(engineId: string): void {
    this.tracks.delete(engineId);
    this.graphs.forget(engineId);
  }

  #commit(e: CommitEvent): void {
    if (this.#filter === undefined && this.#engine !== undefined && this.#engine.state.version >= e.version && e.version > (this.#initial?.version ?? -1)) {
      this.#filter = e.engineId;
      this.#track(e.engineId, this.#engine);
    }
    if (this.#skip(e.engineId)) return;
    if (this.#retrying.size > 0) this.#settled(e.executionId);
    const t = this.tracks.get(e.engineId) ?? this.#track(e.engineId);
    if (t === undefined) return;
    const seq = this.ring.pushCommit(e);
    t.lastSeq = seq;
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
    this.#tell(seq);
  }

  #push(rec: Rec): number {
    const seq = this.ring.push(rec);
    this.#tell(seq);
    return seq;
  }

  #tell(seq: number): void {
    const ls = this.#listeners;
    for (let i = 0; i < ls.length; i++) ls[i]!(seq);
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
      if (seq === undefined || this.ring.commitVersion(seq) !== v) return undefined;
      for (const op of this.ring.commitOps(seq)!) ops.push(op);
    }
    return applyDelta(from.state, ops);
  }

  commitRec(t: Track, version: number): CommitRec | undefined {
    const seq = t.commits.get(version);
    const rec = seq === undefined ? undefined : this.ring.get(seq);
    return rec !== undefined && rec.kind === 'commit' && rec.version === version && rec.engineId === t.engineId ? rec : undefined;
  }
}
