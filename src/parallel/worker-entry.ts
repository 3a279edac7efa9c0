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

// Per-thread module cache: import() already caches modules, but skipping it saves a resolution
// and a microtask hop on every task, which shows in the dispatch round trip.
const modules = new Map<string, Record<string, unknown>>();

async function loadModule(url: string): Promise<Record<string, unknown>> {
  let namespace = modules.get(url);
  if (namespace === undefined) {
    namespace = (await import(url)) as Record<string, unknown>;
    modules.set(url, namespace);
  }
  return namespace;
}

async function resolveExport(url: string, exportName: string): Promise<(payload: unknown, tools: WorkerTools) => unknown> {
  const namespace = await loadModule(url);
  if (!Object.prototype.hasOwnProperty.call(namespace, exportName)) {
    const available = Object.keys(namespace).join(', ') || 'none';
    throw invalidArgument(`module ${url} has no export named ${JSON.stringify(exportName)} (exports: ${available})`, 'exportName');
  }
  const target = namespace[exportName];
  if (typeof target !== 'function') {
    throw invalidArgument(`export ${JSON.stringify(exportName)} of ${url} is ${typeof target}, not a function`, 'exportName');
  }
  return target as (payload: unknown, tools: WorkerTools) => unknown;
}

export default async function runTask(envelope: TaskEnvelope): Promise<TaskOutcome> {
  try {
    const fn = await resolveExport(envelope.module, envelope.exportName);
    const payload = attachHeavy(envelope.payload, 'payload');
    const result = encodeHeavy(await fn(payload, tools), 'result');
    const bad = findUncloneable(result, 'result');
    if (bad !== undefined) {
      throw new TheusError(
        'UNSUPPORTED_VALUE',
        `${envelope.exportName} returned ${bad.what} at ${bad.path}; results must be structured-cloneable data`,
        { path: bad.path },
      );
    }
    return { ok: true, value: result };
  } catch (error) {
    return { ok: false, thrown: serializeThrown(error) };
  }
}
