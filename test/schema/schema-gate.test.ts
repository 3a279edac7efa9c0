import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as v from 'valibot';
import { SchemaGate } from '../../src/schema/index.js';
import type { StandardSchemaV1 } from '../../src/schema/index.js';
import { SchemaViolationError, TheusError } from '../../src/errors.js';

function readerOf(state: Record<string, unknown>): (path: string) => unknown {
  return (path) => {
    let current: unknown = state;
    for (const segment of path.split('.')) {
      if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
    return current;
  };
}

/** Wraps a validator so the test can count how many values it was asked to validate. */
function counting(schema: StandardSchemaV1): { schema: StandardSchemaV1; seen: unknown[] } {
  const seen: unknown[] = [];
  const inner = schema['~standard'];
  return {
    seen,
    schema: {
      '~standard': {
        version: 1,
        vendor: inner.vendor,
        validate: (value: unknown) => {
          seen.push(value);
          return inner.validate(value);
        },
      },
    },
  };
}

function violation(fn: () => unknown): SchemaViolationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SchemaViolationError);
    return error as SchemaViolationError;
  }
  throw new Error('expected a SchemaViolationError');
}

const account = z.object({ owner: z.string(), balance: z.number().min(0) });

function bank(n: number): Record<string, unknown> {
  const accounts: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) accounts[`acc${i}`] = { owner: `user${i}`, balance: i };
  accounts.alice = { owner: 'alice', balance: 100 };
  return { domain: { accounts, status: 'open' }, global: { currency: 'EUR' } };
}

describe('SchemaGate with Zod and Valibot', () => {
  it('accepts valid state synchronously (returns undefined, not a promise)', () => {
    const gate = new SchemaGate({ domain: z.object({ status: z.string() }).loose(), 'domain.accounts.*': account, global: v.object({ currency: v.string() }) });
    const state = bank(3);
    expect(gate.validate(['domain.accounts.alice.balance', 'global.currency', 'domain.status'], readerOf(state))).toBeUndefined();
    expect(gate.patterns).toEqual(['domain', 'domain.accounts.*', 'global']);
    expect(gate.size).toBe(3);
  });

  it('rejects with every issue, paths made absolute', () => {
    const gate = new SchemaGate({ 'domain.accounts.*': account, global: v.object({ currency: v.picklist(['EUR', 'USD']) }) });
    const state = bank(2);
    (state.domain as { accounts: Record<string, unknown> }).accounts.alice = { owner: 7, balance: -5 };
    (state.global as Record<string, unknown>).currency = 'XXX';
    const error = violation(() => gate.validate(['domain.accounts.alice', 'global.currency'], readerOf(state)));
    expect(error.code).toBe('SCHEMA_VIOLATION');
    expect(error.issues.map((i) => i.path)).toEqual([
      ['domain', 'accounts', 'alice', 'owner'],
      ['domain', 'accounts', 'alice', 'balance'],
      ['global', 'currency'],
    ]);
    expect(error.path).toBe('domain.accounts.alice.owner');
    expect(error.message).toMatch(/3 issues.*domain\.accounts\.alice\.owner: .*domain\.accounts\.alice\.balance: .*global\.currency: /);
  });

  it('Valibot per-record schemas report absolute paths too', () => {
    const gate = new SchemaGate({ 'domain.accounts.*': v.object({ owner: v.string(), balance: v.pipe(v.number(), v.minValue(0)) }) });
    const state = bank(1);
    (state.domain as { accounts: Record<string, { balance: number }> }).accounts.acc0!.balance = -1;
    expect(violation(() => gate.validate(['domain.accounts.acc0.balance'], readerOf(state))).issues[0]?.path).toEqual(['domain', 'accounts', 'acc0', 'balance']);
  });

  it('lists the first three issues and counts the rest', () => {
    const gate = new SchemaGate({ 'domain.accounts.*': account });
    const accounts: Record<string, unknown> = {};
    for (let i = 0; i < 5; i++) accounts[`a${i}`] = { owner: 1, balance: 0 };
    const error = violation(() => gate.validate(['domain.accounts'], readerOf({ domain: { accounts } })));
    expect(error.issues).toHaveLength(5);
    expect(error.message).toMatch(/5 issues.*a0\.owner.*a1\.owner.*a2\.owner.*; and 2 more\.$/);
  });
});

