/**
 * Keys from request data (`__proto__`, `constructor`, `prototype`, and chains through inherited
 * members) on every route into state: each is refused with a typed error or lands as plain data,
 * nothing reaches a prototype, on the main thread or in a worker, and a refused commit leaves the
 * committed State object in place.
 */
import { describe, expect, it } from 'vitest';
import { StateUpdate, TheusEngine, TheusError, defineProcess } from '../../src/index.js';
import * as hostile from './fixtures/hostile-parallel.js';
import { trackedEngines } from './helpers.js';

const PROTO_JSON = '{"__proto__": {"isAdmin": true}}';
const CHAINS: string[][] = [
  ['constructor', 'prototype', 'isAdmin'],
  ['toString', 'call', 'x'],
  ['__proto__', 'isAdmin'],
  ['hasOwnProperty', 'prototype', 'x'],
];

function clean(): void {
  expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
  expect((Function.prototype.call as unknown as Record<string, unknown>)['x']).toBeUndefined();
  expect((Object.prototype.hasOwnProperty as unknown as Record<string, unknown>)['prototype']).toBeUndefined();
}

/** Runs `attempt` and requires a refusal (a thrown error) that left the committed state alone. */
async function refused(engine: TheusEngine, attempt: () => unknown): Promise<unknown> {
  const before = engine.state;
  let error: unknown;
  try {
    await attempt();
  } catch (e) {
    error = e;
  }
  expect(error, 'the route accepted a hostile key').toBeDefined();
  expect(engine.state).toBe(before);
  clean();
  return error;
}

describe('hostile keys on every route into state', () => {
  const make = trackedEngines();

  it.each(CHAINS)('a ctx key chain %s.%s.%s from request data', async (...keys) => {
    const engine = make({ domain: { prefs: {} } });
    const walk = defineProcess({ name: 'walk', inputs: ['domain.prefs'], outputs: ['domain.prefs'] }, (ctx, args: { keys: string[] }) => {
      let node = ctx.domain.prefs as Record<string, any>;
      for (const k of args.keys.slice(0, -1)) node = node[k];
      node[args.keys[args.keys.length - 1]!] = true;
    });
    await refused(engine, () => engine.execute(walk, { keys }));
  });

  it('a returned object, a StateUpdate path and a StateUpdate value', async () => {
    const engine = make({ domain: { prefs: {} } });
    const ret = defineProcess({ name: 'ret', outputs: ['domain.prefs'] }, () => JSON.parse(PROTO_JSON) as unknown);
    const dotted = defineProcess({ name: 'dotted', outputs: ['domain'] }, (_ctx, path: string) => StateUpdate({ data: { [path]: 1 } }));
    const value = defineProcess({ name: 'value', outputs: ['domain'] }, () => StateUpdate({ data: { 'domain.prefs': JSON.parse(PROTO_JSON) } }));
    for (const e of [
      await refused(engine, () => engine.execute(ret)),
      await refused(engine, () => engine.execute(dotted, 'domain.prefs.__proto__.isAdmin')),
      await refused(engine, () => engine.execute(dotted, 'domain.prefs.constructor.prototype.isAdmin')),
      await refused(engine, () => engine.execute(value)),
    ]) {
      expect(e).toBeInstanceOf(TheusError);
      expect((e as TheusError).code).toBe('INVALID_PATH');
    }
  });

  it('edit, transaction(fn), a manual transaction and compareAndSwap (dotted, nested, signal, meta)', async () => {
    const engine = make({ domain: { prefs: {} } });
    const codes: string[] = [];
    const push = (e: unknown) => codes.push((e as TheusError).code);
    push(await refused(engine, () => engine.edit((ctx) => Object.assign(ctx.domain.prefs, JSON.parse(PROTO_JSON)))));
    push(await refused(engine, () => engine.transaction(async (tx) => void ((tx.domain['prefs'] as Record<string, unknown>)['__proto__'] = { isAdmin: true }))));
    push(
      await refused(engine, () => {
        const tx = engine.transaction();
        (tx.domain['prefs'] as Record<string, unknown>)['prototype'] = 1;
        return tx.commit();
      }),
    );
    push(await refused(engine, () => engine.compareAndSwap(0, { data: { 'domain.prefs.constructor.prototype.isAdmin': true } })));
    push(await refused(engine, () => engine.compareAndSwap(0, { data: JSON.parse(`{"domain": {"prefs": ${PROTO_JSON}}}`) })));
    push(await refused(engine, () => engine.compareAndSwap(0, { signal: JSON.parse(PROTO_JSON) })));
    push(await refused(engine, () => engine.compareAndSwap(0, { meta: JSON.parse(PROTO_JSON) })));
    expect(codes.every((c) => c === 'INVALID_PATH'), codes.join(', ')).toBe(true);
  });

  it('an outbox payload, a signal payload and execute arguments are plain data or refused', async () => {
    const engine = make({ domain: { prefs: {} } });
    const out = defineProcess({ name: 'out', outputs: ['domain.prefs'] }, (ctx) => {
      ctx.outbox.add('t', JSON.parse(PROTO_JSON));
    });
    const sig = defineProcess({ name: 'sig', outputs: ['signal.t'] }, (ctx) => {
      ctx.signal['t'] = JSON.parse(PROTO_JSON);
    });
    await refused(engine, () => engine.execute(out));
    await refused(engine, () => engine.execute(sig));
    await refused(engine, () => engine.execute(out, JSON.parse(PROTO_JSON)));
  });

  it('a heavy key and a namespace name', async () => {
    const engine = make({});
    const e1 = await refused(engine, () => engine.heavy.alloc('__proto__', [2], 'float32'));
    expect(e1).toBeInstanceOf(TheusError);
    expect(() => new TheusEngine({}, { namespaces: { constructor: {} } } as never)).toThrow(TheusError);
    clean();
  });
});

describe('hostile keys in a worker', () => {
  const make = trackedEngines();

  it('each route is refused, and no later task in the same worker sees pollution', async () => {
    const engine = make({ domain: { prefs: {} } }, { workers: { maxThreads: 1 } });
    for (const p of Object.values(hostile)) engine.register(p);
    for (const keys of CHAINS) await refused(engine, () => engine.executeParallel(hostile.walkKeys, { keys }));
    await refused(engine, () => engine.executeParallel(hostile.returnKeys, { json: PROTO_JSON }));
    await refused(engine, () => engine.executeParallel(hostile.updateKeys, { path: 'domain.prefs.__proto__.isAdmin' }));
    await refused(engine, () => engine.executeParallel(hostile.updateKeys, { path: 'domain.prefs.constructor.prototype.isAdmin' }));
    // One thread: the probe runs in the very worker the attacks ran in.
    expect(await engine.executeParallel(hostile.probe)).toEqual({ object: null, call: null });
  }, 120_000); // the first task starts a worker, which compiles the TypeScript fixtures
});
