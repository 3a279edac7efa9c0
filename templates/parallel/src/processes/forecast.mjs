import { defineProcess } from 'theus';
import { forecastRows } from '../sales.mjs';

/**
 * Runs in a worker thread (`parallel: true`). `ctx.heavy.sales` is the shared sales matrix (no copy);
 * `ctx.input` is the band of products to forecast. The return value travels back to the main thread.
 */
export const forecastBand = defineProcess(
  { parallel: true, inputs: ['heavy.sales'], outputs: [], errors: ['RangeError'] },
  (ctx) => {
    const { start, end } = ctx.input;
    const sales = ctx.heavy.sales;
    const days = sales.shape[1];
    return { start, values: forecastRows(sales.data, days, start, end) };
  },
);

/** Commits the merged forecast: totals and the best sellers (the full vector stays out of the state). */
export const storeForecast = defineProcess(
  { inputs: [], outputs: ['domain.forecast'] },
  (ctx, { values, top = 5 }) => {
    let total = 0;
    for (const v of values) total += v;
    const best = values
      .map((units, product) => ({ product, units }))
      .sort((a, b) => b.units - a.units || a.product - b.product)
      .slice(0, top);
    return { products: values.length, totalUnits: Math.round(total), top: best };
  },
);
