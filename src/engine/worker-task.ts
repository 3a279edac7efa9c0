import { isProcess } from '../contracts/process.js';
import { validateContract } from '../contracts/validate.js';
import type { ProcessDefinition } from '../contracts/types.js';
import { State } from '../core/state.js';
import { toPlain } from '../core/plain.js';
import type { Segment } from '../core/path.js';
import { TheusError } from '../errors.js';
import { HeavyArray } from '../heavy/heavy-array.js';
import type { HeavyHandle } from '../heavy/handle.js';
import type { WorkerTools } from '../parallel/worker-entry.js';
import type { OutboxMessageInit } from '../storage/store.js';
import { runAttempt } from './attempt.js';
import { importingInWorker } from './worker-mark.js';
import { runInTraceCarrier, type TraceCarrier } from '../otel/trace-hook.js';

// The worker side of a parallel process: loads the process's module in a pool thread and runs one
// attempt with the same code as the main thread. Lives with the engine; the pool only knows it as
// a module and an export.

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
  /** Namespace policies as capability bits, so the worker refuses at the statement what the engine would refuse at commit. */
  readonly ceilings: readonly (readonly [string, number])[];
  readonly strict: boolean;
  /** The attempt's trace context (W3C `traceparent`…), present only while OpenTelemetry instruments the engine. */
  readonly trace?: TraceCarrier | undefined;
}

export interface ProcessTaskResult {
  /** The worker thread that ran the attempt (for the inspector's pool lanes). */
  readonly threadId: number;
  readonly value: unknown;
  readonly ops: readonly { op: 'add' | 'replace' | 'remove'; path: readonly Segment[]; value?: unknown }[];
  readonly writes: readonly string[];
  readonly reads: readonly string[];
  readonly signals: readonly (readonly [string, unknown])[];
  readonly outbox: readonly OutboxMessageInit[];
  readonly adminWrites: readonly (readonly Segment[])[];
}

const definitions = new Map<string, ProcessDefinition>();

async function findProcess(moduleUrl: string, name: string): Promise<ProcessDefinition> {
  const key = `${moduleUrl}#${name}`;
  const known = definitions.get(key);
  if (known) return known;
  const mod = await importingInWorker(() => import(moduleUrl) as Promise<Record<string, unknown>>);
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

/** Runs one attempt of a parallel process inside a worker thread; only data goes back. */
export async function runProcessTask(payload: ProcessTaskPayload, tools: WorkerTools): Promise<ProcessTaskResult> {
  const def = await findProcess(payload.moduleUrl, payload.processName);
  const contract = validateContract(def, new Set(payload.rootNames));
  const heavy: Record<string, unknown> = {};
  for (const [key, handle] of Object.entries(payload.heavy)) heavy[key] = tools.heavy(handle);
  const attempt = () =>
    runAttempt({
      def,
      contract,
      base: State.create({ ...payload.roots, heavy }),
      args: payload.args,
      strict: payload.strict,
      rootCeilings: new Map(payload.ceilings),
    }, (o) => o);
  const out = payload.trace === undefined ? await attempt() : await runInTraceCarrier(payload.trace, attempt);
  const { result } = out;
  return {
    threadId: tools.threadId,
    value: transportable(out.value),
    ops: result.ops.map((op) => (op.op === 'remove' ? { op: op.op, path: op.path } : { op: op.op, path: op.path, value: transportable(op.value) })),
    writes: [...result.writes],
    reads: [...result.reads],
    signals: out.signals.map(([t, p]) => [t, toPlain(p)] as const),
    outbox: out.outbox.map((m) => ({ topic: m.topic, payload: toPlain(m.payload) })),
    adminWrites: out.adminWrites,
  };
}
