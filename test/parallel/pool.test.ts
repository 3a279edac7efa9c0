import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { ConflictError, AuditBlockError, TheusError, WorkerCrashedError } from '../../src/errors.js';
import { HeavyArray } from '../../src/heavy/index.js';
import { ParallelPool, registerErrorClass } from '../../src/parallel/index.js';
import type { ParallelTask } from '../../src/parallel/index.js';
import { waitForFlag } from './wait-flag.js';

const TASKS = new URL('./fixtures/tasks.mjs', import.meta.url);
const THEUS_ERRORS = new URL('./fixtures/theus-errors.mjs', import.meta.url);

function task(exportName: string, payload?: unknown, module: URL | string = TASKS): ParallelTask {
  return { module, exportName, payload };
}

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('ParallelPool round trips', () => {
  let pool: ParallelPool;
  beforeAll(() => {
    pool = new ParallelPool({ maxThreads: 2, minThreads: 1 });
  });
  afterAll(() => pool.close());

  it('runs an export and returns its structured-cloned result', async () => {
    expect(await pool.run(task('add', { a: 2, b: 40 }))).toBe(42);
    expect(await pool.run(task('slowAdd', { a: 1, b: 1, ms: 5 }))).toBe(2);
    const payload = { when: new Date(0), tags: new Set(['x']), map: new Map([[1, { deep: [1, 2] }]]), bytes: new Uint8Array([1, 2]) };
    const echoed = await pool.run<{ payload: typeof payload; sameThread: boolean; threadId: number }>(task('echo', payload));
    expect(echoed.payload).toEqual(payload);
    expect(echoed.sameThread).toBe(true);
    expect(echoed.threadId).toBeGreaterThan(0);
  });

  it('accepts a file URL string and an absolute path for the module', async () => {
    expect(await pool.run(task('add', { a: 1, b: 1 }, TASKS.href))).toBe(2);
    expect(await pool.run(task('add', { a: 1, b: 2 }, fileURLToPath(TASKS)))).toBe(3);
  });

  it('runs tasks concurrently on several threads', async () => {
    const ids = new Set(await Promise.all(Array.from({ length: 8 }, () => pool.run<number>(task('whoAmI')))));
    expect(ids.size).toBeGreaterThanOrEqual(1);
    expect(ids.size).toBeLessThanOrEqual(2);
  });

  it('reports statistics', async () => {
    const stats = pool.stats();
    expect(stats).toMatchObject({ maxThreads: 2, minThreads: 1, pending: 0, closed: false });
    expect(stats.succeeded).toBeGreaterThan(0);
    expect(stats.threads).toBeGreaterThanOrEqual(1);
  });
});

