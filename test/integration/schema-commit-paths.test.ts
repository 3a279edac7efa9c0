/**
 * The schema gate on every commit path of the real engine (API.md §7, REFERENCE.md §8.8): Zod and Valibot
 * validators, as a whole-root pattern (`domain`) and a per-record pattern (`domain.accounts.*`), through execute,
 * edit, compareAndSwap, engine.transaction(async fn) and a manual transaction. A rejected commit leaves state,
 * version and signals untouched and reports issues with absolute paths.
 */
import * as v from 'valibot';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { SchemaViolationError, TheusEngine, process, type StandardSchemaV1 } from '../../src/index.js';
import { expectTheus, expectUntouched, recordSignals, rejection, snapshotOf } from './fixtures/audit/support.js';

const LIBRARIES: Record<string, { domain: StandardSchemaV1; account: StandardSchemaV1 }> = {
  zod: {
    domain: z.object({ accounts: z.record(z.string(), z.unknown()), status: z.enum(['open', 'closed']) }),
    account: z.object({ owner: z.string().min(1), balance: z.number().min(0) }),
  },
  valibot: {
    domain: v.object({ accounts: v.record(v.string(), v.unknown()), status: v.picklist(['open', 'closed']) }),
    account: v.object({ owner: v.pipe(v.string(), v.minLength(1)), balance: v.pipe(v.number(), v.minValue(0)) }),
  },
};

type Change = { id?: string; balance?: number; owner?: string; status?: string };

/** Applies a change to a `domain` proxy, the same way on every path. */
function applyTo(domain: any, change: Change): void {
  if (change.id !== undefined) {
    const existing = domain.accounts[change.id];
    if (existing === undefined) domain.accounts[change.id] = { owner: change.owner ?? '', balance: change.balance ?? 0 };
    else {
      if (change.balance !== undefined) existing.balance = change.balance;
      if (change.owner !== undefined) existing.owner = change.owner;
    }
  }
  if (change.status !== undefined) domain.status = change.status;
}

const apply = process({ name: 'apply', inputs: ['domain.accounts', 'domain.status'], outputs: ['domain.accounts', 'domain.status', 'signal.applied'] }, (ctx, change: Change) => {
  applyTo(ctx.domain, change);
  ctx.signal.applied = change;
});

function casData(engine: TheusEngine, change: Change): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  if (change.id !== undefined) {
    const existing = engine.state.domain.accounts[change.id] as object | undefined;
    if (existing === undefined) data[`domain.accounts.${change.id}`] = { owner: change.owner ?? '', balance: change.balance ?? 0 };
    else {
      if (change.balance !== undefined) data[`domain.accounts.${change.id}.balance`] = change.balance;
      if (change.owner !== undefined) data[`domain.accounts.${change.id}.owner`] = change.owner;
    }
  }
  if (change.status !== undefined) data['domain.status'] = change.status;
  return data;
}

/** Every commit path, as an async function so sync throws become rejections. */
const PATHS: Record<string, (engine: TheusEngine, change: Change) => Promise<unknown>> = {
  execute: (engine, change) => engine.execute(apply, change),
  edit: async (engine, change) => engine.edit((ctx) => applyTo(ctx.domain, change)),
  compareAndSwap: async (engine, change) => engine.compareAndSwap(engine.state.version, { data: casData(engine, change), signal: { applied: change } }),
  'transaction(async fn)': (engine, change) =>
    engine.transaction(async (tx) => {
      await new Promise((r) => setImmediate(r));
      applyTo(tx.domain, change);
    }),
  'manual transaction': async (engine, change) => {
    const tx = engine.transaction();
    applyTo(tx.domain, change);
    return tx.commit();
  },
};

function makeEngine(schemas: Record<string, StandardSchemaV1>): TheusEngine {
  const engine = new TheusEngine({ domain: { accounts: { alice: { owner: 'alice', balance: 100 }, bob: { owner: 'bob', balance: 5 } }, status: 'open' } }, { schema: schemas });
  engine.register(apply);
  return engine;
}

