/**
 * What the inspector keeps of each event. Records hold references to the event's own data (deltas
 * and payloads are committed, frozen values): nothing is copied or serialised on the engine's path;
 * the server previews them later, within a budget.
 */
import type { Segment } from '../core/path.js';
import type { AttemptEvent, AuditEvent, CommitEvent, ConflictEvent, ExecuteEvent, SignalEvent } from '../engine/channels.js';

interface Base {
  readonly engineId: string;
  readonly at: number;
}

export interface CommitRec extends Base, CommitEvent {
  readonly kind: 'commit';
}

export interface FailureRec extends Base, Omit<ExecuteEvent, 'result' | 'error'> {
  readonly kind: 'failure';
  readonly error: unknown;
}

export interface ConflictRec extends Base, ConflictEvent {
  readonly kind: 'conflict';
}

export interface RetryRec extends Base, Omit<AttemptEvent, 'result' | 'error'> {
  readonly kind: 'retry';
}

export interface AuditRec extends Base, AuditEvent {
  readonly kind: 'audit';
}

export interface SignalRec extends Base, SignalEvent {
  readonly kind: 'signal';
}

export interface StepRec extends Base {
  readonly kind: 'step';
  readonly workflow: string;
  readonly graph: 'workflow' | 'machine';
  readonly step: string;
  readonly status: 'start' | 'done' | 'failed' | 'transition';
  readonly version: number;
  readonly error?: unknown;
}

export interface WorkerRec extends Base {
  readonly kind: 'worker';
  readonly pool: string;
  readonly worker: number;
  readonly task: string;
  readonly status: 'start' | 'done' | 'failed' | 'crashed';
  readonly durationMs?: number;
}

export type Rec = CommitRec | FailureRec | ConflictRec | RetryRec | AuditRec | SignalRec | StepRec | WorkerRec;

export type { Segment };