describe('SchemaGate runs only the validators a change overlaps', () => {
  it('a one-record change in a 10 000-record state validates that record only', () => {
    const perRecord = counting(account);
    const root = counting(z.object({ currency: z.string() }));
    const gate = new SchemaGate({ 'domain.accounts.*': perRecord.schema, global: root.schema });
    const state = bank(10_000);
    gate.validate(['domain.accounts.alice.balance'], readerOf(state));
    expect(perRecord.seen).toEqual([{ owner: 'alice', balance: 100 }]);
    expect(root.seen).toEqual([]);
  });

  it('replacing the collection validates every record below it; unrelated changes validate nothing', () => {
    const perRecord = counting(account);
    const gate = new SchemaGate({ 'domain.accounts.*': perRecord.schema });
    const state = bank(50);
    gate.validate(['domain.status', 'global.currency'], readerOf(state));
    expect(perRecord.seen).toHaveLength(0);
    gate.validate(['domain.accounts'], readerOf(state));
    expect(perRecord.seen).toHaveLength(51);
    perRecord.seen.length = 0;
    gate.validate(['domain'], readerOf(state));
    expect(perRecord.seen).toHaveLength(51);
  });

  it('an ancestor pattern validates its one instance once, however many paths changed inside it', () => {
    const domain = counting(z.object({ accounts: z.record(z.string(), account), status: z.string() }));
    const record = counting(account);
    const gate = new SchemaGate({ domain: domain.schema, 'domain.accounts.*': record.schema });
    gate.validate(['domain.accounts.alice.balance', 'domain.accounts.alice.owner', 'domain.status'], readerOf(bank(3)));
    expect(domain.seen).toHaveLength(1);
    expect(record.seen).toHaveLength(1);
  });

  it('a deleted record is not validated; a deleted literal node is (and fails a required schema)', () => {
    const record = counting(account);
    const config = counting(z.object({ limit: z.number() }));
    const gate = new SchemaGate({ 'domain.accounts.*': record.schema, 'domain.config': config.schema });
    const state = bank(1);
    gate.validate(['domain.accounts.bob'], readerOf(state));
    expect(record.seen).toHaveLength(0);
    expect(violation(() => gate.validate(['domain.config'], readerOf(state))).issues[0]?.path).toEqual(['domain', 'config']);
  });

  it('wildcards in the middle of a pattern expand only under the changed branch', () => {
    const item = counting(z.object({ qty: z.number().int() }));
    const gate = new SchemaGate({ 'domain.orders.*.items.*': item.schema });
    const state = { domain: { orders: { o1: { items: { a: { qty: 1 }, b: { qty: 2 } } }, o2: { items: { c: { qty: 3 } } } } } };
    gate.validate(['domain.orders.o1'], readerOf(state));
    expect(item.seen).toEqual([{ qty: 1 }, { qty: 2 }]);
    item.seen.length = 0;
    gate.validate(['domain.orders.o2.items.c.qty'], readerOf(state));
    expect(item.seen).toEqual([{ qty: 3 }]);
  });

  it('validateAll validates every pattern over the whole state', () => {
    const record = counting(account);
    const gate = new SchemaGate({ 'domain.accounts.*': record.schema, global: z.object({ currency: z.string() }) });
    expect(gate.validateAll(readerOf(bank(4)))).toBeUndefined();
    expect(record.seen).toHaveLength(5);
  });
});

