import { test, expect } from 'vitest';
import { ParallelPool } from '../../src/parallel/index.js';
test('smoke', async () => {
  const pool = new ParallelPool({ maxThreads: 2 });
  const m = new URL('./fixtures/tasks.mjs', import.meta.url);
  expect(await pool.run({ module: m, exportName: 'add', payload: { a: 1, b: 2 } })).toBe(3);
  const e = await pool.run({ module: new URL('./fixtures/theus-errors.mjs', import.meta.url), exportName: 'conflict' }).catch((x) => x);
  console.log(e, e.constructor.name, e.stack);
  await pool.close();
});
