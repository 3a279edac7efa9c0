// The parallel process: one band of rows of a shared matrix. It runs in a worker thread; the
// engine imports this module there, and `ctx.heavy.matrix` / `ctx.heavy.result` are attached to
// the main thread's SharedArrayBuffers: no copy in either direction.
import { defineProcess } from '../../dist/index.js';

/** f(x) for every element of rows [start, end) of `matrix`, written into `result`; returns the sum. */
export function bandKernel(matrix, result, start, end) {
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

export const processBand = defineProcess(
  { name: 'processBand', parallel: true, inputs: ['heavy.matrix', 'heavy.result'] },
  (ctx, { start, end }) => bandKernel(ctx.heavy.matrix, ctx.heavy.result, start, end),
);
