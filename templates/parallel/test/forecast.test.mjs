import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bands, createForecastEngine, runForecast } from '../src/pipeline.mjs';
import { fillSales, forecastRows } from '../src/sales.mjs';

test('bands cover every product exactly once', () => {
  assert.deepEqual(bands(10, 3), [{ start: 0, end: 3 }, { start: 3, end: 6 }, { start: 6, end: 10 }]);
  assert.deepEqual(bands(2, 8), [{ start: 0, end: 1 }, { start: 1, end: 2 }]);
});

test('the parallel forecast equals the sequential one', async () => {
  const engine = await createForecastEngine({ products: 500, days: 60 });
  try {
    const { values } = await runForecast(engine, { workers: 3 });
    const sales = new Float32Array(500 * 60);
    fillSales(sales, 500, 60);
    assert.deepEqual(values, forecastRows(sales, 60, 0, 500));
    assert.equal(engine.state.domain.forecast.products, 500);
    assert.equal(engine.state.domain.forecast.top.length, 5);
  } finally {
    await engine.close();
  }
});

test('workers see writes made to the shared matrix (no copy)', async () => {
  const engine = await createForecastEngine({ products: 4, days: 28 });
  try {
    const sales = engine.heavy.get('sales');
    sales.data.fill(0);
    for (let d = 0; d < 28; d++) sales.set(2, d, 10);
    const result = await engine.executeParallel('forecastBand', { start: 0, end: 4 });
    assert.deepEqual(result.values, [0, 0, 70, 0]);
  } finally {
    await engine.close();
  }
});

test('a failing worker rejects with its error and commits nothing', async () => {
  const engine = await createForecastEngine({ products: 10, days: 30 });
  try {
    const version = engine.state.version;
    await assert.rejects(engine.executeParallel('forecastBand', { start: 5, end: 50 }), RangeError);
    assert.equal(engine.state.version, version);
  } finally {
    await engine.close();
  }
});
