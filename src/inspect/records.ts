/**
 * What the inspector keeps of each event. Records hold references to the event's own data (deltas
 * and payloads are committed, frozen values): nothing is copied or serialised on the engine's path;
 * the server previews them later, within a budget.
 */
import type { Segment } from '../core/path.js';
import type { CommitRoute } from '../engine/channels.js';
import type { Op } from './state-view.js';

interface Base {
  readonly engineId: string;
  readonly at: number;
}

export interface CommitRec extends Base {
  readonly kind: 'commit';
  readonly version: number;
  readonly baseVersion: number;
  readonly process: string | null;
  readonly route: CommitRoute;
  readonly executionId: string | null;
  readonly ops: readonly Op[];
  readonly signals: readonly { readonly topic: string; readonly payload: unknown }[];
  readonly outbox: number;
}

export interface FailureRec extends Base {
  readonly kind: 'failure';
  readonly process: string;
  readonly executionId: string;
  readonly parallel: boolean;
  readonly error: unknown;
}

export interface ConflictRec extends Base {
  readonly kind: 'conflict';
  readonly process: string | null;
  readonly route: CommitRoute;
  readonly executionId: string | null;
  readonly attempt: number;
  readonly baseVersion: number;
  readonly winningVersion: number;
  readonly paths: readonly string[];
  readonly ops: readonly Op[];
}

export interface RetryRec extends Base {
  readonly kind: 'retry';
  readonly process: string;
  readonly executionId: string;
  readonly attempt: number;
  readonly baseVersion: number;
  readonly backoffMs: number;
  readonly vip: boolean;
}

export interface AuditRec extends Base {
  readonly kind: 'audit';
  readonly process: string;
  readonly level: 'S' | 'A' | 'B' | 'C' | 'pass';
  readonly rule: string | null;
  readonly message: string;
  readonly version: number;
}

export interface SignalRec extends Base {
  readonly kind: 'signal';
  readonly topic: string;
  readonly payload: unknown;
  readonly version: number;
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
