import os from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';
import { invalidArgument } from '../errors.js';
import { describe } from '../heavy/describe.js';

export interface ParallelPoolOptions {
  /** Most threads the pool runs at once (default `os.availableParallelism()`). */
  maxThreads?: number;
  /**
   * Threads started eagerly and kept alive while idle (default half of `maxThreads`, at least 1).
   * Eager threads avoid measuring spawn cost as task cost (the original's INC-025).
   */
  minThreads?: number;
  /** Per-thread V8 limits; a thread that exceeds them is terminated and its task fails with `WorkerCrashedError`. */
  resourceLimits?: ResourceLimits;
  /** How long a thread above `minThreads` may stay idle before it exits, in ms (default 10 000). */
  idleTimeout?: number;
}

export interface ResolvedPoolOptions {
  maxThreads: number;
  minThreads: number;
  idleTimeout: number;
  resourceLimits: ResourceLimits | undefined;
}

const RESOURCE_LIMIT_KEYS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'] as const;

function positiveInteger(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw invalidArgument(`${name} must be an integer ≥ ${min}; got ${describe(value)}`, name);
  }
  return value;
}

export function resolvePoolOptions(options: unknown): ResolvedPoolOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null) {
    throw invalidArgument(`ParallelPool options must be an object; got ${describe(options)}`, 'options');
  }
  const o = options as ParallelPoolOptions;
  const maxThreads = o.maxThreads === undefined ? os.availableParallelism() : positiveInteger(o.maxThreads, 'maxThreads', 1);
  const minThreads = o.minThreads === undefined ? Math.max(1, Math.floor(maxThreads / 2)) : positiveInteger(o.minThreads, 'minThreads', 0);
  if (minThreads > maxThreads) {
    throw invalidArgument(`minThreads (${minThreads}) must not exceed maxThreads (${maxThreads})`, 'minThreads');
  }
  let idleTimeout = 10_000;
  if (o.idleTimeout !== undefined) {
    if (typeof o.idleTimeout !== 'number' || Number.isNaN(o.idleTimeout) || o.idleTimeout < 0) {
      throw invalidArgument(`idleTimeout must be a number of milliseconds ≥ 0 (or Infinity); got ${describe(o.idleTimeout)}`, 'idleTimeout');
    }
    idleTimeout = o.idleTimeout;
  }
  let resourceLimits: ResourceLimits | undefined;
  if (o.resourceLimits !== undefined) {
    if (typeof o.resourceLimits !== 'object' || o.resourceLimits === null) {
      throw invalidArgument(`resourceLimits must be an object such as { maxOldGenerationSizeMb: 256 }; got ${describe(o.resourceLimits)}`, 'resourceLimits');
    }
    resourceLimits = {};
    for (const key of Object.keys(o.resourceLimits)) {
      if (!(RESOURCE_LIMIT_KEYS as readonly string[]).includes(key)) {
        throw invalidArgument(`resourceLimits.${key} is not a worker resource limit (known: ${RESOURCE_LIMIT_KEYS.join(', ')})`, `resourceLimits.${key}`);
      }
      const value: unknown = (o.resourceLimits as Record<string, unknown>)[key];
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
        throw invalidArgument(`resourceLimits.${key} must be a positive number of megabytes; got ${describe(value)}`, `resourceLimits.${key}`);
      }
      resourceLimits[key as (typeof RESOURCE_LIMIT_KEYS)[number]] = value;
    }
  }
  return { maxThreads, minThreads, idleTimeout, resourceLimits };
}

export interface RunOptions {
  /** Fail the task with `WorkerCrashedError` when it has not finished after this many ms; its thread is terminated and replaced. */
  timeoutMs?: number;
  /** Aborting rejects the task with a `TheusError` of code `ABORTED` (cause: the signal's reason); a running thread is terminated and replaced. */
  signal?: AbortSignal;
}

export function resolveRunOptions(options: unknown): { timeoutMs: number | undefined; signal: AbortSignal | undefined } {
  if (options === undefined) return { timeoutMs: undefined, signal: undefined };
  if (typeof options !== 'object' || options === null) {
    throw invalidArgument(`run options must be an object { timeoutMs?, signal? }; got ${describe(options)}`, 'options');
  }
  const { timeoutMs, signal } = options as RunOptions;
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > 2 ** 31 - 1)) {
    throw invalidArgument(`timeoutMs must be a positive number of milliseconds (at most 2^31 - 1); got ${describe(timeoutMs)}`, 'timeoutMs');
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw invalidArgument(`signal must be an AbortSignal; got ${describe(signal)}`, 'signal');
  }
  return { timeoutMs, signal };
}
