import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { TheusError } from '../../src/errors.js';
import { CapacityExceededError, HeavyAllocator, HeavyArray, defaultHeavyCapacity } from '../../src/heavy/index.js';
import type { Dtype } from '../../src/heavy/index.js';

function invalid(fn: () => unknown, path: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(TheusError);
  expect((caught as TheusError).code).toBe('INVALID_ARGUMENT');
  expect((caught as TheusError).path).toBe(path);
}

describe('HeavyAllocator', () => {
  it('allocates named shared arrays and accounts for them', () => {
    const heavy = new HeavyAllocator({ capacityBytes: 1 << 20 });
    const a = heavy.alloc('frames', [10, 10], 'float32');
    const b = heavy.alloc('ids', [5], 'bigint64');
    expect(a).toBeInstanceOf(HeavyArray);
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(heavy.get('frames')).toBe(a);
    expect(heavy.has('ids')).toBe(true);
    expect(heavy.has('nope')).toBe(false);
    expect(heavy.get('nope')).toBeUndefined();
    expect(heavy.keys()).toEqual(['frames', 'ids']);
    expect(heavy.stats()).toEqual({
      bytes: 400 + 40,
      count: 2,
      capacityBytes: 1 << 20,
      entries: [
        { key: 'frames', dtype: 'float32', shape: [10, 10], bytes: 400 },
        { key: 'ids', dtype: 'bigint64', shape: [5], bytes: 40 },
      ],
    });
    expect(b.get(0)).toBe(0n);
  });

  // INC-007 (zombie shared-memory segments) cannot happen here: a SharedArrayBuffer is ordinary
  // V8 heap memory, not a named OS segment, and there is no registry file. It is reclaimed by the
  // garbage collector when unreferenced and dies with the process, so a crashed owner leaves
  // nothing behind to clean up at the next start. What remains to guarantee is the accounting:
  // freeing must release the budget, and holders of a freed array must keep a valid view.
  it('free() releases the accounting while holders keep a valid view (INC-007 is moot)', () => {
    const heavy = new HeavyAllocator({ capacityBytes: 1000 });
    const a = heavy.alloc('a', [100], 'float64'); // 800 bytes
    expect(() => heavy.alloc('b', [100], 'float64')).toThrow(CapacityExceededError);
    const handle = a.handle();
    expect(heavy.free('a')).toBe(true);
    expect(heavy.free('a')).toBe(false);
    expect(heavy.stats()).toMatchObject({ bytes: 0, count: 0, entries: [] });
    expect(heavy.has('a')).toBe(false);
    // The freed array's memory stays usable by whoever still holds it.
    a.set(5, 2.5);
    expect(HeavyArray.attach(handle).get(5)).toBe(2.5);
    // And its budget is available again.
    const b = heavy.alloc('b', [100], 'float64');
    expect(b.buffer).not.toBe(a.buffer);
    expect(heavy.stats().bytes).toBe(800);
    // The key can be reused after free.
    heavy.free('b');
    expect(heavy.alloc('a', [1], 'int8').size).toBe(1);
  });

  it('clear() frees everything', () => {
    const heavy = new HeavyAllocator({ capacityBytes: 1000 });
    heavy.alloc('a', [10], 'int8');
    heavy.alloc('b', [10], 'int8');
    expect(heavy.clear()).toBe(2);
    expect(heavy.stats()).toMatchObject({ bytes: 0, count: 0 });
  });

  it('refuses an allocation over capacity with CAPACITY_EXCEEDED and allocates nothing', () => {
    const heavy = new HeavyAllocator({ capacityBytes: 1024 });
    heavy.alloc('a', [128], 'float32'); // 512 bytes
    let caught: unknown;
    try {
      heavy.alloc('b', [65], 'float64'); // 520 bytes
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CapacityExceededError);
    expect(caught).toBeInstanceOf(TheusError);
    const error = caught as CapacityExceededError;
    expect(error.code).toBe('CAPACITY_EXCEEDED');
    expect(error).toMatchObject({ requestedBytes: 520, usedBytes: 512, capacityBytes: 1024 });
    expect(error.message).toMatch(/capacityBytes/);
    expect(heavy.has('b')).toBe(false);
    expect(heavy.stats().bytes).toBe(512);
    // Exactly at capacity is fine.
    expect(heavy.alloc('c', [64], 'float64').byteLength).toBe(512);
  });

  it('refuses bad input naming the argument, leaving the allocator untouched', () => {
    const heavy = new HeavyAllocator({ capacityBytes: 1 << 20 });
    heavy.alloc('taken', [1], 'int8');
    const before = heavy.stats();
    invalid(() => heavy.alloc('x', [2], 'float16' as Dtype), 'dtype');
    invalid(() => heavy.alloc('x', [2], undefined as unknown as Dtype), 'dtype');
    invalid(() => heavy.alloc('x', [-2], 'int8'), 'shape[0]');
    invalid(() => heavy.alloc('x', [2, 0.5], 'int8'), 'shape[1]');
    invalid(() => heavy.alloc('x', [Infinity], 'int8'), 'shape[0]');
    invalid(() => heavy.alloc('x', [], 'int8'), 'shape');
    invalid(() => heavy.alloc('x', null as unknown as number[], 'int8'), 'shape');
    invalid(() => heavy.alloc('x', [2 ** 31 + 1], 'int8'), 'shape');
    invalid(() => heavy.alloc('taken', [1], 'int8'), 'key');
    for (const key of ['__proto__', 'constructor', 'prototype', '', 'a.b', 7, null, undefined, {}]) {
      invalid(() => heavy.alloc(key as string, [1], 'int8'), 'key');
      invalid(() => heavy.get(key as string), 'key');
      invalid(() => heavy.has(key as string), 'key');
      invalid(() => heavy.free(key as string), 'key');
    }
    expect(heavy.stats()).toEqual(before);
  });

  it('refuses a bad capacity and defaults to min(2 GiB, half the RAM)', () => {
    for (const capacityBytes of [0, -1, 1.5, Number.NaN, Infinity, '1' as unknown as number]) {
      invalid(() => new HeavyAllocator({ capacityBytes }), 'capacityBytes');
    }
    invalid(() => new HeavyAllocator(null as unknown as object), 'options');
    expect(new HeavyAllocator().capacityBytes).toBe(defaultHeavyCapacity());
    expect(defaultHeavyCapacity()).toBe(Math.min(2 * 1024 ** 3, Math.floor(os.totalmem() / 2)));
  });

  it('an oversized shape within the element limit still fails on capacity, not on the OS', () => {
    const heavy = new HeavyAllocator({ capacityBytes: 1 << 20 });
    expect(() => heavy.alloc('huge', [2 ** 31], 'float64')).toThrow(CapacityExceededError);
    expect(heavy.stats().count).toBe(0);
  });
});
