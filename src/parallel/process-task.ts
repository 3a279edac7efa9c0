import { isProcess } from '../contracts/process.js';
import { Guard } from '../contracts/guard.js';
import { validateContract } from '../contracts/validate.js';
import type { ProcessDefinition } from '../contracts/types.js';
import { State } from '../core/state.js';
import { Transaction } from '../core/transaction.js';
import { toPlain } from '../core/plain.js';
import type { Segment } from '../core/path.js';
import { TheusError } from '../errors.js';
import { HeavyArray } from '../heavy/heavy-array.js';
import type { HeavyHandle } from '../heavy/handle.js';
import { ExecutionContext, SignalBuffer } from '../engine/context.js';
import { applyOutputs } from '../engine/output-mapping.js';
import type { WorkerTools } from './worker-entry.js';

/** What the engine sends to run one attempt of a parallel process. */
export interface ProcessTaskPayload {
  readonly moduleUrl: string;
  readonly processName: string;
  readonly args: unknown;
  /** Plain copies of the declared (non-heavy) paths, arranged as state roots. */
  readonly roots: Record<string, unknown>;
  /** Handles of the declared heavy entries: attached here, no copy. */
  readonly heavy: Record<string, HeavyHandle>;
  /** Every root name the engine knows (to validate the contract the same way). */
  readonly rootNames: readonly string[];
  readonly strict: boolean;
}

export interface ProcessTaskResult {
  readonly value: unknown;
  readonly ops: readonly { op: 'add' | 'replace' | 'remove'; path: readonly Segment[]; value?: unknown }[];
  readonly writes: readonly string[];
  readonly reads: readonly string[];
  readonly signals: readonly (readonly [string, unknown])[];
}

const definitions = new Map<string, ProcessDefinition>();

async function findProcess(moduleUrl: string, name: string): Promise<ProcessDefinition> {
  const key = `${moduleUrl}#${name}`;
  const known = definitions.get(key);
  if (known) return known;
  const mod = (await import(moduleUrl)) as Record<string, unknown>;
  const def = Object.values(mod).find((v): v is ProcessDefinition => isProcess(v) && v.processName === name);
  if (!def) throw new TheusError('UNKNOWN_PROCESS', `The parallel process '${name}' is not exported by ${moduleUrl}: a worker can only run processes it can import. Export it from the module that defines it.`);
  definitions.set(key, def);
  return def;
}

/** Heavy arrays cross threads as handles; everything else as plain data. */
function transportable(value: unknown): unknown {
  if (value instanceof HeavyArray) return value.handle();
  return toPlain(value);
}

/**
 * Runs one attempt of a parallel process inside a worker thread: the same contract guard,
 * transaction and output mapping as on the main thread, over copies of the declared inputs and
 * the shared heavy memory. Only the delta, the conflict keys and the signals go back; the main
 * thread audits, validates and commits them through the ordinary compare-and-swap path.
 */
export async function runProcessTask(payload: ProcessTaskPayload, tools: WorkerTools): Promise<ProcessTaskResult> {
  const def = await findProcess(payload.moduleUrl, payload.processName);
  const contract = validateContract(def, new Set(payload.rootNames));
  const heavy: Record<string, unknown> = {};
  for (const [key, handle] of Object.entries(payload.heavy)) heavy[key] = tools.heavy(handle);
  const state = State.create({ ...payload.roots, heavy });
  const guard = new Guard(contract, payload.strict);
  const tx = new Transaction(state, { access: guard.root(), trackReads: true });
  const signals = new SignalBuffer(guard);
  const controller = new AbortController();
  const ctx = new ExecutionContext({ tx, guard, input: payload.args, signals, abortSignal: () => controller.signal, onAdmin: () => undefined });
  try {
    let value = await def.fn(ctx as never, payload.args);
    if (value !== null && typeof value === 'object') value = toPlainUnlessSpecial(value);
    const mappedSignals = applyOutputs(tx, guard, value, payload.strict);
    const result = tx.finish();
    return {
      value: transportable(value),
      ops: result.ops.map((op) => (op.op === 'remove' ? { op: op.op, path: op.path } : { op: op.op, path: op.path, value: transportable(op.value) })),
      writes: [...result.writes],
      reads: [...result.reads],
      signals: [...signals.pending, ...mappedSignals].map(([t, p]) => [t, toPlain(p)] as const),
    };
  } catch (e) {
    tx.rollback();
    throw e;
  }
}

/** Drafts in a returned value become plain data; StateUpdates and heavy arrays stay what they are. */
function toPlainUnlessSpecial(value: object): unknown {
  if (value instanceof HeavyArray || (value as Record<symbol, unknown>)[Symbol.for('theus.stateUpdate')] === true) return value;
  return toPlain(value);
}
