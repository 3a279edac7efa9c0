import type { Segment } from '../core/path.js';
import type { State } from '../core/state.js';
import { Transaction, type TransactionResult } from '../core/transaction.js';
import { Guard } from '../contracts/guard.js';
import type { Contract, ProcessDefinition } from '../contracts/types.js';
import type { OutboxMessageInit } from '../storage/store.js';
import { ExecutionContext, OutboxBuffer, SignalBuffer, type ContextDeps } from './context.js';
import type { Deadline } from './deadline.js';
import { applyOutputs } from './output-mapping.js';
import { isThenable, unproxy } from './results.js';

/**
 * One attempt of a process, the same on the main thread and in a worker: guard, transaction,
 * context, run, output mapping. What it produced goes to the commit pipeline, which checks it
 * like any other route's ops (a worker's result crosses back as data and is checked there).
 */

export interface AttemptSpec {
  readonly def: ProcessDefinition;
  readonly contract: Contract;
  readonly base: State;
  readonly args: unknown;
  readonly strict: boolean;
  readonly rootCeilings: ReadonlyMap<string, number>;
  /** Main thread: the deadline that cuts a pending process off. Workers: the pool's timeout does. */
  readonly deadline?: Deadline | undefined;
  /** Calls `def.fn(ctx, args)` (on the main thread, inside the re-entrancy mark). */
  enter?(def: ProcessDefinition, ctx: ExecutionContext, args: unknown): unknown;
  /** Called when the attempt's transaction ends, committed or not. */
  onEnd?(): void;
  onAdmin?(): void;
}

export interface AttemptOutput {
  readonly result: TransactionResult;
  readonly signals: readonly (readonly [string, unknown])[];
  readonly outbox: readonly OutboxMessageInit[];
  readonly value: unknown;
  readonly adminWrites: readonly (readonly Segment[])[];
}

/**
 * Runs one attempt and hands what it produced to `next` (the commit, or nothing in a worker).
 * Stays synchronous when the process is synchronous. Taking the continuation here rather than
 * chaining it on the returned promise saves an async process one promise and one microtask.
 */
export function runAttempt<R>(spec: AttemptSpec, next: (o: AttemptOutput) => R | Promise<R>): R | Promise<R> {
  const attempt = new Attempt(spec);
  const ctx = new ExecutionContext(attempt);
  const { def, args } = spec;
  let raw: unknown;
  try {
    raw = spec.enter ? spec.enter(def, ctx, args) : def.fn(ctx as never, args);
  } catch (e) {
    return attempt.fail(e);
  }
  if (isThenable(raw)) {
    const onValue = (v: unknown) => next(attempt.finish(v));
    const onError = (e: unknown) => attempt.fail(e);
    return spec.deadline ? spec.deadline.raceThen(raw, onValue, onError) : Promise.resolve(raw).then(onValue, onError);
  }
  return next(attempt.finish(raw));
}

/**
 * One attempt's transaction and buffers. It is also the context's dependencies, and its methods
 * replace per-attempt closures: the synchronous path allocates nothing it does not need.
 */
class Attempt implements ContextDeps {
  readonly guard: Guard;
  readonly tx: Transaction;
  readonly signals: SignalBuffer;
  readonly outbox: OutboxBuffer;
  readonly input: unknown;
  readonly deadline: Deadline | undefined;
  #ended = false;

  constructor(readonly spec: AttemptSpec) {
    this.guard = new Guard(spec.contract, spec.strict, spec.rootCeilings);
    this.tx = new Transaction(spec.base, { access: this.guard.root(), trackReads: true });
    this.signals = new SignalBuffer(this.guard);
    this.outbox = new OutboxBuffer();
    this.input = spec.args;
    this.deadline = spec.deadline;
  }

  onAdmin(): void {
    this.spec.onAdmin?.();
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.signals.closed = true;
    this.outbox.closed = true;
    this.deadline?.dispose();
    this.spec.onEnd?.();
  }

  fail(e: unknown): never {
    this.tx.rollback();
    this.end();
    throw e;
  }

  finish(raw: unknown): AttemptOutput {
    const { spec, tx, guard, signals, outbox } = this;
    let out: AttemptOutput;
    try {
      const value = unproxy(raw);
      const mapped = applyOutputs(tx, guard, value, spec.strict);
      spec.deadline?.assertWithin();
      const result = tx.finish();
      out = {
        result,
        signals: mapped.length === 0 ? signals.pending : [...signals.pending, ...mapped],
        outbox: outbox.pending,
        value,
        adminWrites: guard.adminWrites,
      };
    } catch (e) {
      return this.fail(e);
    }
    this.end();
    return out;
  }
}
