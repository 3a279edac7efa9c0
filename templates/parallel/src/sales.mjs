/**
 * Fills `data` (row-major, one row of `days` values per product) with deterministic synthetic daily sales: a base
 * level per product, a weekly pattern and a slow trend.
 * @param {Float32Array} data
 * @param {number} products
 * @param {number} days
 */
export function fillSales(data, products, days) {
  if (data.length !== products * days) throw new RangeError(`expected ${products * days} values, got ${data.length}`);
  for (let p = 0; p < products; p++) {
    const h = hash(p);
    const base = 5 + (h % 1000) / 10;
    const trend = (((h >>> 10) % 13) - 6) / 1000;
    for (let d = 0; d < days; d++) {
      const weekly = d % 7 >= 5 ? 1.4 : 1;
      data[p * days + d] = Math.max(0, base * weekly * (1 + trend * d));
    }
  }
}

/** A well-mixed 32-bit integer per product, so the products differ without a visible pattern. */
function hash(n) {
  let x = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Next week's expected sales for products [start, end): the mean daily sales of the last four weeks, projected
 * with the trend between their first and second half, times 7. Never negative.
 * @param {Float32Array} data
 * @param {number} days
 * @param {number} start
 * @param {number} end
 * @returns {number[]}
 */
export function forecastRows(data, days, start, end) {
  const window = Math.min(28, days);
  const products = data.length / days;
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= products)) {
    throw new RangeError(`rows [${start}, ${end}) are outside the ${products} products`);
  }
  const half = Math.floor(window / 2);
  const out = new Array(end - start);
  for (let p = start; p < end; p++) {
    const row = p * days + days - window;
    let first = 0;
    let second = 0;
    for (let d = 0; d < half; d++) first += data[row + d];
    for (let d = half; d < window; d++) second += data[row + d];
    const mean = (first + second) / window;
    const growth = first > 0 ? second / first : 1;
    out[p - start] = Math.max(0, Math.round(mean * growth * 7 * 100) / 100);
  }
  return out;
}
