// The heavy-zone processes of the demo. `forecastBand` runs in a worker thread: this module is imported there too,
// so it holds only the process and the plain functions it needs.
import { process } from '../../dist/index.js';

/**
 * Synthetic daily unit sales, row-major [rows, days]: row r is store ⌊r / products⌋ selling product r mod products,
 * with a per-product level, a weekend peak and a slow per-store trend.
 */
export function fillSales(data, rows, days, products) {
  for (let r = 0; r < rows; r++) {
    const product = r % products;
    const store = Math.floor(r / products);
    const level = 0.2 + ((product * 7) % 11) / 10;
    const trend = 1 + ((store % 9) - 4) / 2000;
    let growth = 1;
    for (let d = 0; d < days; d++) {
      data[r * days + d] = level * (d % 7 >= 5 ? 1.5 : 1) * growth;
      growth *= trend;
    }
  }
}

/**
 * Expected units next week for rows [start, end), from the whole history of each row: weekday factors (each
 * weekday's mean over the overall mean), then a least-squares trend line through the de-seasonalised series,
 * extended over the next 7 days and seasonalised again. Two passes over every value of the band.
 */
export function forecastRows(data, days, start, end) {
  const out = new Array(end - start);
  const weekday = new Float64Array(7);
  const count = new Float64Array(7);
  for (let d = 0; d < days; d++) count[d % 7] += 1;
  const n = days;
  const sumX = ((n - 1) * n) / 2;
  const sumXX = ((n - 1) * n * (2 * n - 1)) / 6;
  for (let r = start; r < end; r++) {
    const base = r * days;
    weekday.fill(0);
    let total = 0;
    for (let d = 0; d < days; d++) {
      const v = data[base + d];
      weekday[d % 7] += v;
      total += v;
    }
    const mean = total / n;
    for (let k = 0; k < 7; k++) weekday[k] = mean > 0 ? weekday[k] / count[k] / mean : 1;
    let sumY = 0;
    let sumXY = 0;
    for (let d = 0; d < days; d++) {
      const y = data[base + d] / (weekday[d % 7] || 1);
      sumY += y;
      sumXY += d * y;
    }
    const slope = (n * sumXY - sumX * sumY) / (n * sumXX - sumX * sumX);
    const intercept = (sumY - slope * sumX) / n;
    let next = 0;
    for (let d = days; d < days + 7; d++) next += Math.max(0, intercept + slope * d) * weekday[d % 7];
    out[r - start] = next;
  }
  return out;
}

/** Worker side: reads its band of the shared matrix (ctx.heavy.sales, no copy) and returns the band's forecast. */
export const forecastBand = process({ parallel: true, inputs: ['heavy.sales'], outputs: [] }, (ctx) => {
  const { start, end } = ctx.input;
  const sales = ctx.heavy.sales;
  return { start, values: forecastRows(sales.data, sales.shape[1], start, end) };
});

/** Main thread: turns next week's demand per SKU into reorder quantities against the stock left after the checkout. */
export const planRestock = process({ inputs: ['domain.catalog'], outputs: ['domain.restock'] }, (ctx, { demand }) => {
  const plan = {};
  for (const [sku, units] of Object.entries(demand)) {
    const stock = ctx.domain.catalog[sku]?.stock ?? 0;
    plan[sku] = { demand: Math.round(units), stock, reorder: Math.max(0, Math.ceil(units - stock)) };
  }
  return plan;
});
