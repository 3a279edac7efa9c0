import { expect } from 'vitest';
import { TheusError } from '../../src/index.js';

/** The error `fn` throws (synchronously), or a failed expectation when it does not throw. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  expect.fail('expected the call to throw');
}

/** The error a promise (or async call) rejects with. */
export async function rejected(p: Promise<unknown> | (() => Promise<unknown>)): Promise<unknown> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e;
  }
  return expect.fail('expected the promise to reject');
}

/** Asserts a TheusError (or subclass `cls`) with `code`, and returns it for further checks. */
export function expectCode<E extends TheusError = TheusError>(err: unknown, code: string, cls?: abstract new (...args: any[]) => E): E {
  expect(err).toBeInstanceOf(cls ?? TheusError);
  expect((err as TheusError).code).toBe(code);
  return err as E;
}

export function throwsCode<E extends TheusError = TheusError>(fn: () => unknown, code: string, cls?: abstract new (...args: any[]) => E): E {
  return expectCode(thrown(fn), code, cls);
}

export async function rejectsCode<E extends TheusError = TheusError>(p: Promise<unknown> | (() => Promise<unknown>), code: string, cls?: abstract new (...args: any[]) => E): Promise<E> {
  return expectCode(await rejected(p), code, cls);
}

export const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A promise with its resolver, to hold a process at an await until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}
