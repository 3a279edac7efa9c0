import { OPAQUE } from '../core/kinds.js';
import { invalidArgument } from '../errors.js';
import { CapacityExceededError } from './capacity-error.js';
import { assertDtype, bytesPerElement, isBigIntDtype, typedView } from './dtypes.js';
import { describe } from './describe.js';
import type { Dtype, DtypeMap, ElementOf } from './dtypes.js';
import { isSharedArrayBuffer, looksLikeHeavyHandle } from './handle.js';
import type { HeavyHandle } from './handle.js';
import { validateHeavyKey } from './key.js';
import { rowMajorStrides, validateShape } from './shape.js';

export interface HeavyArrayOptions<D extends Dtype> {
  key: string;
  shape: readonly number[];
  dtype: D;
  /** Existing shared memory to view; a fresh zero-filled `SharedArrayBuffer` is allocated when omitted. */
  buffer?: SharedArrayBuffer;
  /** Byte offset of element 0 inside `buffer` (default 0); must be a multiple of the element size. */
  byteOffset?: number;
}

/**
 * An n-dimensional, row-major array over a `SharedArrayBuffer`. Every thread that attaches to
 * its handle reads and writes the same memory: nothing is copied and nothing is rolled back.
 * Values are stored with typed-array semantics (integer dtypes wrap, `uint8clamped` saturates,
 * `float32` rounds), exactly like writing to `.data` directly.
 */
export class HeavyArray<D extends Dtype = Dtype> {
  /** State keeps heavy arrays by reference: never copied, frozen or proxied (see core/kinds.ts). */
  declare readonly [OPAQUE]: true;

  readonly key: string;
  /** Dimension lengths, frozen. */
  readonly shape: readonly number[];
  readonly dtype: D;
  /** Row-major strides in elements (not bytes), frozen. */
  readonly strides: readonly number[];
  /** Number of elements. */
  readonly size: number;
  /** The typed-array view over the shared memory; index it directly in hot loops. */
  readonly data: DtypeMap[D];

  constructor(options: HeavyArrayOptions<D>) {
    if (typeof options !== 'object' || options === null) {
      throw invalidArgument(`HeavyArray options must be an object { key, shape, dtype }; got ${describe(options)}`, 'options');
    }
    const key = validateHeavyKey(options.key, 'key');
    const dtype = assertDtype(options.dtype, 'dtype') as D;
    const { shape, size } = validateShape(options.shape, 'shape');
    const elementBytes = bytesPerElement(dtype);
    const byteLength = size * elementBytes;
    let buffer: SharedArrayBuffer;
    let byteOffset = 0;
    if (options.buffer === undefined) {
      buffer = allocateShared(byteLength);
    } else {
      if (!isSharedArrayBuffer(options.buffer)) {
        throw invalidArgument(`buffer must be a SharedArrayBuffer (heavy memory is shared, never copied); got ${describe(options.buffer)}`, 'buffer');
      }
      buffer = options.buffer;
      byteOffset = options.byteOffset ?? 0;
      if (!Number.isSafeInteger(byteOffset) || byteOffset < 0 || byteOffset % elementBytes !== 0) {
        throw invalidArgument(
          `byteOffset must be a non-negative multiple of ${elementBytes} (the size of one ${dtype}); got ${describe(byteOffset)}`,
          'byteOffset',
        );
      }
      if (byteOffset + byteLength > buffer.byteLength) {
        throw invalidArgument(
          `shape [${shape.join(', ')}] of ${dtype} needs ${byteLength} bytes from offset ${byteOffset}, but the buffer holds ${buffer.byteLength}`,
          'buffer',
        );
      }
    }
    this.key = key;
    this.shape = shape;
    this.dtype = dtype;
    this.strides = rowMajorStrides(shape);
    this.size = size;
    this.data = typedView(dtype, buffer, byteOffset, size);
    Object.freeze(this);
  }

  /**
   * Re-creates a view over the SAME memory from a handle (typically on a worker thread).
   * Everything in the handle is validated, so a forged or corrupted handle fails with
   * `INVALID_ARGUMENT` instead of producing a view that reads out of bounds.
   */
  static attach<D extends Dtype>(handle: HeavyHandle<D>): HeavyArray<D> {
    if (!looksLikeHeavyHandle(handle)) {
      throw invalidArgument(`a heavy handle must be an object with __theusHeavy: 1 (from HeavyArray#handle()); got ${describe(handle)}`, 'handle');
    }
    const { key, shape, dtype, buffer, byteOffset, length } = handle;
    const array = new HeavyArray<D>({ key, shape, dtype, buffer, byteOffset });
    if (length !== array.size) {
      throw invalidArgument(
        `handle.length is ${describe(length)} but shape [${array.shape.join(', ')}] holds ${array.size} elements`,
        'handle.length',
      );
    }
    return array;
  }

