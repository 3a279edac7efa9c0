import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import { TheusError, WorkerCrashedError } from '../errors.js';
import { reviveThrown } from './error-transport.js';
import { attachHeavy } from './heavy-transport.js';
import { resolvePoolOptions, resolveRunOptions } from './pool-options.js';
import type { ParallelPoolOptions, ResolvedPoolOptions, RunOptions } from './pool-options.js';
import type { TaskEnvelope, TaskOutcome } from './protocol.js';
import { prepareTask } from './task.js';
import type { ParallelTask } from './task.js';
import { workerEntryUrl } from './worker-location.js';

export interface ParallelPoolStats {
  /** Threads alive now (starting, idle or busy). */
  threads: number;
  maxThreads: number;
  minThreads: number;
  /** Tasks waiting for a free thread. */
  queued: number;
  /** Tasks dispatched and not yet settled (queued ones included). */
  pending: number;
  /** Tasks that settled with a value. */
  succeeded: number;
  /** Tasks whose function threw (the thread survived). */
  failed: number;
  /** Tasks lost to a dead thread: exit, out of memory, timeout. */
  crashed: number;
  /** Tasks rejected by an abort signal. */
  aborted: number;
  closed: boolean;
}

/**
 * A generic worker-thread pool: `run` imports an ES module in a pool thread, calls one of its
 * exports with the payload, and resolves with the (structured-cloned) result. Built on Piscina;
 * this layer adds what Theus needs on top: validated payloads with paths in the errors, heavy
 * arrays passed by reference, errors that keep their class and `code`, timeouts, and typed
 * crash / abort / closed errors. A thread that dies is replaced and the pool keeps serving.
 */
type PiscinaClass = typeof Piscina;
let piscinaClass: PiscinaClass | undefined;

/** Piscina is loaded with the first pool that runs a task: an application without parallel work never loads it. */
function loadPiscina(): PiscinaClass {
  piscinaClass ??= (createRequire(import.meta.url)('piscina') as { Piscina: PiscinaClass }).Piscina;
  return piscinaClass;
}

export class ParallelPool {
  #piscina: Piscina<TaskEnvelope, TaskOutcome> | undefined;
  readonly #options: ResolvedPoolOptions;
  #closing: Promise<void> | undefined;
  #pending = 0;
  #succeeded = 0;
  #failed = 0;
  #crashed = 0;
  #aborted = 0;

  /** Validates the options only: Piscina is loaded and `minThreads` threads start with the first task. */
  constructor(options: ParallelPoolOptions = {}) {
    this.#options = resolvePoolOptions(options);
  }

  #threads(): Piscina<TaskEnvelope, TaskOutcome> {
    if (this.#piscina !== undefined) return this.#piscina;
    const { maxThreads, minThreads, idleTimeout, resourceLimits } = this.#options;
    const PiscinaPool = loadPiscina();
    const piscina = new PiscinaPool<TaskEnvelope, TaskOutcome>({
      // A path, not a file: URL: Piscina converts a URL filename back to a path on every run()
      // (about 1 µs per task); given a path it uses it as is.
      filename: fileURLToPath(workerEntryUrl(import.meta.url)),
      maxThreads,
      minThreads,
      idleTimeout,
      // Piscina's per-task timing histogram is not exposed by this API; skipping it trims dispatch.
      recordTiming: false,
      ...(resourceLimits === undefined ? {} : { resourceLimits }),
    });
    // Thread failures reach the affected task's promise; with no task affected, Piscina emits
    // 'error', which would crash the process if nobody listened. Nothing is lost by ignoring it:
    // Piscina has already replaced the thread.
    piscina.on('error', () => {});
    this.#piscina = piscina;
    return piscina;
  }

