/**
 * Asynchronous validators (a Zod async refinement): they work where the engine can wait — execute() and
 * `await engine.transaction(async fn)` — and are refused with a clear INVALID_ARGUMENT on the synchronous paths
 * (edit, compareAndSwap, a manual transaction's commit), leaving the state untouched.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { SchemaViolationError, TheusEngine, TheusError, process, type StandardSchemaV1 } from '../../src/index.js';
import { expectTheus, expectUntouched, recordSignals, rejection, snapshotOf, thrownBy } from './fixtures/audit/support.js';

const zodAccount = z.object({ owner: z.string(), balance: z.number().min(0) }).refine(async (a) => {
  await new Promise((r) => setTimeout(r, 2));
  return a.owner !== 'mallory';
}, 'mallory is banned');

/** Counts validate() calls (Zod itself may run an async refinement twice: a sync try, then the async parse). */
let validations = 0;
const account: StandardSchemaV1 = {
  '~standard': {
    version: 1,
    vendor: 'counting-zod',
    validate: (value) => {
      validations++;
      return zodAccount['~standard'].validate(value);
    },
  },
};

const setOwner = process({ name: 'setOwner', inputs: ['domain.accounts'], outputs: ['domain.accounts', 'signal.owner'] }, (ctx, args: { id: string; owner: string }) => {
  ctx.domain.accounts[args.id].owner = args.owner;
  ctx.signal.owner = args;
});

function makeEngine(): TheusEngine {
  const engine = new TheusEngine({ domain: { accounts: { a: { owner: 'ann', balance: 1 }, b: { owner: 'ben', balance: 2 } } } }, { schema: { 'domain.accounts.*': account } });
  engine.register(setOwner);
  return engine;
}

describe('async validators through execute()', () => {
  it('a valid change is awaited and committed, then its signal is published', async () => {
    const engine = makeEngine();
    const signals = recordSignals(engine);
    // Construction starts validating the initial state; let those async checks finish before counting.
    await new Promise((r) => setTimeout(r, 20));
    validations = 0;
    await engine.execute('setOwner', { id: 'a', owner: 'amy' });
    expect(validations).toBe(1);
    expect(engine.state.domain.accounts.a.owner).toBe('amy');
    expect(engine.state.version).toBe(1);
    expect(signals.map((m) => m.topic)).toEqual(['owner']);
  });

  it('an invalid change rejects with SchemaViolationError: state, version and signals untouched', async () => {
    const engine = makeEngine();
    const signals = recordSignals(engine);
    const before = snapshotOf(engine);
    const err = expectTheus(await rejection(engine.execute('setOwner', { id: 'b', owner: 'mallory' })), SchemaViolationError, 'SCHEMA_VIOLATION');
    expect(err.issues).toEqual([{ message: 'mallory is banned', path: ['domain', 'accounts', 'b'] }]);
    expectUntouched(engine, before);
    await new Promise((r) => setImmediate(r));
    expect(signals).toEqual([]);
  });

  it('two concurrent executions on different records both commit (a commit landing during validation forces a retry)', async () => {
    const engine = makeEngine();
    await Promise.all([engine.execute('setOwner', { id: 'a', owner: 'amy' }), engine.execute('setOwner', { id: 'b', owner: 'bea' })]);
    expect(engine.state.domain.accounts).toEqual({ a: { owner: 'amy', balance: 1 }, b: { owner: 'bea', balance: 2 } });
    expect(engine.state.version).toBe(2);
  });
});

describe('async validators through engine.transaction(async fn)', () => {
  it('commits a valid change and rejects an invalid one', async () => {
    const engine = makeEngine();
    await engine.transaction(async (tx) => {
      tx.domain.accounts.a.owner = 'amy';
    });
    expect(engine.state.domain.accounts.a.owner).toBe('amy');
    const before = snapshotOf(engine);
    await expect(
      engine.transaction(async (tx) => {
        tx.domain.accounts.a.owner = 'mallory';
      }),
    ).rejects.toBeInstanceOf(SchemaViolationError);
    expectUntouched(engine, before);
  });
});

describe('async validators on synchronous commit paths are refused clearly', () => {
  const cases: [string, (engine: TheusEngine) => unknown][] = [
    ['edit', (engine) => engine.edit((ctx) => void (ctx.domain.accounts.a.owner = 'amy'))],
    ['compareAndSwap', (engine) => engine.compareAndSwap(engine.state.version, { data: { 'domain.accounts.a.owner': 'amy' }, signal: { owner: 'amy' } })],
    [
      'a manual transaction commit',
      (engine) => {
        const tx = engine.transaction();
        tx.domain.accounts.a.owner = 'amy';
        return tx.commit();
      },
    ],
  ];

  it.each(cases)('%s: INVALID_ARGUMENT pointing at execute() / transaction(async fn), nothing committed', async (_label, run) => {
    const engine = makeEngine();
    const signals = recordSignals(engine);
    const before = snapshotOf(engine);
    const err = expectTheus(thrownBy(() => run(engine)), TheusError, 'INVALID_ARGUMENT');
    expect(err.message).toMatch(/asynchronous validators/);
    expect(err.message).toContain('engine.execute()');
    expect(err.message).toContain('engine.transaction(async');
    expectUntouched(engine, before);
    await new Promise((r) => setTimeout(r, 10)); // let the abandoned validation settle: no late commit, no signal
    expectUntouched(engine, before);
    expect(signals).toEqual([]);
  });

  it('a synchronous path that changes nothing the async schema covers still works', () => {
    const engine = makeEngine();
    engine.edit((ctx) => {
      ctx.domain.note = 'no account touched';
    });
    expect(engine.state.domain.note).toBe('no account touched');
  });
});
