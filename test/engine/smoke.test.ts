import { describe, expect, it } from 'vitest';
import { TheusEngine, process, PermissionDeniedError, StateUpdate } from '../../src/index.js';

const transfer = process({ inputs: ['domain.accounts'], outputs: ['domain.accounts'], semantic: 'effect' }, (ctx, args: { from: string; to: string; amount: number }) => {
  if (args.amount <= 0) throw new RangeError('amount must be positive');
  ctx.domain.accounts[args.from] -= args.amount;
  ctx.domain.accounts[args.to] = (ctx.domain.accounts[args.to] ?? 0) + args.amount;
});

describe('engine smoke', () => {
  it('runs transfer', async () => {
    const engine = new TheusEngine({ domain: { accounts: { alice: 100 } } });
    engine.register(transfer);
    await engine.execute('transfer', { from: 'alice', to: 'bob', amount: 5 });
    expect(engine.state.domain.accounts).toEqual({ alice: 95, bob: 5 });
    expect(engine.state.version).toBe(1);
    await expect(engine.execute(transfer, { from: 'alice', to: 'bob', amount: -1 })).rejects.toThrow(RangeError);
    expect(engine.state.version).toBe(1);
  });

  it('concurrent increments', async () => {
    const engine = new TheusEngine({ domain: { n: 0, a: 0, b: 0 } });
    const inc = process({ name: 'inc', inputs: ['domain.n'], outputs: ['domain.n'] }, async (ctx) => {
      const v = ctx.domain.n;
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      ctx.domain.n = v + 1;
    });
    await Promise.all(Array.from({ length: 30 }, () => engine.execute(inc)));
    expect(engine.state.domain.n).toBe(30);
    const m = engine.metrics();
    expect(m.commits).toBe(30);
    const wa = process({ name: 'wa', outputs: ['domain.a'] }, async (ctx) => { await null; ctx.domain.a = 1; });
    const wb = process({ name: 'wb', outputs: ['domain.b'] }, async (ctx) => { await null; ctx.domain.b = 1; });
    const before = engine.metrics().retries;
    await Promise.all([engine.execute(wa), engine.execute(wb)]);
    expect(engine.metrics().retries).toBe(before);
    expect(engine.state.domain).toMatchObject({ a: 1, b: 1 });
  });

  it('guards', async () => {
    const engine = new TheusEngine({ domain: { a: 1, b: 2 } });
    const bad = process({ name: 'bad', inputs: ['domain.a'], outputs: ['domain.a'] }, (ctx) => { ctx.domain.b = 3; });
    await expect(engine.execute(bad)).rejects.toThrow(PermissionDeniedError);
    const r = process({ name: 'r', inputs: ['domain.a'] }, (ctx) => ctx.domain.b);
    await expect(engine.execute(r)).rejects.toThrow(PermissionDeniedError);
    const ret = process({ name: 'ret', outputs: ['domain.a', 'domain.b'] }, () => [10, undefined]);
    await engine.execute(ret);
    expect(engine.state.domain).toEqual({ a: 10, b: 2 });
    const su = process({ name: 'su', outputs: ['domain.c'] }, () => StateUpdate({ data: { 'domain.c': { x: 1 } } }));
    await engine.execute(su);
    expect(engine.state.domain.c).toEqual({ x: 1 });
  });
});
