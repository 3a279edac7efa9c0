// Parallel processing of a large matrix held in the heavy zone (shared memory), through the
// engine: engine.heavy.alloc puts the arrays in state.heavy, a `parallel: true` process runs on
// the worker pool, and the partial sums come back to the main thread.
// Run: npm run build && node examples/parallel/main.mjs
import os from 'node:os';
import { TheusEngine } from '../../dist/index.js';
import { bandKernel, processBand } from './bands.mjs';

const ROWS = 4000;
const COLS = 2500; // 10 M float32 = 40 MB per matrix
const WORKERS = Math.max(2, os.availableParallelism());

const engine = new TheusEngine({}, { workers: { maxThreads: WORKERS, minThreads: WORKERS } });
engine.register(processBand);
const matrix = engine.heavy.alloc('matrix', [ROWS, COLS], 'float32');
const result = engine.heavy.alloc('result', [ROWS, COLS], 'float32');
for (let i = 0; i < matrix.size; i++) matrix.data[i] = (i % 10_000) / 100;

const bands = [];
for (let w = 0; w < WORKERS; w++) bands.push({ start: Math.floor((w * ROWS) / WORKERS), end: Math.floor(((w + 1) * ROWS) / WORKERS) });
const runBands = () => Promise.all(bands.map((band) => engine.executeParallel('processBand', band)));

try {
  await runBands(); // warm-up: starts every thread and compiles the kernel in each (INC-025)

  let t = performance.now();
  const partials = await runBands();
  const parallelMs = performance.now() - t;
  const sum = partials.reduce((a, b) => a + b, 0);

  // Sequential check on the main thread: same kernel, same bands, same order → same sum.
  t = performance.now();
  const check = bands.map(({ start, end }) => bandKernel(matrix, result, start, end)).reduce((a, b) => a + b, 0);
  const sequentialMs = performance.now() - t;

  console.log(`matrix        ${ROWS}×${COLS} float32 (${(matrix.byteLength / 1e6).toFixed(0)} MB shared, ${engine.heavy.stats().count} heavy arrays, state v${engine.state.version})`);
  console.log(`bands         ${bands.length} on ${WORKERS} workers`);
  console.log(`sum           ${sum}`);
  console.log(`check         ${check}  (${check === sum ? 'matches' : 'MISMATCH'})`);
  console.log(`parallel      ${parallelMs.toFixed(1)} ms`);
  console.log(`sequential    ${sequentialMs.toFixed(1)} ms   (speed-up ${(sequentialMs / parallelMs).toFixed(2)}×)`);
  if (check !== sum) process.exitCode = 1;
} finally {
  await engine.close();
}
