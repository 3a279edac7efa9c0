import { TheusError } from '../errors.js';
import type { Segment } from '../core/path.js';
import type { State } from '../core/state.js';
import { Transaction, type TransactionResult } from '../core/transaction.js';
import { Guard } from '../contracts/guard.js';
import type { Contract, ProcessDefinition } from '../contracts/types.js';
import type { OutboxMessageInit } from '../storage/store.js';
import { ExecutionContext, OutboxBuffer, SignalBuffer } from './context.js';
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
  /** Wraps the call of the process function (the re-entrancy mark on the main thread). */
  readonly enter?: (<T>(fn: () => T) => T) | undefined;
  /** Called when the attempt's transaction ends, committed or not. */
  readonly onEnd?: (() => void) | undefined;
  readonly onAdmin?: (() => void) | undefined;
}

export interface AttemptOutput {
  readonly result: TransactionResult;
  readonly signals: readonly (readonly [string, unknown])[];
  readonly outbox: readonly OutboxMessageInit[];
  readonly value: unknown;
  readonly adminWrites: readonly (readonly Segment[])[];
}

const NEVER_ABORTED = new AbortController().signal;

/** Runs one attempt. Stays synchronous when the process is synchronous. */
export function runAttempt(spec: AttemptSpec): AttemptOutput | Promise<AttemptOutput> {
  const { def, contract, args, deadline } = spec;
  const guard = new Guard(contract, spec.strict, spec.rootCeilings);
  const tx = new Transaction(spec.base, { access: guard.root(), trackReads: true });
  const signals = new SignalBuffer(guard);
  const outbox = new OutboxBuffer();
  const ctx = new ExecutionContext({
    tx,
    guard,
    input: args,
    signals,
    outbox,
    abortSignal: deadline ? () => deadline.signal() : () => NEVER_ABORTED,
    onAdmin: spec.onAdmin ?? (() => undefined),
  });
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    signals.closed = true;
    outbox.closed = true;
    deadline?.dispose();
    spec.onEnd?.();
  };
  const fail = (e: unknown): never => {
    tx.rollback();
    end();
    throw e;
  };
  let raw: unknown;
  try {
    raw = spec.enter ? spec.enter(() => def.fn(ctx as never, args)) : def.fn(ctx as never, args);
  } catch (e) {
    return fail(e);
  }
  if (isThenable(raw)) {
    const settled = deadline ? deadline.race(raw) : Promise.resolve(raw);
    return settled.then((v) => finish(spec, v, tx, guard, signals, outbox, end, fail), fail);
  }
  return finish(spec, raw, tx, guard, signals, outbox, end, fail);
}

function finish(
  spec: AttemptSpec,
  raw: unknown,
  tx: Transaction,
  guard: Guard,
  signals: SignalBuffer,
  outbox: OutboxBuffer,
  end: () => void,
  fail: (e: unknown) => never,
): AttemptOutput {
  let out: AttemptOutput;
  try {
    const value = unproxy(raw);
    const mapped = applyOutputs(tx, guard, value, spec.strict);
    const d = spec.deadline;
    if (d && (d.expired || d.elapsedMs > d.timeoutMsValue)) {
      throw new TheusError('WRITE_TIMEOUT', `Process '${spec.contract.name}' kept its transaction open ${Math.round(d.elapsedMs)} ms, over writeTimeoutMs ${d.timeoutMsValue}. Nothing was committed.`);
    }
    d?.throwIfCancelled();
    const result = tx.finish();
    out = {
      result,
      signals: mapped.length === 0 ? signals.pending : [...signals.pending, ...mapped],
      outbox: outbox.pending,
      value,
      adminWrites: guard.adminWrites,
    };
  } catch (e) {
    return fail(e);
  }
  end();
  return out;
}
