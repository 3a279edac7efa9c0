import { invalidArgument } from '../errors.js';
import { describe } from './describe.js';

/** Arrays larger than this are refused: typed-array indices past 2^31 are slow paths in V8 and almost always a unit bug. */
export const MAX_ELEMENTS = 2 ** 31;
/** NumPy's own limit; deeper shapes are a bug, not a workload. */
export const MAX_DIMENSIONS = 32;

/**
 * Checks a user-supplied shape and returns a frozen copy (so later mutation of the caller's array
 * cannot change an allocated layout) together with its element count.
 */
export function validateShape(shape: unknown, argument = 'shape'): { shape: readonly number[]; size: number } {
  if (!Array.isArray(shape)) {
    throw invalidArgument(`${argument} must be an array of dimension lengths, e.g. [3000, 3000]; got ${describe(shape)}`, argument);
  }
  if (shape.length === 0) {
    throw invalidArgument(`${argument} must have at least one dimension; got []`, argument);
  }
  if (shape.length > MAX_DIMENSIONS) {
    throw invalidArgument(`${argument} has ${shape.length} dimensions; at most ${MAX_DIMENSIONS} are supported`, argument);
  }
  const copy: number[] = [];
  let size = 1;
  for (let i = 0; i < shape.length; i++) {
    const dim: unknown = shape[i];
    if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 0) {
      throw invalidArgument(
        `${argument}[${i}] must be a non-negative integer; got ${describe(dim)}`,
        `${argument}[${i}]`,
      );
    }
    size *= dim;
    // Checked per dimension so a huge product is refused before it loses integer precision.
    if (size > MAX_ELEMENTS) {
      throw invalidArgument(
        `${argument} [${shape.map((d) => describe(d)).join(', ')}] holds more than ${MAX_ELEMENTS} elements (2^31); split the data into several arrays`,
        argument,
      );
    }
    copy.push(dim);
  }
  return { shape: Object.freeze(copy), size };
}

/** Row-major strides, in elements: the last dimension is contiguous. */
export function rowMajorStrides(shape: readonly number[]): readonly number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = step;
    step *= shape[i] ?? 1;
  }
  return Object.freeze(strides);
}