  /**
   * Runs `task.module`'s `task.exportName(payload, tools)` on a pool thread.
   * Rejects with `INVALID_ARGUMENT` (bad task or uncloneable payload; nothing dispatched),
   * whatever the task function threw (class, message, `code` and stack preserved),
   * `WorkerCrashedError` (the thread exited, ran out of memory or exceeded `timeoutMs`),
   * `TheusError` `ABORTED` (the signal fired) or `ENGINE_CLOSED` (the pool is or got closed).
   */
  async run<T = unknown>(task: ParallelTask, options?: RunOptions): Promise<T> {
    if (this.#closing !== undefined) throw closedError();
    const envelope = prepareTask(task);
    const { timeoutMs, signal } = resolveRunOptions(options);
    if (signal?.aborted) {
      this.#aborted++;
      throw abortedError(envelope, signal.reason);
    }

    let timer: NodeJS.Timeout | undefined;
    let timeout: AbortController | undefined;
    let runSignal = signal;
    if (timeoutMs !== undefined) {
      timeout = new AbortController();
      const controller = timeout;
      timer = setTimeout(() => controller.abort(), timeoutMs);
      runSignal = signal === undefined ? timeout.signal : AbortSignal.any([signal, timeout.signal]);
    }

    this.#pending++;
    let outcome: TaskOutcome;
    try {
      outcome = await this.#threads().run(envelope, runSignal === undefined ? undefined : { signal: runSignal });
    } catch (error) {
      throw this.#translateFailure(error, envelope, timeoutMs, timeout, signal);
    } finally {
      this.#pending--;
      if (timer !== undefined) clearTimeout(timer);
    }
    if (outcome.ok) {
      this.#succeeded++;
      return attachHeavy(outcome.value, 'result') as T;
    }
    this.#failed++;
    throw reviveThrown(outcome.thrown);
  }

  /** Terminates every thread. In-flight and later `run` calls reject with `ENGINE_CLOSED`. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#piscina === undefined ? Promise.resolve() : this.#piscina.destroy();
    return this.#closing;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  stats(): ParallelPoolStats {
    return {
      threads: this.#piscina?.threads.length ?? 0,
      maxThreads: this.#options.maxThreads,
      minThreads: this.#options.minThreads,
      queued: this.#piscina?.queueSize ?? 0,
      pending: this.#pending,
      succeeded: this.#succeeded,
      failed: this.#failed,
      crashed: this.#crashed,
      aborted: this.#aborted,
      closed: this.closed,
    };
  }

  #translateFailure(
    error: unknown,
    envelope: TaskEnvelope,
    timeoutMs: number | undefined,
    timeout: AbortController | undefined,
    signal: AbortSignal | undefined,
  ): Error {
    if (this.#closing !== undefined) return closedError(error);
    const what = describeTask(envelope);
    if (timeout?.signal.aborted === true && signal?.aborted !== true) {
      this.#crashed++;
      return new WorkerCrashedError(
        `${what} timed out after ${timeoutMs} ms; its worker thread was terminated and replaced`,
        { cause: error },
      );
    }
    if (signal?.aborted === true) {
      this.#aborted++;
      return abortedError(envelope, signal.reason);
    }
    this.#crashed++;
    const code = (error as { code?: unknown } | null)?.code;
    const message = error instanceof Error ? error.message : String(error);
    if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return new WorkerCrashedError(
        `${what} ran out of memory (worker resourceLimits ${JSON.stringify(this.#options.resourceLimits ?? {})}); the thread was replaced`,
        { cause: error },
      );
    }
    const exit = /exited with code:? (-?\d+)/.exec(message);
    if (exit !== null) {
      return new WorkerCrashedError(`${what} killed its worker thread: it exited with code ${exit[1]}; the thread was replaced`, { cause: error });
    }
    return new WorkerCrashedError(`${what} failed because its worker thread died: ${message}`, { cause: error });
  }
}

function describeTask(envelope: TaskEnvelope): string {
  const file = envelope.module.slice(envelope.module.lastIndexOf('/') + 1);
  return `task ${envelope.exportName} from ${file}`;
}

function abortedError(envelope: TaskEnvelope, reason: unknown): TheusError {
  const why = reason instanceof Error ? reason.message : String(reason);
  return new TheusError('ABORTED', `${describeTask(envelope)} was aborted: ${why}`, { cause: reason });
}

function closedError(cause?: unknown): TheusError {
  return new TheusError('ENGINE_CLOSED', 'the parallel pool is closed; create a new ParallelPool to run more tasks', cause === undefined ? {} : { cause });
}
