import { invalidArgument } from '../errors.js';
import { describe } from './describe.js';

/**
 * Element types a heavy array can hold, named like NumPy's. `uint8clamped` is kept because
 * image pipelines rely on its saturating writes; `float16` is left out because Node 20 has no
 * `Float16Array` (it would need a software codec and lose the zero-copy `.data` view).
 */
export interface DtypeMap {
  int8: Int8Array<SharedArrayBuffer>;
  uint8: Uint8Array<SharedArrayBuffer>;
  uint8clamped: Uint8ClampedArray<SharedArrayBuffer>;
  int16: Int16Array<SharedArrayBuffer>;
  uint16: Uint16Array<SharedArrayBuffer>;
  int32: Int32Array<SharedArrayBuffer>;
  uint32: Uint32Array<SharedArrayBuffer>;
  float32: Float32Array<SharedArrayBuffer>;
  float64: Float64Array<SharedArrayBuffer>;
  bigint64: BigInt64Array<SharedArrayBuffer>;
  biguint64: BigUint64Array<SharedArrayBuffer>;
}

export type Dtype = keyof DtypeMap;

/** The JS value type of one element: `bigint` for the 64-bit integer dtypes, `number` otherwise. */
export type ElementOf<D extends Dtype> = D extends 'bigint64' | 'biguint64' ? bigint : number;

interface TypedArrayConstructorLike {
  readonly BYTES_PER_ELEMENT: number;
  new (buffer: SharedArrayBuffer, byteOffset: number, length: number): DtypeMap[Dtype];
}

const CONSTRUCTORS: Readonly<Record<Dtype, TypedArrayConstructorLike>> = Object.freeze({
  int8: Int8Array,
  uint8: Uint8Array,
  uint8clamped: Uint8ClampedArray,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
  bigint64: BigInt64Array,
  biguint64: BigUint64Array,
} as Record<Dtype, TypedArrayConstructorLike>);

export const DTYPES: readonly Dtype[] = Object.freeze(Object.keys(CONSTRUCTORS) as Dtype[]);

export function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CONSTRUCTORS, value);
}

export function isBigIntDtype(dtype: Dtype): dtype is 'bigint64' | 'biguint64' {
  return dtype === 'bigint64' || dtype === 'biguint64';
}

export function assertDtype(value: unknown, argument = 'dtype'): Dtype {
  if (!isDtype(value)) {
    throw invalidArgument(
      `${argument} must be one of ${DTYPES.join(', ')}; got ${describe(value)}`,
      argument,
    );
  }
  return value;
}

export function bytesPerElement(dtype: Dtype): number {
  return CONSTRUCTORS[dtype].BYTES_PER_ELEMENT;
}

export function typedView<D extends Dtype>(dtype: D, buffer: SharedArrayBuffer, byteOffset: number, length: number): DtypeMap[D] {
  return new CONSTRUCTORS[dtype](buffer, byteOffset, length) as DtypeMap[D];
}