describe('errors thrown by task functions', () => {
  let pool: ParallelPool;
  beforeAll(() => {
    pool = new ParallelPool({ maxThreads: 1, minThreads: 1 });
  });
  afterAll(() => pool.close());

  it('keeps built-in classes, message and the worker stack', async () => {
    const error = await rejection(pool.run(task('throwTypeError', { message: 'bad input' })));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('bad input');
    expect(error.name).toBe('TypeError');
    expect(error.stack).toMatch(/tasks\.mjs/);
  });

  it('keeps name, code and fields of non-Theus errors', async () => {
    const error = await rejection(pool.run(task('throwCustom')));
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'LedgerError', message: 'ledger is out of balance', code: 'E_LEDGER', account: 'alice' });
  });

  it('rebuilds Theus errors as instances of their class with every field', async () => {
    const conflict = await rejection(pool.run(task('conflict', undefined, THEUS_ERRORS)));
    expect(conflict).toBeInstanceOf(ConflictError);
    expect(conflict).toBeInstanceOf(TheusError);
    expect(conflict).toMatchObject({
      name: 'ConflictError',
      code: 'CAS_VERSION_MISMATCH',
      message: 'lost the race',
      expectedVersion: 3,
      actualVersion: 5,
      paths: ['domain.accounts.alice'],
      path: 'domain.accounts.alice',
    });
    expect(conflict.stack).toMatch(/theus-errors\.mjs/);

    const blocked = await rejection(pool.run(task('auditBlock', undefined, THEUS_ERRORS)));
    expect(blocked).toBeInstanceOf(AuditBlockError);
    expect(blocked).toMatchObject({ code: 'AUDIT_BLOCK', process: 'transfer', rule: 'amount.max', path: 'args.amount' });

    const invalid = await rejection(pool.run(task('badArgument', undefined, THEUS_ERRORS)));
    expect(invalid).toBeInstanceOf(TheusError);
    expect(invalid).toMatchObject({ code: 'INVALID_ARGUMENT', path: 'payload.size', message: 'size must be positive' });
  });

  it('rebuilds a business subclass as its nearest known Theus class, or as itself once registered', async () => {
    const before = await rejection(pool.run(task('business', undefined, THEUS_ERRORS)));
    expect(before).toBeInstanceOf(TheusError);
    expect(before).toMatchObject({ name: 'InsufficientFunds', code: 'INSUFFICIENT_FUNDS', account: 'bob', path: 'domain.accounts.bob' });

    class InsufficientFunds extends TheusError {}
    registerErrorClass(InsufficientFunds);
    const after = await rejection(pool.run(task('business', undefined, THEUS_ERRORS)));
    expect(after).toBeInstanceOf(InsufficientFunds);
    expect(after.code).toBe('INSUFFICIENT_FUNDS');
    expect(() => registerErrorClass(class {} as unknown as typeof Error)).toThrow(TheusError);
  });

  it('keeps the cause chain', async () => {
    const error = await rejection(pool.run(task('wrapped', undefined, THEUS_ERRORS)));
    expect(error).toMatchObject({ code: 'WORKFLOW_ERROR' });
    expect(error.cause).toBeInstanceOf(RangeError);
    expect(error.cause.message).toBe('inner');
  });

  it('rethrows non-Error values as they were thrown', async () => {
    expect(await rejection(pool.run(task('throwString')))).toBe('plain text failure');
  });

  it('reports a missing or non-function export, and a missing module with its code', async () => {
    const missing = await rejection(pool.run(task('noSuchExport')));
    expect(missing).toMatchObject({ code: 'INVALID_ARGUMENT', path: 'exportName' });
    expect(missing.message).toMatch(/noSuchExport/);
    const notFn = await rejection(pool.run(task('notAFunction')));
    expect(notFn).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(notFn.message).toMatch(/number, not a function/);
    const noModule = await rejection(pool.run(task('x', undefined, new URL('./fixtures/missing.mjs', import.meta.url))));
    expect(noModule.code).toBe('ERR_MODULE_NOT_FOUND');
  });

  it('checks each export of a loaded module on its own: a refused export stays refused, the others keep working', async () => {
    // The worker caches task functions per module and export; a failed lookup must not be cached.
    for (let i = 0; i < 2; i++) {
      expect(await pool.run(task('add', { a: i, b: 1 }))).toBe(i + 1);
      expect(await rejection(pool.run(task('noSuchExport')))).toMatchObject({ code: 'INVALID_ARGUMENT', path: 'exportName' });
      expect((await rejection(pool.run(task('notAFunction')))).message).toMatch(/number, not a function/);
      expect(await pool.run(task('echo', { n: i }))).toMatchObject({ payload: { n: i } });
    }
  });

  it('refuses a result that cannot be cloned, naming its path', async () => {
    const error = await rejection(pool.run(task('returnFunction')));
    expect(error).toMatchObject({ code: 'UNSUPPORTED_VALUE', path: 'result.callback' });
  });

  it('counts failures without losing the thread', async () => {
    const before = await pool.run<number>(task('whoAmI'));
    await rejection(pool.run(task('throwTypeError', { message: 'x' })));
    expect(await pool.run<number>(task('whoAmI'))).toBe(before);
    expect(pool.stats().failed).toBeGreaterThan(0);
    expect(pool.stats().crashed).toBe(0);
  });
});