describe('SchemaGate async and failing validators', () => {
  const asyncPositive: StandardSchemaV1 = {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: async (value) => (typeof value === 'number' && value > 0 ? { value } : { issues: [{ message: 'must be positive', path: [{ key: 'x' }] }] }),
    },
  };

  it('an async validator makes validate return a promise that resolves or rejects', async () => {
    const gate = new SchemaGate({ 'domain.n': asyncPositive, 'domain.accounts.*': account });
    const ok = gate.validate(['domain.n'], readerOf({ domain: { n: 3 } }));
    expect(ok).toBeInstanceOf(Promise);
    await expect(ok).resolves.toBeUndefined();
    const bad = gate.validate(['domain.n', 'domain.accounts.a'], readerOf({ domain: { n: -1, accounts: { a: { owner: 'a', balance: -1 } } } }));
    await expect(bad).rejects.toBeInstanceOf(SchemaViolationError);
    const error = (await (bad as Promise<void>).catch((e: unknown) => e)) as SchemaViolationError;
    expect(error.issues.map((i) => i.path)).toEqual([
      ['domain', 'accounts', 'a', 'balance'],
      ['domain', 'n', 'x'],
    ]);
  });

  it('Zod async refinements are supported', async () => {
    const gate = new SchemaGate({ 'global.code': z.string().refine(async (s) => s.startsWith('OK'), 'code must start with OK') });
    await expect(gate.validate(['global.code'], readerOf({ global: { code: 'NO' } }))).rejects.toMatchObject({ issues: [{ path: ['global', 'code'], message: 'code must start with OK' }] });
  });

  it('a throwing or rejecting validator becomes a SchemaViolationError with the cause', async () => {
    const boom = new Error('validator bug');
    const throwing: StandardSchemaV1 = { '~standard': { version: 1, vendor: 't', validate: () => { throw boom; } } };
    const rejecting: StandardSchemaV1 = { '~standard': { version: 1, vendor: 't', validate: () => Promise.reject(boom) } };
    const garbage: StandardSchemaV1 = { '~standard': { version: 1, vendor: 't', validate: () => 42 as never } };
    const sync = violation(() => new SchemaGate({ domain: throwing }).validate(['domain'], readerOf({ domain: {} })));
    expect(sync.cause).toBe(boom);
    expect(sync.message).toContain("the validator for 'domain' threw: validator bug");
    const asyncError = await (new SchemaGate({ domain: rejecting }).validate(['domain'], readerOf({ domain: {} })) as Promise<void>).catch((e: unknown) => e);
    expect(asyncError).toBeInstanceOf(SchemaViolationError);
    expect((asyncError as Error).cause).toBe(boom);
    expect(violation(() => new SchemaGate({ domain: garbage }).validate(['domain'], readerOf({ domain: {} }))).message).toMatch(/instead of a Standard Schema result/);
  });
});

describe('SchemaGate bad input', () => {
  const s = z.any();
  it.each([
    ['unknown root', { 'nope.x': s }],
    ['wildcard root', { '*.x': s }],
    ['__proto__ segment', { 'domain.__proto__': s }],
    ['constructor segment', { 'domain.constructor.x': s }],
    ['empty segment', { 'domain..x': s }],
    ['trailing dot', { 'domain.': s }],
    ['partial wildcard', { 'domain.acc*': s }],
    ['empty pattern', { '': s }],
    ['too deep', { [`domain${'.a'.repeat(40)}`]: s }],
    ['not a validator', { domain: { parse: () => 1 } }],
    ['null validator', { domain: null }],
  ])('%s → INVALID_ARGUMENT', (_name, schemas) => {
    try {
      new SchemaGate(schemas as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TheusError);
      expect((error as TheusError).code).toBe('INVALID_ARGUMENT');
    }
  });

  it('rejects a non-object schema map and bad validate arguments', () => {
    for (const bad of [null, 3, [s]]) expect(() => new SchemaGate(bad as never)).toThrow(/path patterns to Standard Schema validators/);
    const gate = new SchemaGate({ domain: s });
    expect(() => gate.validate('domain' as never, () => undefined)).toThrow(TheusError);
    expect(() => gate.validate(['domain'], 'x' as never)).toThrow(TheusError);
    expect(() => gate.validate([''], () => undefined)).toThrow(TheusError);
    expect(() => gate.validate([3 as never], () => undefined)).toThrow(TheusError);
  });

  it('namespaces become valid roots through the roots option', () => {
    expect(() => new SchemaGate({ 'inventory.stock': s })).toThrow(/not a state root/);
    const gate = new SchemaGate({ 'inventory.stock': z.number() }, { roots: ['domain', 'inventory'] });
    expect(() => gate.validate(['inventory.stock'], readerOf({ inventory: { stock: 'x' } }))).toThrow(SchemaViolationError);
  });

  it('state keys named __proto__ are never expanded into', () => {
    const record = counting(z.any());
    const gate = new SchemaGate({ 'domain.m.*': record.schema });
    const m = JSON.parse('{"__proto__": {"x": 1}, "ok": {"x": 2}}') as Record<string, unknown>;
    gate.validate(['domain.m'], readerOf({ domain: { m } }));
    expect(record.seen).toEqual([{ x: 2 }]);
  });
});
