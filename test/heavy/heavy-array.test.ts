import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TheusError } from '../../src/errors.js';
import { DTYPES, HeavyArray, MAX_ELEMENTS } from '../../src/heavy/index.js';
import type { Dtype, HeavyHandle } from '../../src/heavy/index.js';

function expectInvalid(fn: () => unknown, path?: string): TheusError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(TheusError);
  const error = caught as TheusError;
  expect(error.code).toBe('INVALID_ARGUMENT');
  if (path !== undefined) expect(error.path).toBe(path);
  return error;
}

describe('HeavyArray layout', () => {
  it('is a row-major view over a zero-filled SharedArrayBuffer', () => {
    const m = new HeavyArray({ key: 'm', shape: [2, 3, 4], dtype: 'float32' });
    expect(m.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(m.data).toBeInstanceOf(Float32Array);
    expect(m.size).toBe(24);
    expect(m.byteLength).toBe(96);
    expect(m.ndim).toBe(3);
    expect(m.strides).toEqual([12, 4, 1]);
    expect(Array.from(m.data).every((x) => x === 0)).toBe(true);
    m.set(1, 2, 3, 1.5);
    expect(m.data[1 * 12 + 2 * 4 + 3]).toBe(1.5);
    expect(m.get(1, 2, 3)).toBe(1.5);
  });

  it('freezes shape, strides and the instance itself', () => {
    const caller = [3, 3];
    const m = new HeavyArray({ key: 'm', shape: caller, dtype: 'int32' });
    caller[0] = 100;
    expect(m.shape).toEqual([3, 3]);
    expect(Object.isFrozen(m.shape)).toBe(true);
    expect(Object.isFrozen(m.strides)).toBe(true);
    expect(() => {
      (m.shape as number[])[0] = 9;
    }).toThrow(TypeError);
    expect(() => {
      (m as unknown as { data: unknown }).data = new Int32Array(9);
    }).toThrow(TypeError);
  });

  it('supports every documented dtype with the matching typed array and element type', () => {
    const expected: Record<Dtype, string> = {
      int8: 'Int8Array',
      uint8: 'Uint8Array',
      uint8clamped: 'Uint8ClampedArray',
      int16: 'Int16Array',
      uint16: 'Uint16Array',
      int32: 'Int32Array',
      uint32: 'Uint32Array',
      float32: 'Float32Array',
      float64: 'Float64Array',
      bigint64: 'BigInt64Array',
      biguint64: 'BigUint64Array',
    };
    expect([...DTYPES].sort()).toEqual(Object.keys(expected).sort());
    for (const dtype of DTYPES) {
      const a = new HeavyArray({ key: dtype, shape: [4], dtype });
      expect(a.data.constructor.name).toBe(expected[dtype]);
      const value = dtype === 'bigint64' || dtype === 'biguint64' ? 7n : 7;
      (a.set as (...args: unknown[]) => void)(2, value);
      expect(a.get(2)).toBe(value);
    }
  });

  it('stores with typed-array semantics (wrap, saturate)', () => {
    const u8 = new HeavyArray({ key: 'u8', shape: [1], dtype: 'uint8' });
    u8.set(0, 257);
    expect(u8.get(0)).toBe(1);
    const clamped = new HeavyArray({ key: 'c', shape: [1], dtype: 'uint8clamped' });
    clamped.set(0, 300);
    expect(clamped.get(0)).toBe(255);
  });

  it('row() and rows() are views on the same memory', () => {
    const m = new HeavyArray({ key: 'm', shape: [4, 3], dtype: 'float64' });
    const band = m.rows(1, 3);
    expect(band.length).toBe(6);
    band[0] = 9;
    expect(m.get(1, 0)).toBe(9);
    expect(m.row(3).length).toBe(3);
    expect(m.rows(4, 4).length).toBe(0);
    expectInvalid(() => m.row(4), 'i');
    expectInvalid(() => m.row(-1), 'i');
    expectInvalid(() => m.rows(2, 1), 'end');
    expectInvalid(() => m.rows(0.5, 2), 'start');
    expectInvalid(() => m.rows(0, 5), 'end');
  });

  it('toJSON describes the array instead of dumping it', () => {
    const m = new HeavyArray({ key: 'img', shape: [2, 2], dtype: 'uint8' });
    expect(JSON.parse(JSON.stringify({ m }))).toEqual({ m: { key: 'img', shape: [2, 2], dtype: 'uint8', byteLength: 4 } });
  });

  it('get/set address the element numpy would (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
          fc.tuple(fc.constant(shape), fc.tuple(...shape.map((d) => fc.integer({ min: 0, max: d - 1 })))),
        ),
        fc.integer({ min: -1000, max: 1000 }),
        ([shape, index], value) => {
          const a = new HeavyArray({ key: 'p', shape, dtype: 'int32' });
          a.set(...index, value);
          let flat = 0;
          for (let axis = 0; axis < shape.length; axis++) flat = flat * (shape[axis] as number) + (index[axis] as number);
          expect(a.data[flat]).toBe(value);
          expect(a.get(...index)).toBe(value);
          expect(a.data.reduce((n, x) => n + (x === 0 ? 0 : 1), 0)).toBe(value === 0 ? 0 : 1);
        },
      ),
    );
  });
});

