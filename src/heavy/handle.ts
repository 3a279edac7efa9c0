import type { Dtype } from './dtypes.js';

/**
 * The plain, structured-cloneable description of a heavy array: what crosses a thread boundary
 * instead of the data (the seeds' "metadata pattern"). Posting it to a worker shares `buffer`
 * (a `SharedArrayBuffer` is never copied by `postMessage`), so `HeavyArray.attach` on the other
 * side sees the very same memory.
 */
export interface HeavyHandle<D extends Dtype = Dtype> {
  readonly __theusHeavy: 1;
  readonly key: string;
  readonly shape: readonly number[];
  readonly dtype: D;
  readonly buffer: SharedArrayBuffer;
  /** Byte offset of element 0 inside `buffer`. */
  readonly byteOffset: number;
  /** Number of elements (the product of `shape`). */
  readonly length: number;
}

/** Cheap structural test used to find handles inside payloads; `HeavyArray.attach` does the real validation. */
export function looksLikeHeavyHandle(value: unknown): value is HeavyHandle {
  return typeof value === 'object' && value !== null && (value as { __theusHeavy?: unknown }).__theusHeavy === 1;
}

const sharedByteLength = Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, 'byteLength')?.get;

/**
 * Brand check for a real `SharedArrayBuffer`: the native getter throws on anything else, so an
 * object faking `Symbol.toStringTag` or an `ArrayBuffer` cannot pass (which `instanceof` would
 * not guarantee across realms either).
 */
export function isSharedArrayBuffer(value: unknown): value is SharedArrayBuffer {
  if (typeof value !== 'object' || value === null || sharedByteLength === undefined) return false;
  try {
    sharedByteLength.call(value);
    return true;
  } catch {
    return false;
  }
}