describe('faults: each one fails its task, then the same pool serves again', () => {
  let pool: ParallelPool;
  beforeAll(() => {
    pool = new ParallelPool({ maxThreads: 1, minThreads: 1 });
  });
  afterAll(() => pool.close());

  it('a worker that calls process.exit → WorkerCrashedError with the exit code', async () => {
    const before = await pool.run<number>(task('whoAmI'));
    const error = await rejection(pool.run(task('exitProcess', { code: 7 })));
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error.code).toBe('WORKER_CRASHED');
    expect(error.message).toMatch(/exited with code 7/);
    const after = await pool.run<number>(task('whoAmI'));
    expect(after).not.toBe(before);
    expect(await pool.run(task('add', { a: 1, b: 2 }))).toBe(3);
  });

  it('timeoutMs → WorkerCrashedError naming the timeout; the thread is replaced', async () => {
    const before = await pool.run<number>(task('whoAmI'));
    const error = await rejection(pool.run(task('spinForever'), { timeoutMs: 150 }));
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error.message).toMatch(/timed out after 150 ms/);
    expect(await pool.run<number>(task('whoAmI'))).not.toBe(before);
    // A task that finishes in time is unaffected by its timeout.
    expect(await pool.run(task('add', { a: 2, b: 2 }), { timeoutMs: 10_000 })).toBe(4);
  });

  it('abort while running → TheusError ABORTED with the reason as cause; the thread is replaced', async () => {
    const flags = new HeavyArray({ key: 'flags', shape: [4], dtype: 'int32' });
    const controller = new AbortController();
    const pending = pool.run(task('signalThenSpin', { flags }), { signal: controller.signal });
    await waitForFlag(flags);
    const reason = new Error('user cancelled');
    controller.abort(reason);
    const error = await rejection(pending);
    expect(error).toBeInstanceOf(TheusError);
    expect(error.code).toBe('ABORTED');
    expect(error.cause).toBe(reason);
    expect(error.message).toMatch(/user cancelled/);
    expect(await pool.run(task('add', { a: 5, b: 5 }))).toBe(10);
  });

  it('an already-aborted signal rejects without dispatching', async () => {
    const before = pool.stats();
    const error = await rejection(pool.run(task('add', { a: 1, b: 1 }), { signal: AbortSignal.abort('nope') }));
    expect(error).toMatchObject({ code: 'ABORTED', cause: 'nope' });
    expect(pool.stats().succeeded).toBe(before.succeeded);
  });

  it('timeout and signal together: whichever fires first decides the error', async () => {
    const controller = new AbortController();
    const timedOut = await rejection(pool.run(task('spinForever'), { timeoutMs: 100, signal: controller.signal }));
    expect(timedOut).toBeInstanceOf(WorkerCrashedError);
    const flags = new HeavyArray({ key: 'flags', shape: [1], dtype: 'int32' });
    const pending = pool.run(task('signalThenSpin', { flags }), { timeoutMs: 60_000, signal: controller.signal });
    await waitForFlag(flags);
    controller.abort('stop');
    expect(await rejection(pending)).toMatchObject({ code: 'ABORTED' });
    expect(await pool.run(task('add', { a: 0, b: 1 }))).toBe(1);
  });

  it('counts crashes and aborts', () => {
    const stats = pool.stats();
    expect(stats.crashed).toBeGreaterThanOrEqual(3);
    expect(stats.aborted).toBeGreaterThanOrEqual(3);
    expect(stats.pending).toBe(0);
  });
});

describe('out of memory', () => {
  let pool: ParallelPool;
  beforeAll(() => {
    pool = new ParallelPool({ maxThreads: 1, minThreads: 1, resourceLimits: { maxOldGenerationSizeMb: 32 } });
  });
  afterAll(() => pool.close());

  it('a worker over its heap limit → WorkerCrashedError (out of memory); the pool serves again', async () => {
    const error = await rejection(pool.run(task('exhaustMemory')));
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error.message).toMatch(/out of memory/);
    expect(error.message).toMatch(/maxOldGenerationSizeMb/);
    expect(await pool.run(task('add', { a: 20, b: 22 }))).toBe(42);
  });
});