describe('HeavyArray bad input', () => {
  it('refuses bad shapes, naming the offending dimension', () => {
    expectInvalid(() => new HeavyArray({ key: 'k', shape: [], dtype: 'int8' }), 'shape');
    expectInvalid(() => new HeavyArray({ key: 'k', shape: [2, -1], dtype: 'int8' }), 'shape[1]');
    expectInvalid(() => new HeavyArray({ key: 'k', shape: [2.5], dtype: 'int8' }), 'shape[0]');
    expectInvalid(() => new HeavyArray({ key: 'k', shape: [Number.NaN], dtype: 'int8' }), 'shape[0]');
    expectInvalid(() => new HeavyArray({ key: 'k', shape: [Infinity], dtype: 'int8' }), 'shape[0]');
    expectInvalid(() => new HeavyArray({ key: 'k', shape: ['3'] as unknown as number[], dtype: 'int8' }), 'shape[0]');
    expectInvalid(() => new HeavyArray({ key: 'k', shape: 3 as unknown as number[], dtype: 'int8' }), 'shape');
    expectInvalid(() => new HeavyArray({ key: 'k', shape: new Array(33).fill(1), dtype: 'int8' }), 'shape');
    const absurd = expectInvalid(() => new HeavyArray({ key: 'k', shape: [MAX_ELEMENTS, 2], dtype: 'int8' }), 'shape');
    expect(absurd.message).toMatch(/2\^31/);
    expectInvalid(() => new HeavyArray({ key: 'k', shape: [1e300, 1e300], dtype: 'int8' }), 'shape');
  });

  it('refuses unknown dtypes and hostile or malformed keys', () => {
    expectInvalid(() => new HeavyArray({ key: 'k', shape: [1], dtype: 'float16' as Dtype }), 'dtype');
    expectInvalid(() => new HeavyArray({ key: 'k', shape: [1], dtype: 'toString' as Dtype }), 'dtype');
    for (const key of ['', '__proto__', 'constructor', 'prototype', 'a.b', 'a[0]', 'a b', 'x*', 'a\nb']) {
      expectInvalid(() => new HeavyArray({ key, shape: [1], dtype: 'int8' }), 'key');
    }
    expectInvalid(() => new HeavyArray({ key: 42 as unknown as string, shape: [1], dtype: 'int8' }), 'key');
    expectInvalid(() => new HeavyArray(null as unknown as { key: string; shape: number[]; dtype: 'int8' }), 'options');
  });

  it('checks index arity, bounds and integrality, and the element type', () => {
    const m = new HeavyArray({ key: 'm', shape: [2, 3], dtype: 'float64' });
    expectInvalid(() => m.get(1), 'index');
    expectInvalid(() => m.get(0, 0, 0), 'index');
    expectInvalid(() => m.get(2, 0), 'index[0]');
    expectInvalid(() => m.get(0, -1), 'index[1]');
    expectInvalid(() => m.get(0, 1.5), 'index[1]');
    expectInvalid(() => m.get(0, Number.NaN), 'index[1]');
    expectInvalid(() => m.get(0, '1' as unknown as number), 'index[1]');
    expectInvalid(() => m.set(0, 3, 1), 'index[1]');
    expectInvalid(() => m.set(0, 1), 'index');
    expectInvalid(() => (m.set as (...args: unknown[]) => void)(0, 0, '1'), 'value');
    expectInvalid(() => (m.set as (...args: unknown[]) => void)(0, 0, 1n), 'value');
    const big = new HeavyArray({ key: 'b', shape: [2], dtype: 'bigint64' });
    expectInvalid(() => (big.set as (...args: unknown[]) => void)(0, 1), 'value');
    expect(Array.from(m.data)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('handles and attach', () => {
  it('round-trips through a handle onto the same memory, without copying', () => {
    const m = new HeavyArray({ key: 'm', shape: [3, 2], dtype: 'int16' });
    const handle = m.handle();
    expect(handle).toEqual({ __theusHeavy: 1, key: 'm', shape: [3, 2], dtype: 'int16', buffer: m.buffer, byteOffset: 0, length: 6 });
    const cloned = structuredClone(handle);
    const view = HeavyArray.attach(cloned);
    // structuredClone gives a new SharedArrayBuffer object over the same backing memory: writes
    // through either view are seen by the other, both ways.
    expect(view.buffer).toBeInstanceOf(SharedArrayBuffer);
    view.set(2, 1, 77);
    expect(m.get(2, 1)).toBe(77);
    m.set(0, 0, -5);
    expect(view.get(0, 0)).toBe(-5);
    expect(view.shape).toEqual(m.shape);
  });

  it('attaches at a byte offset inside a larger buffer', () => {
    const buffer = new SharedArrayBuffer(64);
    const a = HeavyArray.attach({ __theusHeavy: 1, key: 'tail', shape: [4], dtype: 'float64', buffer, byteOffset: 32, length: 4 });
    a.set(0, 1.25);
    expect(new Float64Array(buffer)[4]).toBe(1.25);
  });

  it('refuses forged or inconsistent handles', () => {
    const m = new HeavyArray({ key: 'm', shape: [4], dtype: 'float32' });
    const good = m.handle();
    const forged = (patch: Record<string, unknown>): HeavyHandle => ({ ...good, ...patch }) as unknown as HeavyHandle;
    expectInvalid(() => HeavyArray.attach(forged({ buffer: new ArrayBuffer(16) })), 'buffer');
    expectInvalid(() => HeavyArray.attach(forged({ buffer: { byteLength: 16, [Symbol.toStringTag]: 'SharedArrayBuffer' } })), 'buffer');
    expectInvalid(() => HeavyArray.attach(forged({ dtype: 'complex128' })), 'dtype');
    expectInvalid(() => HeavyArray.attach(forged({ shape: [5] })), 'buffer');
    expectInvalid(() => HeavyArray.attach(forged({ length: 3 })), 'handle.length');
    expectInvalid(() => HeavyArray.attach(forged({ byteOffset: 2 })), 'byteOffset');
    expectInvalid(() => HeavyArray.attach(forged({ byteOffset: -4 })), 'byteOffset');
    expectInvalid(() => HeavyArray.attach(forged({ byteOffset: 4 })), 'buffer');
    expectInvalid(() => HeavyArray.attach(forged({ key: '__proto__' })), 'key');
    expectInvalid(() => HeavyArray.attach(forged({ __theusHeavy: 2 })), 'handle');
    expectInvalid(() => HeavyArray.attach(null as unknown as HeavyHandle), 'handle');
    expectInvalid(() => HeavyArray.attach('m' as unknown as HeavyHandle), 'handle');
  });
});
