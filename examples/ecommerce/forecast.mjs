// The heavy / parallel stage of the demo, kept apart so it can evolve with the engine's heavy-zone API:
// a float32 matrix of daily sales per (store, product) lives in the heavy zone (shared memory); `forecastBand` runs on
// worker threads over bands of rows, reading that memory in place; the merged forecast feeds `planRestock`.
import os from 'node:os';
import { fillSales, forecastBand, forecastRows, planRestock } from './forecast-process.mjs';

export function parallelSupported(engine) {
  return typeof engine.executeParallel === 'function' && engine.heavy !== undefined && typeof engine.heavy.alloc === 'function';
}

function bands(total, parts) {
  return Array.from({ length: parts }, (_, i) => ({ start: Math.floor((i * total) / parts), end: Math.floor(((i + 1) * total) / parts) }));
}

export async function runForecastStage(engine, { stores = 2000, days = 365, workers = Math.max(2, os.availableParallelism()) } = {}) {
  if (!parallelSupported(engine)) return { skipped: 'this build of theus has no engine.heavy / engine.executeParallel yet' };
  engine.register(forecastBand);
  engine.register(planRestock);
  const skus = Object.keys(engine.state.domain.catalog);
  const rows = stores * skus.length;

  const sales = engine.heavy.alloc('sales', [rows, days], 'float32');
  fillSales(sales.data, rows, days, skus.length);

  // Warm-up: start every worker thread and load the process module in it, so the timing below is the work itself.
  let started = performance.now();
  await Promise.all(Array.from({ length: workers }, () => engine.executeParallel('forecastBand', { start: 0, end: 1 })));
  const warmUpMs = performance.now() - started;

  started = performance.now();
  const parts = await Promise.all(bands(rows, workers).map((band) => engine.executeParallel('forecastBand', band)));
  const parallelMs = performance.now() - started;
  const values = new Array(rows);
  for (const { start, values: band } of parts) for (let i = 0; i < band.length; i++) values[start + i] = band[i];

  started = performance.now();
  const check = forecastRows(sales.data, days, 0, rows);
  const sequentialMs = performance.now() - started;
  const matches = check.every((v, i) => v === values[i]);

  const demand = Object.fromEntries(skus.map((sku) => [sku, 0]));
  for (let r = 0; r < rows; r++) demand[skus[r % skus.length]] += values[r];
  await engine.execute('planRestock', { demand });
  return { rows, days, bytes: sales.byteLength, workers, bands: parts.length, warmUpMs, parallelMs, sequentialMs, matches, restock: engine.state.domain.restock };
}
