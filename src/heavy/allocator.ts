import os from 'node:os';
import { invalidArgument } from '../errors.js';
import { CapacityExceededError } from './capacity-error.js';
import { assertDtype, bytesPerElement } from './dtypes.js';
import { describe } from './describe.js';
import type { Dtype } from './dtypes.js';
import { HeavyArray } from './heavy-array.js';
import { validateHeavyKey } from './key.js';
import { validateShape } from './shape.js';

const GIB = 1024 ** 3;

/**
 * Default budget: 2 GiB, or half the machine's RAM when that is smaller. A budget exists so that
 * a unit mistake (a shape in bytes instead of elements, say) fails with a clear error instead of
 * pushing the process into swap or the OOM killer.
 */
export function defaultHeavyCapacity(): number {
  return Math.min(2 * GIB, Math.floor(os.totalmem() / 2));
}

export interface HeavyAllocatorOptions {
  /** Upper bound on the bytes held by live allocations. */
  capacityBytes?: number;
}

export interface HeavyEntryStats {
  key: string;
  dtype: Dtype;
  shape: number[];
  bytes: number;
}

export interface HeavyStats {
  bytes: number;
  count: number;
  capacityBytes: number;
  entries: HeavyEntryStats[];
}

/**
 * Owns the named heavy arrays of one engine (`engine.heavy`) and accounts for their memory.
 *
 * Memory model: every array is a `SharedArrayBuffer`, owned by V8 and reclaimed by the garbage
 * collector once nothing (on any thread) references it. `free(key)` therefore only forgets the
 * name and releases the accounting; views that callers or workers still hold stay valid and
 * keep the memory alive until they are dropped. There are no OS shared-memory segments and no
 * registry file, so a crashed process cannot leave "zombie" segments behind (the original's
 * INC-007 has no counterpart here): the memory dies with the process.
 */
export class HeavyAllocator {
  readonly capacityBytes: number;
  readonly #entries = new Map<string, HeavyArray>();
  #bytes = 0;

  constructor(options: HeavyAllocatorOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw invalidArgument(`HeavyAllocator options must be an object; got ${describe(options)}`, 'options');
    }
    const capacity = options.capacityBytes ?? defaultHeavyCapacity();
    if (typeof capacity !== 'number' || !Number.isSafeInteger(capacity) || capacity <= 0) {
      throw invalidArgument(`capacityBytes must be a positive integer number of bytes; got ${describe(capacity)}`, 'capacityBytes');
    }
    this.capacityBytes = capacity;
  }

  /** Allocates a zero-filled shared array under `key`. Nothing is allocated when an argument is refused. */
  alloc<D extends Dtype>(key: string, shape: readonly number[], dtype: D): HeavyArray<D> {
    validateHeavyKey(key, 'key');
    const checkedDtype = assertDtype(dtype, 'dtype');
    const { size } = validateShape(shape, 'shape');
    if (this.#entries.has(key)) {
      throw invalidArgument(`heavy key ${JSON.stringify(key)} is already allocated; free(${JSON.stringify(key)}) it first or pick another key`, 'key');
    }
    const bytes = size * bytesPerElement(checkedDtype);
    if (this.#bytes + bytes > this.capacityBytes) {
      throw new CapacityExceededError(
        `allocating ${JSON.stringify(key)} (${bytes} bytes) would exceed the heavy capacity: ${this.#bytes} of ${this.capacityBytes} bytes are in use; free arrays or raise capacityBytes`,
        { requestedBytes: bytes, usedBytes: this.#bytes, capacityBytes: this.capacityBytes },
      );
    }
    let array: HeavyArray<D>;
    try {
      array = new HeavyArray<D>({ key, shape, dtype });
    } catch (error) {
      if (error instanceof CapacityExceededError) {
        throw new CapacityExceededError(
          `the runtime refused ${bytes} bytes for ${JSON.stringify(key)} while ${this.#bytes} bytes are in use; free arrays or use a smaller shape`,
          { requestedBytes: bytes, usedBytes: this.#bytes, capacityBytes: this.capacityBytes },
          { cause: error.cause },
        );
      }
      throw error;
    }
    this.#entries.set(key, array);
    this.#bytes += array.byteLength;
    return array;
  }

  get<D extends Dtype = Dtype>(key: string): HeavyArray<D> | undefined {
    validateHeavyKey(key, 'key');
    return this.#entries.get(key) as HeavyArray<D> | undefined;
  }

  has(key: string): boolean {
    validateHeavyKey(key, 'key');
    return this.#entries.has(key);
  }

  /** Forgets `key` and releases its accounting; returns false when nothing was allocated under it. */
  free(key: string): boolean {
    validateHeavyKey(key, 'key');
    const array = this.#entries.get(key);
    if (array === undefined) return false;
    this.#entries.delete(key);
    this.#bytes -= array.byteLength;
    return true;
  }

  /** Frees every entry; returns how many there were. */
  clear(): number {
    const count = this.#entries.size;
    this.#entries.clear();
    this.#bytes = 0;
    return count;
  }

  keys(): string[] {
    return [...this.#entries.keys()];
  }

  stats(): HeavyStats {
    const entries: HeavyEntryStats[] = [];
    for (const array of this.#entries.values()) {
      entries.push({ key: array.key, dtype: array.dtype, shape: [...array.shape], bytes: array.byteLength });
    }
    return { bytes: this.#bytes, count: this.#entries.size, capacityBytes: this.capacityBytes, entries };
  }
}
