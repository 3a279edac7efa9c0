import { isMainThread } from 'node:worker_threads';
import { TheusError } from '../errors.js';

// A parallel process defined in the same module as its engine: each worker imports that module to
// find the process, which would construct another engine (and its pool, whose workers import the
// module again…). The worker marks the import; an engine constructed during it fails at once. The
// mark lives on globalThis because the user's module may load the library from another path
// (dist vs. source) than the worker does.
const MARK = Symbol.for('theus.workerImport');

type Marked = { [MARK]?: number };

export async function importingInWorker<T>(load: () => Promise<T>): Promise<T> {
  const g = globalThis as Marked;
  g[MARK] = (g[MARK] ?? 0) + 1;
  try {
    return await load();
  } finally {
    g[MARK] = (g[MARK] ?? 1) - 1;
  }
}

/** Throws when an engine is being constructed while a pool worker imports a process module. */
export function assertNotImportedByWorker(): void {
  if (isMainThread) return;
  if (((globalThis as Marked)[MARK] ?? 0) > 0) {
    throw new TheusError(
      'ENGINE_IN_WORKER',
      'A TheusEngine was created while a worker thread imported a parallel process\'s module: the engine and its parallel processes live in the same module, so every worker would start another engine. Move the parallel processes into their own module (for example processes/heavy.ts) and import them from the module that creates the engine.',
    );
  }
}