  static isHeavyArray(value: unknown): value is HeavyArray {
    return value instanceof HeavyArray;
  }

  get ndim(): number {
    return this.shape.length;
  }

  get byteLength(): number {
    return this.data.byteLength;
  }

  get buffer(): SharedArrayBuffer {
    return this.data.buffer;
  }

  get(...index: number[]): ElementOf<D> {
    return this.data[this.offsetOf(index, 'get')] as ElementOf<D>;
  }

  set(...args: [...index: number[], value: ElementOf<D>]): void {
    const value: unknown = args[args.length - 1];
    const index = args.slice(0, -1) as number[];
    const offset = this.offsetOf(index, 'set');
    if (isBigIntDtype(this.dtype)) {
      if (typeof value !== 'bigint') {
        throw invalidArgument(`a ${this.dtype} element must be a bigint (e.g. 5n); got ${describe(value)}`, 'value');
      }
    } else if (typeof value !== 'number') {
      throw invalidArgument(`a ${this.dtype} element must be a number; got ${describe(value)}`, 'value');
    }
    (this.data as unknown as Record<number, unknown>)[offset] = value;
  }

  /** A view (no copy) of the slab at index `i` of the first axis, e.g. one row of a matrix. */
  row(i: number): DtypeMap[D] {
    const count = this.shape[0] ?? 0;
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= count) {
      throw invalidArgument(`row(): i must be an integer in [0, ${count}); got ${describe(i)}`, 'i');
    }
    return this.slab(i, i + 1, 'row');
  }

  /** A view (no copy) of slabs `start` (inclusive) to `end` (exclusive) of the first axis: a band of rows. */
  rows(start: number, end: number): DtypeMap[D] {
    return this.slab(start, end, 'rows');
  }

  /** Plain metadata that a worker can attach to (see {@link HeavyHandle}); a new object each call. */
  handle(): HeavyHandle<D> {
    return {
      __theusHeavy: 1,
      key: this.key,
      shape: [...this.shape],
      dtype: this.dtype,
      buffer: this.data.buffer,
      byteOffset: this.data.byteOffset,
      length: this.size,
    };
  }

  /** Heavy data is never serialised wholesale: JSON shows what the array is, not its contents. */
  toJSON(): { key: string; shape: number[]; dtype: D; byteLength: number } {
    return { key: this.key, shape: [...this.shape], dtype: this.dtype, byteLength: this.byteLength };
  }

  private slab(start: number, end: number, method: string): DtypeMap[D] {
    const count = this.shape[0] ?? 0;
    if (!Number.isInteger(start) || start < 0 || start > count) {
      throw invalidArgument(`${method}(): start must be an integer in [0, ${count}]; got ${describe(start)}`, 'start');
    }
    if (!Number.isInteger(end) || end < start || end > count) {
      throw invalidArgument(`${method}(): end must be an integer in [${start}, ${count}]; got ${describe(end)}`, 'end');
    }
    const stride = this.strides[0] ?? 1;
    return this.data.subarray(start * stride, end * stride) as DtypeMap[D];
  }

  private offsetOf(index: readonly number[], method: string): number {
    const { shape, strides } = this;
    if (index.length !== shape.length) {
      throw invalidArgument(
        `${method}() needs ${shape.length} ${shape.length === 1 ? 'index' : 'indices'} for shape [${shape.join(', ')}]; got ${index.length}`,
        'index',
      );
    }
    let offset = 0;
    for (let axis = 0; axis < shape.length; axis++) {
      const i: unknown = index[axis];
      const length = shape[axis] as number;
      if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= length) {
        throw invalidArgument(
          `${method}(): index ${axis} must be an integer in [0, ${length}); got ${describe(i)}`,
          `index[${axis}]`,
        );
      }
      offset += i * (strides[axis] as number);
    }
    return offset;
  }
}

function allocateShared(byteLength: number): SharedArrayBuffer {
  try {
    return new SharedArrayBuffer(byteLength);
  } catch (error) {
    throw new CapacityExceededError(
      `the runtime could not allocate ${byteLength} bytes of shared memory (${(error as Error).message}); use a smaller shape or free other heavy arrays`,
      { requestedBytes: byteLength, usedBytes: 0, capacityBytes: byteLength },
      { cause: error },
    );
  }
}

Object.defineProperty(HeavyArray.prototype, OPAQUE, { value: true });