describe.each(Object.keys(LIBRARIES))('%s validators', (library) => {
  const { domain, account } = LIBRARIES[library]!;

  describe.each(Object.keys(PATHS))('through %s', (path) => {
    const commit = PATHS[path]!;

    it("a per-record pattern ('domain.accounts.*') rejects an invalid record: nothing changes, issues carry absolute paths", async () => {
      const engine = makeEngine({ 'domain.accounts.*': account });
      const signals = recordSignals(engine);
      const before = snapshotOf(engine);
      const err = expectTheus(await rejection(commit(engine, { id: 'alice', balance: -50 })), SchemaViolationError, 'SCHEMA_VIOLATION');
      expect(err.issues).toHaveLength(1);
      expect(err.issues[0]!.path).toEqual(['domain', 'accounts', 'alice', 'balance']);
      expect(err.path).toBe('domain.accounts.alice.balance');
      expect(err.message).toContain('domain.accounts.alice.balance');
      expect(err.message).toMatch(/nothing was committed/);
      expectUntouched(engine, before);
      await new Promise((r) => setImmediate(r));
      expect(signals).toEqual([]);
    });

    it('a per-record pattern rejects an invalid new record with every issue', async () => {
      const engine = makeEngine({ 'domain.accounts.*': account });
      const before = snapshotOf(engine);
      const err = expectTheus(await rejection(commit(engine, { id: 'carol', owner: '', balance: -1 })), SchemaViolationError, 'SCHEMA_VIOLATION');
      expect(err.issues.map((i) => i.path)).toEqual([
        ['domain', 'accounts', 'carol', 'owner'],
        ['domain', 'accounts', 'carol', 'balance'],
      ]);
      expectUntouched(engine, before);
    });

    it("a whole-root pattern ('domain') rejects a change that breaks the root", async () => {
      const engine = makeEngine({ domain });
      const before = snapshotOf(engine);
      const err = expectTheus(await rejection(commit(engine, { status: 'bogus' })), SchemaViolationError, 'SCHEMA_VIOLATION');
      expect(err.issues.map((i) => i.path)).toEqual([['domain', 'status']]);
      expectUntouched(engine, before);
    });

    it('valid changes commit with version + 1, under both patterns at once', async () => {
      const engine = makeEngine({ domain, 'domain.accounts.*': account });
      await commit(engine, { id: 'alice', balance: 0 });
      expect(engine.state.version).toBe(1);
      expect(engine.state.domain.accounts.alice).toEqual({ owner: 'alice', balance: 0 });
      await commit(engine, { id: 'carol', owner: 'carol', balance: 3, status: 'closed' });
      expect(engine.state.version).toBe(2);
      expect(engine.state.domain.status).toBe('closed');
      expect(engine.state.domain.accounts.carol).toEqual({ owner: 'carol', balance: 3 });
    });
  });
});

describe('schema gate details', () => {
  const { account, domain } = LIBRARIES.zod!;

  it('a change outside the records is not checked against a per-record pattern', async () => {
    const engine = new TheusEngine({ domain: { accounts: { alice: { owner: 'alice', balance: 1 } }, status: 'open' } }, { schema: { 'domain.accounts.*': account } });
    engine.edit((ctx) => {
      ctx.domain.status = 'anything';
    });
    expect(engine.state.domain.status).toBe('anything');
  });

  it('replacing the whole record map validates every record below it', async () => {
    const engine = makeEngine({ 'domain.accounts.*': account });
    const err = expectTheus(
      (() => {
        try {
          engine.edit((ctx) => {
            ctx.domain.accounts = { a: { owner: 'a', balance: 1 }, b: { owner: 'b', balance: -2 }, c: { owner: '', balance: 3 } };
          });
        } catch (e) {
          return e;
        }
        return expect.fail('expected a schema violation');
      })(),
      SchemaViolationError,
      'SCHEMA_VIOLATION',
    );
    expect(err.issues.map((i) => i.path.join('.'))).toEqual(['domain.accounts.b.balance', 'domain.accounts.c.owner']);
    expect(engine.state.version).toBe(0);
  });

  it('deleting a record is not a violation (a missing record is not a malformed one)', async () => {
    const engine = makeEngine({ 'domain.accounts.*': account });
    engine.edit((ctx) => {
      delete ctx.domain.accounts.bob;
    });
    expect(Object.keys(engine.state.domain.accounts)).toEqual(['alice']);
  });

  it('a validator that throws rejects the commit with its error as cause', async () => {
    const boom: StandardSchemaV1 = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) => {
          // Constructing the engine validates the initial state, where domain.x is absent: accept that.
          if (value === undefined) return { value };
          throw new Error('validator exploded');
        },
      },
    };
    const engine = new TheusEngine({ domain: {} }, { schema: { 'domain.x': boom } });
    const before = snapshotOf(engine);
    const err = expectTheus(await rejection(engine.execute(process({ name: 'setX', outputs: ['domain.x'] }, () => 1))), SchemaViolationError, 'SCHEMA_VIOLATION');
    expect(err.message).toContain('validator exploded');
    expect((err.cause as Error).message).toBe('validator exploded');
    expectUntouched(engine, before);
  });

  it('an initial state that violates the schema is refused at construction', () => {
    const make = () => new TheusEngine({ domain: { accounts: { x: { owner: 'x', balance: -1 } }, status: 'open' } }, { schema: { domain, 'domain.accounts.*': account } });
    expect(make).toThrow(SchemaViolationError);
  });

  it('schemas on the global root and on a namespace root are enforced too', async () => {
    const engine = new TheusEngine(
      { global: { maxLimit: 10 } },
      { namespaces: { analytics: { initial: { hits: 0 } } }, schema: { 'global.maxLimit': z.number().int().positive(), analytics: v.object({ hits: v.number() }) } },
    );
    expect(() => engine.edit((ctx) => void (ctx.global.maxLimit = 0))).toThrow(SchemaViolationError);
    expect(() => engine.compareAndSwap(0, { data: { 'analytics.hits': 'many' } })).toThrow(SchemaViolationError);
    engine.compareAndSwap(0, { data: { 'analytics.hits': 3, 'global.maxLimit': 20 } });
    expect(engine.state.version).toBe(1);
  });
});
