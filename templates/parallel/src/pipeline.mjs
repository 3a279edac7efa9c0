import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { TheusEngine } from 'theus';
import { fillSales } from './sales.mjs';

const file = (relative) => fileURLToPath(new URL(relative, import.meta.url));

/** An engine whose heavy zone holds `products × days` float32 sales. */
export async function createForecastEngine({ products = 20_000, days = 365 } = {}) {
  const engine = new TheusEngine({ domain: { forecast: null }, global: { products, days } });
  await engine.scanAndRegister(file('./processes'));
  const sales = engine.heavy.alloc('sales', [products, days], 'float32');
  fillSales(sales.data, products, days);
  return engine;
}

/** Splits [0, total) into `parts` contiguous bands of nearly equal size. */
export function bands(total, parts) {
  const n = Math.max(1, Math.min(parts, total));
  return Array.from({ length: n }, (_, i) => ({ start: Math.floor((i * total) / n), end: Math.floor(((i + 1) * total) / n) }));
}

/** One parallel task per band, merged in order, then committed by an ordinary process. */
export async function runForecast(engine, { workers = Math.max(2, os.availableParallelism()) } = {}) {
  const { products } = engine.state.global;
  const parts = await Promise.all(bands(products, workers).map((band) => engine.executeParallel('forecastBand', band)));
  const values = new Array(products);
  for (const { start, values: band } of parts) for (let i = 0; i < band.length; i++) values[start + i] = band[i];
  await engine.execute('storeForecast', { values });
  return { values, bands: parts.length };
}
