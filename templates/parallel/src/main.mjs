import { createForecastEngine, runForecast } from './pipeline.mjs';
import { forecastRows } from './sales.mjs';

const products = 20_000;
const days = 365;
const engine = await createForecastEngine({ products, days });
try {
  const sales = engine.heavy.get('sales');
  console.log(`sales matrix: ${products} products × ${days} days, float32, ${(sales.byteLength / 1e6).toFixed(1)} MB in shared memory`);

  let started = performance.now();
  const { values, bands } = await runForecast(engine);
  const parallelMs = performance.now() - started;

  started = performance.now();
  const check = forecastRows(sales.data, days, 0, products);
  const sequentialMs = performance.now() - started;
  const same = check.every((v, i) => v === values[i]);

  const { forecast } = engine.state.domain;
  console.log(`forecast: ${forecast.totalUnits} units next week across ${forecast.products} products (${bands} worker bands)`);
  console.log(`best sellers: ${forecast.top.map((t) => `#${t.product} ${t.units}`).join(', ')}`);
  console.log(`parallel ${parallelMs.toFixed(1)} ms (including worker start-up), sequential check ${sequentialMs.toFixed(1)} ms: ${same ? 'results match' : 'MISMATCH'}`);
  if (!same) process.exitCode = 1;
} finally {
  await engine.close();
}
