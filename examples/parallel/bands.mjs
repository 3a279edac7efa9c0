// Worker module: processes one band of rows of a shared matrix.
// `matrix` and `result` arrive as HeavyArrays attached to the main thread's memory: no copy.

/** Writes f(x) for every element of rows [start, end) into `result` and returns their sum. */
export function processBand({ matrix, result, start, end }) {
  const input = matrix.rows(start, end); // views, not copies
  const output = result.rows(start, end);
  let sum = 0;
  for (let i = 0; i < input.length; i++) {
    const x = input[i];
    const y = Math.sin(x) * Math.cos(x / 2) + Math.sqrt(x);
    output[i] = y;
    sum += y;
  }
  return sum;
}
