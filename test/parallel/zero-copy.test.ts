import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeavyAllocator, HeavyArray } from '../../src/heavy/index.js';
import { ParallelPool } from '../../src/parallel/index.js';
import { waitForFlag } from './wait-flag.js';

const TASKS = new URL('./fixtures/tasks.mjs', import.meta.url);

// INC-014 was a parallel dispatcher that handed workers no heavy zone at all. Here the heavy
// arrays travel as handles; these tests prove the worker gets the very same memory.
describe('heavy arrays in workers (zero copy)', () => {
  let pool: ParallelPool;
  const heavy = new HeavyAllocator({ capacityBytes: 64 * 1024 * 1024 });
  beforeAll(() => {
    pool = new ParallelPool({ maxThreads: 2, minThreads: 1 });
  });
  afterAll(() => pool.close());

  it('a worker writes into a heavy array and the main thread sees it, with no data in any message', async () => {
    const matrix = heavy.alloc('matrix', [1024, 4096], 'float32'); // 16 MiB
    const seen = await pool.run<Record<string, unknown>>({ module: TASKS, exportName: 'writeSentinel', payload: { matrix, value: 1234 } });
    // The reply only carries metadata; the sentinels can only have arrived through shared memory.
    expect(seen).toEqual({ isHeavyArray: true, isShared: true, byteLength: 16 * 1024 * 1024, shape: [1024, 4096], dtype: 'float32' });
    expect(matrix.data[0]).toBe(1234);
    expect(matrix.data[matrix.size - 1]).toBe(1235);
    expect(matrix.get(1, 2)).toBe(1236);
    heavy.free('matrix');
  });

  it('shares memory live while the worker is still running (Atomics handshake)', async () => {
    const flags = new HeavyArray({ key: 'flags', shape: [3], dtype: 'int32' });
    const done = pool.run<{ done: boolean; outcome: string }>({ module: TASKS, exportName: 'handshake', payload: { flags } });
    // Wait until the worker announces (through the shared memory) that it is running…
    await waitForFlag(flags, 0);
    expect(Atomics.load(flags.data, 2)).toBe(0);
    // …then hand it a value the same way; it answers in cell 2 before returning.
    Atomics.store(flags.data, 1, 42);
    Atomics.notify(flags.data, 1);
    const result = await done;
    expect(result.done).toBe(true);
    expect(result.outcome).not.toBe('timed-out');
    expect(Atomics.load(flags.data, 2)).toBe(43);
  });

  it('accepts handles as well as arrays, at the top level and as the payload itself', async () => {
    const a = new HeavyArray({ key: 'a', shape: [2, 3], dtype: 'float64' });
    a.data.set([1, 2, 3, 4, 5, 6]);
    expect(await pool.run({ module: TASKS, exportName: 'sumRows', payload: { matrix: a.handle(), start: 1, end: 2 } })).toBe(15);
    const run = (payload: unknown): Promise<unknown> => pool.run({ module: TASKS, exportName: 'kinds', payload });
    expect(await run([a, a.handle(), 1])).toEqual(['HeavyArray', 'HeavyArray', 'Number']);
    expect(await run({ x: a, y: a.handle(), z: 'text' })).toEqual({ x: 'HeavyArray', y: 'HeavyArray', z: 'String' });
    expect(await run(a)).toBe('HeavyArray');
    expect(await run(a.handle())).toBe('HeavyArray');
    // Deeper than the top level, a handle stays a plain handle (attach it with tools.heavy).
    expect(await run({ nested: { h: a.handle() } })).toEqual({ nested: 'Object' });
  });

  it('a heavy array returned by the worker is re-attached on the main thread', async () => {
    const m = new HeavyArray({ key: 'm', shape: [8], dtype: 'int32' });
    const result = await pool.run<{ same: HeavyArray<'int32'> }>({ module: TASKS, exportName: 'returnHeavy', payload: { matrix: m } });
    expect(result.same).toBeInstanceOf(HeavyArray);
    expect(m.data[3]).toBe(33);
    result.same.data[4] = 44;
    expect(m.data[4]).toBe(44);
  });

  it('handles nested deeper than the top level are attached with tools.heavy', async () => {
    const m = new HeavyArray({ key: 'deep', shape: [5], dtype: 'uint8' });
    const size = await pool.run({ module: TASKS, exportName: 'attachNested', payload: { nested: { handle: m.handle() } } });
    expect(size).toBe(5);
    expect(m.data[0]).toBe(7);
  });

  it('several workers process row bands of one shared matrix', async () => {
    const rows = 64;
    const cols = 32;
    const matrix = heavy.alloc('bands', [rows, cols], 'float64');
    for (let i = 0; i < matrix.size; i++) matrix.data[i] = i % 7;
    const bands = [0, 16, 32, 48, 64];
    const sums = await Promise.all(
      bands.slice(0, -1).map((start, i) =>
        pool.run<number>({ module: TASKS, exportName: 'sumRows', payload: { matrix, start, end: bands[i + 1] } }),
      ),
    );
    const expected = matrix.data.reduce((s, x) => s + x, 0);
    expect(sums.reduce((s, x) => s + x, 0)).toBe(expected);
    heavy.free('bands');
  });
});

describe('TypeScript task modules (dev worker)', () => {
  let pool: ParallelPool;
  beforeAll(() => {
    pool = new ParallelPool({ maxThreads: 1, minThreads: 1 });
  });
  afterAll(() => pool.close());

  it('runs a .ts task, also when named by its future .js URL, with typed errors', async () => {
    const vector = new HeavyArray({ key: 'v', shape: [3], dtype: 'float64' });
    vector.data.set([1, 2, 3]);
    const ts = new URL('./fixtures/typed-task.ts', import.meta.url);
    const js = new URL('./fixtures/typed-task.js', import.meta.url);
    expect(await pool.run({ module: ts, exportName: 'scale', payload: { vector, factor: 2 } })).toBe(3);
    expect(await pool.run({ module: js, exportName: 'scale', payload: { vector, factor: 10 } })).toBe(3);
    expect(Array.from(vector.data)).toEqual([20, 40, 60]);
    await expect(pool.run({ module: js, exportName: 'scale', payload: { vector, factor: Infinity } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      path: 'payload.factor',
    });
  });
});
