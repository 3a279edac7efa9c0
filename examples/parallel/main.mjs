// Parallel processing of a large matrix held in the heavy zone (shared memory).
// Run: npm run build && node examples/parallel/main.mjs
import os from 'node:os';
import { HeavyAllocator } from '../../dist/heavy/index.js';
import { ParallelPool } from '../../dist/parallel/index.js';
import { processBand } from './bands.mjs';

const ROWS = 4000;
const COLS = 2500; // 10 M float32 = 40 MB per matrix
const WORKERS = Math.max(2, os.availableParallelism());
const bandsModule = new URL('./bands.mjs', import.meta.url);

const heavy = new HeavyAllocator();
const matrix = heavy.alloc('matrix', [ROWS, COLS], 'float32');
const result = heavy.alloc('result', [ROWS, COLS], 'float32');
for (let i = 0; i < matrix.size; i++) matrix.data[i] = (i % 10_000) / 100;

// Split the rows into one band per worker.
const bands = [];
for (let w = 0; w < WORKERS; w++) {
  bands.push({ start: Math.floor((w * ROWS) / WORKERS), end: Math.floor(((w + 1) * ROWS) / WORKERS) });
}

const pool = new ParallelPool({ maxThreads: WORKERS, minThreads: WORKERS });
const runBands = () =>
  Promise.all(bands.map(({ start, end }) => pool.run({ module: bandsModule, exportName: 'processBand', payload: { matrix, result, start, end } })));

try {
  await runBands(); // warm-up: starts every thread and compiles processBand in each

  let t = performance.now();
  const partials = await runBands();
  const parallelMs = performance.now() - t;
  const sum = partials.reduce((a, b) => a + b, 0);

  // Sequential check on the main thread: same function, same bands, same order → same sum.
  t = performance.now();
  const check = bands.map(({ start, end }) => processBand({ matrix, result, start, end })).reduce((a, b) => a + b, 0);
  const sequentialMs = performance.now() - t;

  console.log(`matrix        ${ROWS}×${COLS} float32 (${(matrix.byteLength / 1e6).toFixed(0)} MB shared, ${heavy.stats().count} heavy arrays)`);
  console.log(`bands         ${bands.length} on ${WORKERS} workers`);
  console.log(`sum           ${sum}`);
  console.log(`check       ${check === sum ? ' ' : '!'}${check}${check === sum ? '  (matches)' : '  (MISMATCH)'}`);
  console.log(`parallel      ${parallelMs.toFixed(1)} ms`);
  console.log(`sequential    ${sequentialMs.toFixed(1)} ms   (speed-up ${(sequentialMs / parallelMs).toFixed(2)}×)`);
  if (check !== sum) process.exitCode = 1;
} finally {
  await pool.close();
}