describe('bad input is refused before dispatch', () => {
  let pool: ParallelPool;
  beforeAll(() => {
    pool = new ParallelPool({ maxThreads: 1, minThreads: 0 });
  });
  afterAll(() => pool.close());

  async function refused(promise: Promise<unknown>, path: string): Promise<TheusError> {
    const error = await rejection(promise);
    expect(error).toBeInstanceOf(TheusError);
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.path).toBe(path);
    return error;
  }

  it('non-cloneable payloads, naming the path of the bad value', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ cb: () => 1 }, 'payload.cb', /function/],
      [{ items: [1, { tag: Symbol('s') }] }, 'payload.items[1].tag', /symbol/],
      [{ 'odd key': { p: Promise.resolve(1) } }, 'payload["odd key"].p', /Promise/],
      [{ state: new Proxy({}, {}) }, 'payload.state', /Proxy/],
      [{ lookup: new Map([['k', () => 0]]) }, 'payload.lookup<map value 0>', /function/],
      [{ weak: new WeakMap() }, 'payload.weak', /WeakMap/],
      [() => 0, 'payload', /function/],
    ];
    for (const [payload, path, what] of cases) {
      const error = await refused(pool.run(task('echo', payload)), path);
      expect(error.message).toMatch(what);
    }
    // Cycles are fine: structured clone supports them.
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic.self = cyclic;
    const back = await pool.run<{ payload: Record<string, unknown> }>(task('echo', cyclic));
    expect(back.payload.self).toBe(back.payload);
    expect(pool.stats().threads).toBeLessThanOrEqual(1);
  });

  it('malformed tasks', async () => {
    await refused(pool.run(null as unknown as ParallelTask), 'task');
    await refused(pool.run(task('add', {}, './fixtures/tasks.mjs')), 'task.module');
    await refused(pool.run(task('add', {}, 'tasks')), 'task.module');
    await refused(pool.run(task('add', {}, '')), 'task.module');
    await refused(pool.run(task('add', {}, new URL('https://example.com/x.mjs'))), 'task.module');
    await refused(pool.run(task('add', {}, 42 as unknown as string)), 'task.module');
    await refused(pool.run(task('', {})), 'task.exportName');
    await refused(pool.run(task('__proto__', {})), 'task.exportName');
    await refused(pool.run(task('constructor', {})), 'task.exportName');
    await refused(pool.run({ module: TASKS, exportName: 7 } as unknown as ParallelTask), 'task.exportName');
  });

  it('bad run options', async () => {
    for (const timeoutMs of [0, -1, Number.NaN, Infinity, '10', 2 ** 31]) {
      await refused(pool.run(task('add', { a: 1, b: 1 }), { timeoutMs: timeoutMs as number }), 'timeoutMs');
    }
    await refused(pool.run(task('add', { a: 1, b: 1 }), { signal: {} as AbortSignal }), 'signal');
    await refused(pool.run(task('add', { a: 1, b: 1 }), 5 as unknown as object), 'options');
  });

  it('forged heavy handles in the payload', async () => {
    const handle = { __theusHeavy: 1, key: 'x', shape: [4], dtype: 'float32', buffer: new ArrayBuffer(16), byteOffset: 0, length: 4 };
    const error = await refused(pool.run(task('echo', { data: handle })), 'payload.data');
    expect(error.message).toMatch(/SharedArrayBuffer/);
    await refused(pool.run(task('echo', { data: { ...handle, buffer: new SharedArrayBuffer(16), length: 5 } })), 'payload.data');
  });

  it('bad pool options', () => {
    const cases: [object, string][] = [
      [{ maxThreads: 0 }, 'maxThreads'],
      [{ maxThreads: 1.5 }, 'maxThreads'],
      [{ minThreads: -1 }, 'minThreads'],
      [{ maxThreads: 1, minThreads: 2 }, 'minThreads'],
      [{ idleTimeout: -5 }, 'idleTimeout'],
      [{ resourceLimits: 5 }, 'resourceLimits'],
      [{ resourceLimits: { maxOldGenerationSizeMb: -1 } }, 'resourceLimits.maxOldGenerationSizeMb'],
      [{ resourceLimits: { heap: 10 } }, 'resourceLimits.heap'],
    ];
    for (const [options, path] of cases) {
      let caught: unknown;
      try {
        new ParallelPool(options);
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ code: 'INVALID_ARGUMENT', path });
    }
  });
});

describe('close', () => {
  it('rejects in-flight and later tasks with ENGINE_CLOSED, and is idempotent', async () => {
    const pool = new ParallelPool({ maxThreads: 1, minThreads: 1 });
    expect(await pool.run(task('add', { a: 1, b: 1 }))).toBe(2);
    const flags = new HeavyArray({ key: 'flags', shape: [1], dtype: 'int32' });
    const inFlight = rejection(pool.run(task('signalThenSpin', { flags })));
    await waitForFlag(flags);
    const closing = pool.close();
    expect(pool.close()).toBe(closing);
    await closing;
    expect(await inFlight).toMatchObject({ code: 'ENGINE_CLOSED' });
    const later = await rejection(pool.run(task('add', { a: 1, b: 1 })));
    expect(later).toBeInstanceOf(TheusError);
    expect(later.code).toBe('ENGINE_CLOSED');
    expect(pool.stats()).toMatchObject({ closed: true, threads: 0, pending: 0 });
  });
});
