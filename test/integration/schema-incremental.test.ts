/**
 * The schema gate validates only what a commit changes (REFERENCE.md §8.8 [REC], API.md §7): with a per-record
 * schema, a one-record change costs one validator call whatever the state size, on every commit path.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { TheusEngine, process, type StandardSchemaV1 } from '../../src/index.js';

const account = z.object({ owner: z.string(), balance: z.number().min(0) });

/** Wraps a validator to record every value it is asked to validate. */
function counting(inner: StandardSchemaV1): { schema: StandardSchemaV1; seen: unknown[] } {
  const seen: unknown[] = [];
  const schema: StandardSchemaV1 = {
    '~standard': {
      version: 1,
      vendor: 'counting',
      validate: (value) => {
        seen.push(value);
        return inner['~standard'].validate(value);
      },
    },
  };
  return { schema, seen };
}

function accountsOf(records: number): Record<string, { owner: string; balance: number }> {
  const accounts: Record<string, { owner: string; balance: number }> = {};
  for (let i = 0; i < records; i++) accounts[`acc${i}`] = { owner: `user${i}`, balance: i };
  return accounts;
}

const deposit = process({ name: 'deposit', inputs: ['domain.accounts'], outputs: ['domain.accounts'] }, (ctx, args: { id: string; amount: number }) => {
  ctx.domain.accounts[args.id].balance += args.amount;
});
const setStatus = process({ name: 'setStatus', outputs: ['domain.status'] }, (_ctx, args: { status: string }) => args.status);

function makeEngine(records: number) {
  const perRecord = counting(account);
  const whole = counting(z.object({ accounts: z.record(z.string(), z.unknown()), status: z.string() }));
  const engine = new TheusEngine({ domain: { accounts: accountsOf(records), status: 'open' } }, { schema: { domain: whole.schema, 'domain.accounts.*': perRecord.schema } });
  engine.register(deposit).register(setStatus);
  return { engine, perRecord: perRecord.seen, whole: whole.seen };
}

describe.each([1_000, 10_000])('a %i-record state', (records) => {
  it('construction validates the initial state once: every record, and the root', () => {
    const { perRecord, whole } = makeEngine(records);
    expect(perRecord).toHaveLength(records);
    expect(whole).toHaveLength(1);
  });

  it('a one-record change validates that record only, on every commit path', async () => {
    const { engine, perRecord, whole } = makeEngine(records);
    const paths: [string, () => unknown][] = [
      ['execute', () => engine.execute('deposit', { id: 'acc7', amount: 1 })],
      ['edit', () => engine.edit((ctx) => void (ctx.domain.accounts.acc7.balance += 1))],
      ['compareAndSwap', () => engine.compareAndSwap(engine.state.version, { data: { 'domain.accounts.acc7.balance': 1_000 } })],
      ['transaction', () => engine.transaction(async (tx) => void (tx.domain.accounts.acc7.balance += 1))],
    ];
    for (const [label, run] of paths) {
      perRecord.length = 0;
      whole.length = 0;
      await run();
      expect({ label, perRecord: perRecord.length, whole: whole.length }).toEqual({ label, perRecord: 1, whole: 1 });
      expect(perRecord[0]).toEqual(engine.state.domain.accounts.acc7);
    }
    expect(engine.state.version).toBe(4);
  });

  it('a change outside the records calls no per-record validator; several new records call it once each', async () => {
    const { engine, perRecord } = makeEngine(records);
    perRecord.length = 0;
    await engine.execute('setStatus', { status: 'closed' });
    expect(perRecord).toHaveLength(0);
    engine.edit((ctx) => {
      ctx.domain.accounts.n1 = { owner: 'a', balance: 1 };
      ctx.domain.accounts.n2 = { owner: 'b', balance: 2 };
      ctx.domain.accounts.n3 = { owner: 'c', balance: 3 };
    });
    expect(perRecord).toHaveLength(3);
  });
});
