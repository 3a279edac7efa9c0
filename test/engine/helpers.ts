import { afterEach, expect } from 'vitest';
import { TheusEngine, TheusError } from '../../src/index.js';

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

/** Yields to the event loop until `cond()` holds (a process reached a point), at most `max` turns. */
export async function until(cond: () => boolean, max = 10_000): Promise<void> {
  for (let i = 0; i < max && !cond(); i++) await tick();
  if (!cond()) expect.fail('condition never became true');
}

/**
 * A point where the first attempt of a process waits until the test resumes it, so the test can
 * commit something in between at a known moment; retried attempts pass straight through.
 */
export function pausePoint(): { here: () => Promise<void>; reached: () => boolean; resume: () => void } {
  const g = gate();
  let count = 0;
  return {
    here: async () => {
      count++;
      if (count === 1) await g.promise;
    },
    reached: () => count > 0,
    resume: g.open,
  };
}

/** Runs `start()`, waits until `point` is reached, runs `between()`, resumes, and awaits the run. */
export async function interleave<T>(point: ReturnType<typeof pausePoint>, start: () => Promise<T>, between: () => void): Promise<T> {
  const run = start();
  await until(point.reached);
  between();
  point.resume();
  return run;
}

/** Engines made by a test file, closed after each test so no pool or timer outlives it. */
export function trackedEngines(): (context?: Record<string, unknown>, options?: Record<string, unknown>) => TheusEngine {
  const engines: TheusEngine[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()));
  });
  return (context = {}, options = {}) => {
    const e = new TheusEngine(context, options as never);
    engines.push(e);
    return e;
  };
}
