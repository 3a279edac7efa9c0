/**
 * Engine construction and options: validation, namespaces, write deadline, abort, and
 * scanAndRegister.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PermissionDeniedError, TheusEngine, TheusError, process, type EngineOptions } from '../../src/index.js';
import { rejected, rejectsCode, sleep, throwsCode } from './helpers.js';

describe('constructor: bad context and bad options → INVALID_ARGUMENT, naming the problem', () => {
  const badOptions: [string, unknown, RegExp?][] = [
    ['unknown option', { strictMode: true }, /strictMode/],
    ['options null', null],
    ['options an array', []],
    ['options a string', 'strict'],
    ['strictGuards not boolean', { strictGuards: 'yes' }, /strictGuards/],
    ['strictCas not boolean', { strictCas: 1 }, /strictCas/],
    ['maxRetries negative', { maxRetries: -1 }, /maxRetries/],
    ['maxRetries fractional', { maxRetries: 1.5 }, /maxRetries/],
    ['maxRetries a string', { maxRetries: '3' }, /maxRetries/],
    ['vipAfter 0', { vipAfter: 0 }, /vipAfter/],
    ['writeTimeoutMs 0', { writeTimeoutMs: 0 }, /writeTimeoutMs/],
    ['writeTimeoutMs Infinity', { writeTimeoutMs: Infinity }, /writeTimeoutMs/],
    ['backoffBaseMs NaN', { backoffBaseMs: Number.NaN }, /backoffBaseMs/],
    ['backoffMaxMs negative', { backoffMaxMs: -5 }, /backoffMaxMs/],
    ['namespaces null', { namespaces: null }, /namespaces/],
    ['namespace named like a built-in root', { namespaces: { domain: {} } }, /domain/],
    ['namespace with a hostile name', { namespaces: JSON.parse('{"__proto__": {}}') }],
    ['namespace name not an identifier', { namespaces: { '1abc': {} } }, /1abc/],
    ['namespace name with a dot', { namespaces: { 'a.b': {} } }, /a\.b/],
    ['namespace policy not an object', { namespaces: { analytics: true } }, /analytics/],
    ['unknown policy key', { namespaces: { analytics: { write: true } } }, /write/],
    ['policy flag not boolean', { namespaces: { analytics: { read: 'yes' } } }, /read/],
  ];
  it.each(badOptions)('%s', (_label, options, message) => {
    const err = throwsCode(() => new TheusEngine({ domain: {} }, options as EngineOptions), 'INVALID_ARGUMENT');
    if (message) expect(err.message).toMatch(message);
  });

  const badContexts: [string, unknown][] = [
    ['an array', []],
    ['null', null],
    ['a Map', new Map()],
    ['a string', 'domain'],
    ['an unknown root', { dom: {} }],
    ['a signal root', { signal: {} }],
    ['a non-object domain', { domain: 5 }],
    ['a hostile root', JSON.parse('{"__proto__": {"x": 1}}')],
  ];
  it.each(badContexts)('context: %s', (_label, context) => {
    const err = thrown(() => new TheusEngine(context as Record<string, unknown>));
    expect(err).toBeInstanceOf(TheusError);
    expect(['INVALID_ARGUMENT', 'INVALID_PATH']).toContain((err as TheusError).code);
  });

  it('defaults: empty context, version 0, strict guards on, key-level CAS', () => {
    const engine = new TheusEngine();
    expect(engine.state.version).toBe(0);
    expect(engine.state.toJSON()).toEqual({ domain: {}, global: {}, heavy: {}, meta: {} });
    expect(engine.strictGuards).toBe(true);
    expect(engine.strictCas).toBe(false);
  });

  it('the caller’s context object is copied: later changes to it do not reach the engine, and it stays mutable', () => {
    const ctx = { domain: { list: [1], nested: { a: 1 } } };
    const engine = new TheusEngine(ctx);
    ctx.domain.list.push(2);
    ctx.domain.nested.a = 2;
    expect(engine.state.domain).toEqual({ list: [1], nested: { a: 1 } });
    expect(Object.isFrozen(ctx.domain)).toBe(false);
  });
});

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('namespaces', () => {
  const options: EngineOptions = { namespaces: { analytics: { initial: { hits: 0, events: ['boot'] } }, audit: { update: false, delete: false }, secret: { read: false } } };

  it('are extra roots: initial data, contracts, ctx.ns(name), committed like any root', async () => {
    const engine = new TheusEngine({ domain: {} }, options);
    expect(engine.state.get('analytics')).toEqual({ hits: 0, events: ['boot'] });
    expect(engine.state.get('audit')).toEqual({});
    const hit = process({ name: 'hit', inputs: ['analytics.hits'], outputs: ['analytics.hits', 'analytics.events'] }, (ctx) => {
      const ns = ctx.ns('analytics');
      ns.hits += 1;
      ns.events.push('hit');
    });
    await engine.execute(hit);
    expect(engine.state.get('analytics')).toEqual({ hits: 1, events: ['boot', 'hit'] });
    const byReturn = process({ name: 'byReturn', outputs: ['analytics.hits'] }, () => 10);
    await engine.execute(byReturn);
    expect(engine.state.get('analytics').hits).toBe(10);
  });

  it('the policy is a ceiling: delete is off by default, update:false forbids overwrites, read:false forbids reads', async () => {
    const engine = new TheusEngine({ domain: {} }, options);
    const del = process({ name: 'del', outputs: ['analytics'] }, (ctx) => void delete ctx.ns('analytics').hits);
    await rejectsCode(engine.execute(del), 'ILLEGAL_WRITE', PermissionDeniedError);
    const append = process({ name: 'append', outputs: ['audit.entries'] }, (ctx) => void (ctx.ns('audit').entries = ['first']));
    await engine.execute(append); // adding a key is an append
    const overwrite = process({ name: 'overwrite', outputs: ['audit.entries'] }, (ctx) => void (ctx.ns('audit').entries = []));
    await rejectsCode(engine.execute(overwrite), 'ILLEGAL_WRITE');
    const peek = process({ name: 'peek', inputs: ['secret.key'] }, (ctx) => ctx.ns('secret').key);
    await rejectsCode(engine.execute(peek), 'ILLEGAL_READ');
    expect(engine.state.get('audit')).toEqual({ entries: ['first'] });
  });

  it('contracts are checked inside namespaces like anywhere else', async () => {
    const engine = new TheusEngine({ domain: {} }, options);
    const p = process({ name: 'p', inputs: ['analytics.hits'] }, (ctx) => ctx.ns('analytics').events);
    await rejectsCode(engine.execute(p), 'ILLEGAL_READ');
    const q = process({ name: 'q', inputs: ['domain'] }, (ctx) => ctx.ns('analytics'));
    await rejectsCode(engine.execute(q), 'ILLEGAL_READ');
    const bad = process({ name: 'bad', inputs: ['domain'] }, (ctx) => ctx.ns('__proto__'));
    await rejectsCode(engine.execute(bad), 'INVALID_ARGUMENT');
  });

  it('are per engine, never process-global', () => {
    const a = new TheusEngine({}, { namespaces: { analytics: {} } });
    const b = new TheusEngine({});
    const p = () => process({ name: 'p', inputs: ['analytics.x'] }, () => undefined);
    a.register(p());
    throwsCode(() => b.register(p()), 'CONTRACT_VIOLATION');
    expect(b.state.get('analytics')).toBeUndefined();
  });

  it('initial data in both the context and the policy is refused', () => {
    throwsCode(() => new TheusEngine({ analytics: { x: 1 } }, { namespaces: { analytics: { initial: { x: 2 } } } }), 'INVALID_ARGUMENT');
    const ok = new TheusEngine({ analytics: { x: 1 } }, { namespaces: { analytics: {} } });
    expect(ok.state.get('analytics')).toEqual({ x: 1 });
  });
});

describe('write deadline and abort', () => {
  it('writeTimeoutMs: a transaction open too long → WRITE_TIMEOUT at commit, nothing committed, not retried', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } }, { writeTimeoutMs: 20 });
    let runs = 0;
    const slow = process({ name: 'slow', outputs: ['domain.n'] }, async (ctx) => {
      runs++;
      ctx.domain.n = 1;
      await sleep(60);
    });
    const err = await rejectsCode(engine.execute(slow), 'WRITE_TIMEOUT');
    expect(err.message).toContain('slow');
    expect(runs).toBe(1);
    expect(engine.state.domain.n).toBe(0);
    expect(engine.metrics().byProcess.slow!.rollbacks).toBe(1);
  });

  it('ctx.abortSignal fires at the deadline so long work can stop early', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } }, { writeTimeoutMs: 20 });
    let reason: unknown;
    const cooperative = process({ name: 'cooperative', outputs: ['domain.n'] }, async (ctx) => {
      const signal = ctx.abortSignal;
      expect(signal.aborted).toBe(false);
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      reason = signal.reason;
      ctx.domain.n = 1;
    });
    await rejectsCode(engine.execute(cooperative), 'WRITE_TIMEOUT');
    expect((reason as TheusError).code).toBe('WRITE_TIMEOUT');
    expect(engine.state.domain.n).toBe(0);
  });

  it('a fast process under the deadline commits normally and leaves no timer behind', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } }, { writeTimeoutMs: 10_000 });
    const fast = process({ name: 'fast', outputs: ['domain.n'] }, (ctx) => {
      void ctx.abortSignal; // creates the deadline timer
      ctx.domain.n = 1;
    });
    await engine.execute(fast);
    expect(engine.state.domain.n).toBe(1);
  });

  it('execute({ signal }): aborted before start → ABORTED without running; aborted mid-run → ABORTED, nothing committed', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } });
    let runs = 0;
    const p = process({ name: 'p', outputs: ['domain.n'] }, async (ctx) => {
      runs++;
      ctx.domain.n = 1;
      await new Promise<void>((resolve) => ctx.abortSignal.addEventListener('abort', () => resolve(), { once: true }));
    });
    const pre = new AbortController();
    pre.abort(new Error('stop'));
    await rejectsCode(engine.execute(p, undefined, { signal: pre.signal }), 'ABORTED');
    expect(runs).toBe(0);

    const mid = new AbortController();
    const run = engine.execute(p, undefined, { signal: mid.signal });
    await sleep(5);
    const why = new Error('user cancelled');
    mid.abort(why);
    const err = await rejectsCode(run, 'ABORTED');
    expect(err.cause).toBe(why);
    expect(runs).toBe(1);
    expect(engine.state.domain.n).toBe(0);
  });
});

describe('scanAndRegister(dir)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  const indexUrl = pathToFileURL(join(import.meta.dirname, '..', '..', 'src', 'index.ts')).href;

  async function project(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'theus-scan-'));
    dirs.push(dir);
    for (const [name, body] of Object.entries(files)) {
      const full = join(dir, name);
      await mkdir(join(full, '..'), { recursive: true });
      await writeFile(full, body.replaceAll('THEUS', indexUrl));
    }
    return dir;
  }

  it('imports modules recursively and registers every exported process once; skips tests, declarations, dot-dirs, node_modules', async () => {
    const dir = await project({
      'bank.ts': `import { process } from 'THEUS';
export const deposit = process({ outputs: ['domain.n'] }, () => 1);
export const withdraw = process({ outputs: ['domain.n'] }, () => -1);
export const alias = deposit;
export const notAProcess = 42;`,
      'nested/deeper/report.ts': `import { process } from 'THEUS';
export const report = process({ inputs: ['domain.n'] }, (ctx) => ctx.domain.n);`,
      'plain.mjs': `export const x = 1;`,
      'bank.test.ts': `throw new Error('test files must not be imported');`,
      'types.d.ts': `export declare const y: number;`,
      '.hidden/secret.ts': `throw new Error('dot directories must be skipped');`,
      'node_modules/dep/index.js': `throw new Error('node_modules must be skipped');`,
    });
    const engine = new TheusEngine({ domain: { n: 5 } });
    const names = await engine.scanAndRegister(dir);
    expect(names.sort()).toEqual(['deposit', 'report', 'withdraw']);
    expect(engine.processes().sort()).toEqual(['deposit', 'report', 'withdraw']);
    expect(await engine.execute('report')).toBe(5);
    // Scanning again registers nothing new (the same definitions are already known).
    expect(await engine.scanAndRegister(dir)).toEqual([]);
  });

  it('bad input: empty path, missing directory, a module that throws, duplicate names across modules', async () => {
    const engine = new TheusEngine();
    await rejectsCode(engine.scanAndRegister(''), 'INVALID_ARGUMENT');
    await rejectsCode(engine.scanAndRegister(42 as never), 'INVALID_ARGUMENT');
    await rejectsCode(engine.scanAndRegister(join(tmpdir(), 'theus-definitely-missing-dir')), 'INVALID_ARGUMENT');

    const broken = await project({ 'broken.ts': `throw new Error('module init failed');` });
    const err = await rejectsCode(engine.scanAndRegister(broken), 'INVALID_ARGUMENT');
    expect(err.message).toContain('broken.ts');
    expect((err.cause as Error).message).toBe('module init failed');

    const dup = await project({
      'a.ts': `import { process } from 'THEUS';\nexport const same = process({ name: 'same' }, () => 1);`,
      'b.ts': `import { process } from 'THEUS';\nexport const same = process({ name: 'same' }, () => 2);`,
    });
    const e2 = new TheusEngine();
    await rejectsCode(e2.scanAndRegister(dup), 'CONTRACT_VIOLATION');

    const badContract = await project({ 'bad.ts': `import { process } from 'THEUS';\nexport const bad = process({ inputs: ['nowhere.x'] }, () => 1);` });
    const e3 = new TheusEngine();
    const e = await rejected(e3.scanAndRegister(badContract));
    expect((e as TheusError).code).toBe('CONTRACT_VIOLATION');
    expect((e as TheusError).path).toBe('nowhere.x');
  });
});
