import { defineProcess } from 'theus';

/**
 * Adds `args.by` (default 1) to `domain.counter`.
 * The contract declares the only path this process may touch; writing anything else throws.
 */
export const increment = defineProcess(
  { inputs: [], outputs: ['domain.counter'], errors: ['RangeError'] },
  (ctx, args) => {
    const by = args?.by ?? 1;
    if (!Number.isInteger(by) || by <= 0) throw new RangeError(`by must be a positive integer, got ${by}`);
    ctx.domain.counter += by;
    return ctx.domain.counter;
  },
);
