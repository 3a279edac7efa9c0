import { threadId } from 'node:worker_threads';
import { TheusError, invalidArgument } from '../errors.js';
import { HeavyArray } from '../heavy/heavy-array.js';
import type { HeavyHandle } from '../heavy/handle.js';
import type { Dtype } from '../heavy/dtypes.js';
import { findUncloneable } from './cloneable.js';
import { serializeThrown } from './error-transport.js';
import { attachHeavy, encodeHeavy } from './heavy-transport.js';
import type { TaskEnvelope, TaskOutcome } from './protocol.js';

// Runs inside each pool thread (Piscina imports this module and calls its default export once
// per task). Must stay independent of the engine: it only knows modules, exports and payloads.

/** The second argument every task function receives. */
export interface WorkerTools {
  /** Re-attaches a heavy handle found deeper than the payload's top level (zero copy). */
  readonly heavy: <D extends Dtype>(handle: HeavyHandle<D>) => HeavyArray<D>;
  /** The worker thread's id, handy for logging which thread ran what. */
  readonly threadId: number;
}

const tools: WorkerTools = Object.freeze({
  heavy: <D extends Dtype>(handle: HeavyHandle<D>) => HeavyArray.attach(handle),
  threadId,
});

// Per-thread cache of task functions, by module URL then export name: import() already caches
// modules, but a cached task then runs synchronously up to the task function itself, without a
// resolution or any await on the way, which shows in the dispatch round trip. The function is
// cached rather than the namespace because an own-property check on a module namespace (an
// exotic object) costs about as much as the rest of the worker-side dispatch.
const modules = new Map<string, LoadedModule>();

type TaskFunction = (payload: unknown, tools: WorkerTools) => unknown;

interface LoadedModule {
  readonly namespace: Record<string, unknown>;
  /** Exports already checked to be functions. */
  readonly exports: Map<string, TaskFunction>;
}

function exportOf(namespace: Record<string, unknown>, url: string, exportName: string): TaskFunction {
  if (!Object.prototype.hasOwnProperty.call(namespace, exportName)) {
    const available = Object.keys(namespace).join(', ') || 'none';
    throw invalidArgument(`module ${url} has no export named ${JSON.stringify(exportName)} (exports: ${available})`, 'exportName');
  }
  const target = namespace[exportName];
  if (typeof target !== 'function') {
    throw invalidArgument(`export ${JSON.stringify(exportName)} of ${url} is ${typeof target}, not a function`, 'exportName');
  }
  return target as TaskFunction;
}

function succeed(value: unknown, exportName: string): TaskOutcome {
  const result = encodeHeavy(value, 'result');
  const bad = findUncloneable(result, 'result');
  if (bad !== undefined) {
    return fail(
      new TheusError('UNSUPPORTED_VALUE', `${exportName} returned ${bad.what} at ${bad.path}; results must be structured-cloneable data`, {
        path: bad.path,
      }),
    );
  }
  return { ok: true, value: result };
}

function fail(error: unknown): TaskOutcome {
  return { ok: false, thrown: serializeThrown(error) };
}

function execute(loaded: LoadedModule, envelope: TaskEnvelope): TaskOutcome | Promise<TaskOutcome> {
  const { exportName } = envelope;
  try {
    let fn = loaded.exports.get(exportName);
    if (fn === undefined) {
      fn = exportOf(loaded.namespace, envelope.module, exportName);
      loaded.exports.set(exportName, fn);
    }
    const returned = fn(attachHeavy(envelope.payload, 'payload'), tools);
    if (isThenable(returned)) return Promise.resolve(returned).then((value) => succeed(value, exportName), fail);
    return succeed(returned, exportName);
  } catch (error) {
    return fail(error);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Piscina's handler: never throws, so failures keep their class and fields (see protocol.ts). */
export default function runTask(envelope: TaskEnvelope): TaskOutcome | Promise<TaskOutcome> {
  const cached = modules.get(envelope.module);
  if (cached !== undefined) return execute(cached, envelope);
  return import(envelope.module).then((namespace: Record<string, unknown>) => {
    // Two tasks may import the same module concurrently: keep the first entry and its exports.
    let loaded = modules.get(envelope.module);
    if (loaded === undefined) {
      loaded = { namespace, exports: new Map() };
      modules.set(envelope.module, loaded);
    }
    return execute(loaded, envelope);
  }, fail);
}
