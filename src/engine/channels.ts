/**
 * The engine's life on `node:diagnostics_channel`: the single source for the inspector,
 * OpenTelemetry and anything users attach. Publishers check `hasSubscribers` before building an
 * event, so a channel nobody listens to costs one property read.
 */
import diagnostics from 'node:diagnostics_channel';
import type { Segment } from '../core/path.js';

/** Channel names. `execute` and `attempt` are tracing channels (start/end/asyncStart/asyncEnd/error). */
export const CHANNELS = Object.freeze({
  execute: 'theus:execute',
  attempt: 'theus:attempt',
  commit: 'theus:commit',
  conflict: 'theus:conflict',
  audit: 'theus:audit',
  signal: 'theus:signal',
  workflowStep: 'theus:workflow.step',
  workerTask: 'theus:worker.task',
  engine: 'theus:engine',
} as const);

/** Identifies the engine instance that published an event (several may share a process). */
export interface EngineRef {
  readonly engineId: string;
}

/** Context object of the `execute` tracing channel: one per execute() call. */
export interface ExecuteEvent extends EngineRef {
  readonly process: string;
  readonly executionId: string;
  readonly parallel: boolean;
  /** Set by the engine when the call settles. */
  result?: unknown;
  error?: unknown;
}

/** Context object of the `attempt` tracing channel: one per run of the process body. */
export interface AttemptEvent extends EngineRef {
  readonly process: string;
  readonly executionId: string;
  /** 1 for the first run, 2 for the first retry, … */
  readonly attempt: number;
  readonly baseVersion: number;
  /** Milliseconds slept before this attempt (backoff), 0 for the first. */
  readonly backoffMs: number;
  readonly vip: boolean;
  result?: unknown;
  error?: unknown;
}

/** One change of a commit, as channels carry it (the engine's delta op, read-only). */
export interface ChannelOp {
  readonly op: 'add' | 'replace' | 'remove';
  readonly path: readonly Segment[];
  readonly value?: unknown;
}

/** Kind of route that produced a commit. */
export type CommitRoute = 'execute' | 'parallel' | 'edit' | 'transaction' | 'compareAndSwap' | 'heavy' | 'remote';

export interface CommitEvent extends EngineRef {
  readonly version: number;
  readonly baseVersion: number;
  readonly process: string | null;
  readonly route: CommitRoute;
  readonly executionId: string | null;
  readonly ops: readonly ChannelOp[];
  readonly signals: readonly { readonly topic: string; readonly payload: unknown }[];
  readonly outbox: number;
  readonly at: number;
}

export interface ConflictEvent extends EngineRef {
  readonly process: string | null;
  readonly route: CommitRoute;
  readonly executionId: string | null;
  readonly attempt: number;
  readonly baseVersion: number;
  /** The newest version at the check: the commits in (baseVersion, winningVersion] won. */
  readonly winningVersion: number;
  readonly paths: readonly string[];
  readonly ops: readonly ChannelOp[];
}

export interface AuditEvent extends EngineRef {
  readonly process: string;
  readonly level: 'S' | 'A' | 'B' | 'C' | 'pass';
  readonly rule: string | null;
  readonly message: string;
  readonly version: number;
}

export interface SignalEvent extends EngineRef {
  readonly topic: string;
  readonly payload: unknown;
  readonly version: number;
}

export interface WorkflowStepEvent extends EngineRef {
  readonly workflow: string;
  readonly kind: 'workflow' | 'machine';
  readonly step: string;
  readonly status: 'start' | 'done' | 'failed' | 'transition';
  readonly version: number;
  readonly error?: unknown;
}

export interface WorkerTaskEvent {
  readonly pool: string;
  /** Thread id of the worker that ran the task; 0 when it is not known (the task failed in the thread). */
  readonly worker: number;
  readonly task: string;
  readonly status: 'start' | 'done' | 'failed' | 'crashed';
  readonly durationMs?: number;
}

/**
 * Published once per engine when it is constructed: how an inspector that was started before the
 * application (the `theus inspect` preload) finds engines it was never handed; and once more, with
 * `closed: true`, when it has closed, so that such an inspector lets go of it.
 */
export interface EngineEvent extends EngineRef {
  readonly engine: object;
  readonly closed?: true;
}

export const executeChannel = diagnostics.tracingChannel<string, ExecuteEvent>(CHANNELS.execute);
export const attemptChannel = diagnostics.tracingChannel<string, AttemptEvent>(CHANNELS.attempt);
export const commitChannel = diagnostics.channel(CHANNELS.commit);
export const conflictChannel = diagnostics.channel(CHANNELS.conflict);
export const auditChannel = diagnostics.channel(CHANNELS.audit);
export const signalChannel = diagnostics.channel(CHANNELS.signal);
export const workflowStepChannel = diagnostics.channel(CHANNELS.workflowStep);
export const workerTaskChannel = diagnostics.channel(CHANNELS.workerTask);
export const engineChannel = diagnostics.channel(CHANNELS.engine);

/**
 * Whether `execute` has listeners other than for its errors. Only then is its context built when
 * the call starts; a listener of `error` alone (the inspector) gets an event built when the error
 * happens, so that a successful call pays for nothing it does not publish.
 */
export function executeTraced(): boolean {
  return executeChannel.start.hasSubscribers || executeChannel.end.hasSubscribers || executeChannel.asyncStart.hasSubscribers || executeChannel.asyncEnd.hasSubscribers;
}
