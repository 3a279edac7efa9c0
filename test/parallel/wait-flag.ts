import type { HeavyArray } from '../../src/heavy/index.js';

// Atomics.waitAsync exists in Node 20 but only in the ES2024 lib typings; declare the slice we use.
type WaitAsync = (cells: Int32Array, index: number, value: number, timeoutMs?: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** Resolves once a worker has stored a non-zero value in `flags[index]`, without blocking the event loop. */
export async function waitForFlag(flags: HeavyArray<'int32'>, index = 0): Promise<void> {
  while (Atomics.load(flags.data, index) === 0) {
    const waited = waitAsync(flags.data, index, 0, 5_000);
    if (waited.async) await waited.value;
  }
}
