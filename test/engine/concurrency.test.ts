/**
 * Concurrency: key-level optimistic commits, retries, the priority lane, and the guarantees a
 * user relies on — the final state equals a serial order, failed or retried attempts leave no
 * trace (state or signals), nobody starves, disjoint work never retries.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ConflictError, SystemBusyError, TheusEngine, TheusError, process } from '../../src/index.js';
import { expectCode, gate, interleave, pausePoint, rejected, thrown, tick, until } from './helpers.js';

/** 0: no await, 1: a microtask, 2: a macrotask, 3: a short timer. */
async function pause(kind: number): Promise<void> {
  if (kind === 1) await Promise.resolve();
  else if (kind === 2) await tick();
  else if (kind === 3) await new Promise((r) => setTimeout(r, 1));
}

const ACCOUNTS = ['a0', 'a1', 'a2', 'a3'] as const;
const COUNTERS = ['c0', 'c1'] as const;
const INITIAL = 100;

type Op =
  | { kind: 'transfer'; from: number; to: number; amount: number; pauses: number[] }
  | { kind: 'increment'; counter: number; pauses: number[] }
  | { kind: 'faulty'; account: number; pauses: number[] }
  | { kind: 'audit'; pauses: number[] };

const pausesArb = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('transfer' as const), from: fc.integer({ min: 0, max: 3 }), to: fc.integer({ min: 0, max: 3 }), amount: fc.integer({ min: 1, max: 70 }), pauses: pausesArb }),
  fc.record({ kind: fc.constant('increment' as const), counter: fc.integer({ min: 0, max: 1 }), pauses: pausesArb }),
  fc.record({ kind: fc.constant('faulty' as const), account: fc.integer({ min: 0, max: 3 }), pauses: pausesArb }),
  fc.record({ kind: fc.constant('audit' as const), pauses: pausesArb }),
);

function bankEngine(vipAfter: number) {
  const engine = new TheusEngine(
    { domain: { accounts: Object.fromEntries(ACCOUNTS.map((a) => [a, INITIAL])), counters: Object.fromEntries(COUNTERS.map((c) => [c, 0])) } },
    { vipAfter, backoffBaseMs: 0.5, backoffMaxMs: 4 },
  );
  const attempts = new Map<number, number>();
  const attempt = (id: number) => {
    const n = (attempts.get(id) ?? 0) + 1;
    attempts.set(id, n);
    return n;
  };
  const pick = (pauses: number[], n: number, i: number) => pauses[(n + i) % pauses.length]!;

  const transfer = process(
    { name: 'transfer', inputs: ['domain.accounts'], outputs: ['domain.accounts', 'signal.done'] },
    async (ctx, args: { id: number; from: string; to: string; amount: number; pauses: number[] }) => {
      const n = attempt(args.id);
      const balance = ctx.domain.accounts[args.from] as number;
      await pause(pick(args.pauses, n, 0));
      if (balance < args.amount) throw new RangeError(`insufficient funds in ${args.from}`);
      ctx.domain.accounts[args.from] = balance - args.amount;
      await pause(pick(args.pauses, n, 1));
      ctx.domain.accounts[args.to] += args.amount;
      ctx.signal.done = args.id;
    },
  );
  const increment = process({ name: 'increment', inputs: ['domain.counters'], outputs: ['domain.counters', 'signal.done'] }, async (ctx, args: { id: number; counter: string; pauses: number[] }) => {
    const n = attempt(args.id);
    const v = ctx.domain.counters[args.counter] as number;
    await pause(pick(args.pauses, n, 0));
    ctx.domain.counters[args.counter] = v + 1;
    ctx.signal.done = args.id;
  });
  const faulty = process({ name: 'faulty', outputs: ['domain.accounts', 'domain.counters', 'signal.done'] }, async (ctx, args: { id: number; account: string; pauses: number[] }) => {
    const n = attempt(args.id);
    ctx.domain.accounts[args.account] = -999;
    ctx.domain.counters.c0 = -999;
    ctx.signal.done = args.id;
    await pause(pick(args.pauses, n, 0));
    throw new Error('faulty');
  });
  const audit = process({ name: 'audit', inputs: ['domain.accounts'] }, async (ctx, args: { id: number; pauses: number[] }) => {
    const n = attempt(args.id);
    const first = ctx.domain.accounts.a0 as number;
    await pause(pick(args.pauses, n, 0));
    let sum = first;
    for (const a of ACCOUNTS.slice(1)) sum += ctx.domain.accounts[a] as number;
    return sum;
  });
  return { engine, attempts, transfer, increment, faulty, audit };
}

describe('random mixes of async transfers, increments, failures and readers (fast-check)', () => {
  it('end in a state equal to a serial order of the successful operations; failed attempts leave no trace', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 24 }), fc.integer({ min: 1, max: 4 }), async (ops, vipAfter) => {
        const { engine, attempts, transfer, increment, faulty, audit } = bankEngine(vipAfter);
        const published: { id: unknown; version: number }[] = [];
        engine.signals.subscribe('done', (m) => published.push({ id: m.payload, version: m.version }));
        const results = await Promise.allSettled(
          ops.map((op, id) => {
            switch (op.kind) {
              case 'transfer':
                return engine.execute(transfer, { id, from: ACCOUNTS[op.from], to: ACCOUNTS[op.to], amount: op.amount, pauses: op.pauses });
              case 'increment':
                return engine.execute(increment, { id, counter: COUNTERS[op.counter], pauses: op.pauses });
              case 'faulty':
                return engine.execute(faulty, { id, account: ACCOUNTS[op.account], pauses: op.pauses });
              case 'audit':
                return engine.execute(audit, { id, pauses: op.pauses });
            }
          }),
        );

        const final = engine.state.domain;
        // Nobody lost to conflicts: the priority lane bounds each call's conflicts by vipAfter.
        for (const [id, r] of results.entries()) {
          if (r.status === 'rejected') {
            const op = ops[id]!;
            if (op.kind === 'faulty') expect((r.reason as Error).message).toBe('faulty');
            else expect([op.kind, r.reason]).toEqual(['transfer', expect.any(RangeError)]);
          }
          expect(attempts.get(id)! - 1).toBeLessThanOrEqual(vipAfter);
        }
        // Readers always saw a consistent snapshot.
        ops.forEach((op, id) => {
          if (op.kind === 'audit') expect(results[id]).toEqual({ status: 'fulfilled', value: ACCOUNTS.length * INITIAL });
        });
        // Exactly one signal per successful signalling execution, none for failed attempts, in commit order.
        const succeeded = ops.map((op, id) => ({ op, id })).filter(({ op, id }) => results[id]!.status === 'fulfilled' && (op.kind === 'transfer' || op.kind === 'increment'));
        expect(published.map((p) => p.id).sort((x, y) => (x as number) - (y as number))).toEqual(succeeded.map((s) => s.id));
        // Replaying the successful operations serially in commit order gives the final state, and
        // every transfer was valid at its place in that order.
        const model = { accounts: Object.fromEntries(ACCOUNTS.map((a) => [a, INITIAL])) as Record<string, number>, counters: { c0: 0, c1: 0 } as Record<string, number> };
        for (const { id } of [...published].sort((x, y) => x.version - y.version)) {
          const op = ops[id as number]!;
          if (op.kind === 'transfer') {
            const from = ACCOUNTS[op.from]!;
            const to = ACCOUNTS[op.to]!;
            expect(model.accounts[from]!).toBeGreaterThanOrEqual(op.amount);
            model.accounts[from]! -= op.amount;
            model.accounts[to]! += op.amount;
          } else if (op.kind === 'increment') model.counters[COUNTERS[op.counter]!]! += 1;
        }
        expect(final).toEqual(model);
        const total = Object.values(final.accounts as Record<string, number>).reduce((s, v) => s + v, 0);
        expect(total).toBe(ACCOUNTS.length * INITIAL);
        expect(final.counters.c0 + final.counters.c1).toBe(ops.filter((o) => o.kind === 'increment').length);
        // Versions: one per successful writing execution.
        expect(engine.state.version).toBe(new Set(published.map((p) => p.version)).size);
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});

describe('starvation and the priority lane', () => {
  it('a hot counter under 50 concurrent writers finishes exactly, each within vipAfter conflicts (default maxRetries)', async () => {
    for (const vipAfter of [1, 2, 3]) {
      const engine = new TheusEngine({ domain: { n: 0 } }, { vipAfter });
      const runs = new Map<number, number>();
      const inc = process({ name: 'hot', inputs: ['domain.n'], outputs: ['domain.n'] }, async (ctx, args: { id: number }) => {
        runs.set(args.id, (runs.get(args.id) ?? 0) + 1);
        const v = ctx.domain.n;
        await new Promise((r) => setTimeout(r, args.id % 3));
        ctx.domain.n = v + 1;
      });
      await Promise.all(Array.from({ length: 50 }, (_, id) => engine.execute(inc, { id })));
      expect(engine.state.domain.n).toBe(50);
      expect(engine.state.version).toBe(50);
      expect(Math.max(...runs.values()) - 1).toBeLessThanOrEqual(vipAfter);
      const m = engine.metrics();
      expect(m.commits).toBe(50);
      expect(m.rollbacks).toBe(0);
      expect(m.retries).toBe(m.conflicts);
      expect(m.vipGrants).toBeGreaterThan(0);
      expect(engine.metaLog({ kind: 'vip' }).length).toBe(m.vipGrants);
    }
  });

  it('while a VIP holds the lane: other commits wait; compareAndSwap, edit and tx.commit() throw SystemBusyError', async () => {
    const engine = new TheusEngine({ domain: { n: 0, other: 0 } }, { vipAfter: 1, maxRetries: 5 });
    const gates = [gate(), gate()];
    let attempt = 0;
    const vip = process({ name: 'vip', inputs: ['domain.n'], outputs: ['domain.n'] }, async (ctx) => {
      const g = gates[attempt++]!;
      const v = ctx.domain.n;
      await g.promise;
      ctx.domain.n = v + 1;
    });
    const quick = process({ name: 'quick', outputs: ['domain.other'] }, (ctx) => void (ctx.domain.other = 1));
    const run = engine.execute(vip);
    await until(() => attempt >= 1);
    engine.edit((c) => void (c.domain.n = 100)); // makes the first attempt conflict
    gates[0]!.open();
    await until(() => attempt >= 2); // second attempt running, lane held
    expect(engine.metrics().vipGrants).toBe(1);

    const tx = engine.transaction();
    tx.domain.other = 5;
    expectCode(thrown(() => engine.compareAndSwap(engine.state.version, { data: { 'domain.other': 2 } })), 'SYSTEM_BUSY', SystemBusyError);
    expectCode(thrown(() => engine.edit((c) => void (c.domain.other = 3))), 'SYSTEM_BUSY', SystemBusyError);
    expectCode(thrown(() => tx.commit()), 'SYSTEM_BUSY', SystemBusyError);

    let quickDone = false;
    const q = engine.execute(quick).then(() => (quickDone = true));
    for (let i = 0; i < 5; i++) await tick();
    expect(quickDone).toBe(false); // waiting at commit behind the VIP
    expect(engine.state.domain.other).toBe(0);

    gates[1]!.open();
    await run;
    await q;
    expect(engine.state.domain).toEqual({ n: 101, other: 1 });
    // Lane released: manual commits work again.
    engine.compareAndSwap(engine.state.version, { data: { 'domain.other': 2 } });
    expect(engine.state.domain.other).toBe(2);
  });

  it('the lane is released when the VIP fails with a business error', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } }, { vipAfter: 1 });
    const g = gate();
    let attempt = 0;
    const p = process({ name: 'p', inputs: ['domain.n'], outputs: ['domain.n'] }, async (ctx) => {
      attempt++;
      const v = ctx.domain.n;
      if (attempt === 1) await g.promise;
      if (attempt === 2) throw new Error('gave up');
      ctx.domain.n = v + 1;
    });
    const run = engine.execute(p);
    await until(() => attempt >= 1);
    engine.edit((c) => void (c.domain.n = 5));
    g.open();
    expect(((await rejected(run)) as Error).message).toBe('gave up');
    engine.edit((c) => void (c.domain.n = 6)); // would be SYSTEM_BUSY if the lane leaked
    expect(engine.state.domain.n).toBe(6);
  });

  it('after maxRetries conflicts → ConflictError with paths and versions; nothing committed by the loser', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } }, { maxRetries: 0 });
    const g = gate();
    let started = false;
    const p = process({ name: 'loser', inputs: ['domain.n'], outputs: ['domain.n'] }, async (ctx) => {
      const v = ctx.domain.n;
      started = true;
      await g.promise;
      ctx.domain.n = v + 1;
    });
    const run = engine.execute(p);
    await until(() => started);
    engine.edit((c) => void (c.domain.n = 10));
    g.open();
    const err = expectCode(await rejected(run), 'CAS_VERSION_MISMATCH', ConflictError);
    expect(err.paths).toEqual(['domain.n']);
    expect(err.expectedVersion).toBe(0);
    expect(err.actualVersion).toBe(1);
    expect(err.message).toContain('loser');
    expect(engine.state.domain.n).toBe(10);
    expect(engine.metrics().byProcess.loser).toEqual({ commits: 0, rollbacks: 1, conflicts: 1, retries: 0, vipGrants: 0 });
  });
});

describe('key-level conflict detection', () => {
  it('disjoint keys never retry (20 concurrent writers, each on its own key)', async () => {
    const engine = new TheusEngine({ domain: { slots: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 0])) } });
    const bump = process({ name: 'bump', inputs: ['domain.slots'], outputs: ['domain.slots'] }, async (ctx, args: { key: string; pauses: number }) => {
      const v = ctx.domain.slots[args.key];
      for (let i = 0; i < args.pauses; i++) await tick();
      ctx.domain.slots[args.key] = v + 1;
    });
    await Promise.all(Array.from({ length: 20 }, (_, i) => engine.execute(bump, { key: `k${i}`, pauses: i % 4 })));
    expect(Object.values(engine.state.domain.slots)).toEqual(Array(20).fill(1));
    expect(engine.metrics()).toMatchObject({ commits: 20, conflicts: 0, retries: 0 });
  });

  it('transfers between disjoint account pairs never retry', async () => {
    const engine = new TheusEngine({ domain: { accounts: { a: 10, b: 10, c: 10, d: 10 } } });
    const transfer = process({ name: 'transfer', inputs: ['domain.accounts'], outputs: ['domain.accounts'] }, async (ctx, args: { from: string; to: string }) => {
      ctx.domain.accounts[args.from] -= 1;
      await tick();
      ctx.domain.accounts[args.to] += 1;
    });
    await Promise.all([engine.execute(transfer, { from: 'a', to: 'b' }), engine.execute(transfer, { from: 'c', to: 'd' })]);
    expect(engine.state.domain.accounts).toEqual({ a: 9, b: 11, c: 9, d: 11 });
    expect(engine.metrics().retries).toBe(0);
  });

  it('INC-028: two concurrent increments with an await between read and write → 2, more than 2 executions', async () => {
    const engine = new TheusEngine({ domain: { counter: 0 } });
    let runs = 0;
    const increment = process({ name: 'increment', inputs: ['domain.counter'], outputs: ['domain.counter'] }, async (ctx) => {
      runs++;
      const v = ctx.domain.counter;
      await tick();
      return v + 1;
    });
    await Promise.all([engine.execute(increment), engine.execute(increment)]);
    expect(engine.state.domain.counter).toBe(2);
    expect(runs).toBeGreaterThan(2);
  });

  it('INC-028: writers of domain.a and domain.b both survive, version +2; five writers of one field → value one of theirs', async () => {
    const engine = new TheusEngine({ domain: { a: 0, b: 0, f: 0 } });
    const wa = process({ name: 'wa', outputs: ['domain.a'] }, async () => (await tick(), 1));
    const wb = process({ name: 'wb', outputs: ['domain.b'] }, async () => (await tick(), 1));
    await Promise.all([engine.execute(wa), engine.execute(wb)]);
    expect(engine.state.domain).toMatchObject({ a: 1, b: 1 });
    expect(engine.state.version).toBe(2);
    let runs = 0;
    const wf = process({ name: 'wf', inputs: ['domain.f'], outputs: ['domain.f'] }, async (ctx, v: number) => {
      runs++;
      void ctx.domain.f;
      await tick();
      return v;
    });
    await Promise.all([1, 2, 3, 4, 5].map((v) => engine.execute(wf, v)));
    expect(runs).toBeGreaterThanOrEqual(5);
    expect([1, 2, 3, 4, 5]).toContain(engine.state.domain.f);
  });

  it('a blind write (no read) of a field changed meanwhile still conflicts (written keys are checked)', async () => {
    const engine = new TheusEngine({ domain: { x: 0 } });
    const point = pausePoint();
    let runs = 0;
    const blind = process({ name: 'blind', outputs: ['domain.x'] }, async (ctx) => {
      runs++;
      ctx.domain.x = 42;
      await point.here();
    });
    await interleave(point, () => engine.execute(blind), () => engine.edit((c) => void (c.domain.x = 99)));
    expect(runs).toBe(2);
    expect(engine.state.domain.x).toBe(42);
  });

  it('reads are tracked: a write based on a value that changed meanwhile re-runs (no write skew)', async () => {
    const engine = new TheusEngine({ domain: { a: 1, b: 0 } });
    const point = pausePoint();
    let runs = 0;
    const derive = process({ name: 'derive', inputs: ['domain.a'], outputs: ['domain.b'] }, async (ctx) => {
      runs++;
      const a = ctx.domain.a;
      await point.here();
      ctx.domain.b = a * 2;
    });
    await interleave(point, () => engine.execute(derive), () => engine.edit((c) => void (c.domain.a = 5)));
    expect(engine.state.domain.b).toBe(10);
    expect(runs).toBe(2);
  });

  it('key-set reads conflict with added keys', async () => {
    const engine = new TheusEngine({ domain: { accounts: { alice: 1 }, count: 0 } });
    const point = pausePoint();
    let runs = 0;
    const countAccounts = process({ name: 'countAccounts', inputs: ['domain.accounts'], outputs: ['domain.count'] }, async (ctx) => {
      runs++;
      const n = Object.keys(ctx.domain.accounts).length;
      await point.here();
      return n;
    });
    await interleave(point, () => engine.execute(countAccounts), () => engine.edit((c) => void (c.domain.accounts.bob = 2)));
    expect(engine.state.domain.count).toBe(2);
    expect(runs).toBe(2);
  });

  it('reading one key does not conflict with adding another', async () => {
    const engine = new TheusEngine({ domain: { accounts: { alice: 1 }, count: 0 } });
    const point = pausePoint();
    let runs = 0;
    const readAlice = process({ name: 'readAlice', inputs: ['domain.accounts'], outputs: ['domain.count'] }, async (ctx) => {
      runs++;
      const v = ctx.domain.accounts.alice;
      await point.here();
      return v * 100;
    });
    await interleave(point, () => engine.execute(readAlice), () => engine.edit((c) => void (c.domain.accounts.carol = 3)));
    expect(runs).toBe(1);
    expect(engine.state.domain.count).toBe(100);
    expect(engine.state.domain.accounts).toEqual({ alice: 1, carol: 3 });
  });

  it('presence reads conflict: "is bob there?" re-runs when bob is added meanwhile', async () => {
    const engine = new TheusEngine({ domain: { accounts: { alice: 1 }, note: '' } });
    const point = pausePoint();
    const check = process({ name: 'check', inputs: ['domain.accounts'], outputs: ['domain.note'] }, async (ctx) => {
      const has = 'bob' in ctx.domain.accounts;
      await point.here();
      return has ? 'bob exists' : 'no bob';
    });
    await interleave(point, () => engine.execute(check), () => engine.edit((c) => void (c.domain.accounts.bob = 0)));
    expect(engine.state.domain.note).toBe('bob exists');
  });

  it('positions inside arrays conflict at the array', async () => {
    const engine = new TheusEngine({ domain: { items: ['x'], first: '' } });
    const point = pausePoint();
    let runs = 0;
    const first = process({ name: 'first', inputs: ['domain.items'], outputs: ['domain.first'] }, async (ctx) => {
      runs++;
      const f = ctx.domain.items[0];
      await point.here();
      return f;
    });
    await interleave(point, () => engine.execute(first), () => engine.edit((c) => void c.domain.items.unshift('new head')));
    expect(engine.state.domain.first).toBe('new head');
    expect(runs).toBe(2);
  });

  it('a non-conflicting concurrent commit is merged (rebased), not retried', async () => {
    const engine = new TheusEngine({ domain: { list: [1], cfg: { a: 1, b: 1 } } });
    const point = pausePoint();
    let runs = 0;
    const p = process({ name: 'p', outputs: ['domain.list', 'domain.cfg.a'] }, async (ctx) => {
      runs++;
      ctx.domain.list.push(2);
      await point.here();
      ctx.domain.cfg.a = 2;
    });
    await interleave(point, () => engine.execute(p), () => engine.edit((c) => void (c.domain.cfg.b = 9)));
    expect(runs).toBe(1);
    expect(engine.state.domain).toEqual({ list: [1, 2], cfg: { a: 2, b: 9 } });
    expect(engine.state.version).toBe(2);
  });

  it('snapshot isolation: a reader sees its snapshot across awaits while a writer commits', async () => {
    const engine = new TheusEngine({ domain: { x: 0, list: [] as number[] } });
    const point = pausePoint();
    const seen: unknown[] = [];
    const reader = process({ name: 'reader', inputs: ['domain.x', 'domain.list'] }, async (ctx) => {
      const list = ctx.domain.list;
      seen.push(ctx.domain.x);
      await point.here();
      await tick();
      seen.push(ctx.domain.x, [...list], ctx.domain.list.length);
    });
    await interleave(point, () => engine.execute(reader), () =>
      engine.edit((c) => {
        c.domain.x = 99;
        c.domain.list.push(1, 2, 3);
      }),
    );
    expect(seen).toEqual([0, 0, [], 0]);
    expect(engine.state.domain.x).toBe(99);
  });

  it('strictCas: any newer version makes a commit conflict (disjoint keys retry too)', async () => {
    const engine = new TheusEngine({ domain: { a: 0, b: 0 } }, { strictCas: true });
    const point = pausePoint();
    let runs = 0;
    const wa = process({ name: 'wa', outputs: ['domain.a'] }, async (ctx) => {
      runs++;
      await point.here();
      ctx.domain.a = 1;
    });
    await interleave(point, () => engine.execute(wa), () => engine.edit((c) => void (c.domain.b = 1)));
    expect(runs).toBe(2);
    expect(engine.state.domain).toEqual({ a: 1, b: 1 });
    expect(engine.metrics().byProcess.wa!.conflicts).toBe(1);
  });
});

describe('signals under retries', () => {
  it('signals of conflicting attempts are published exactly once, after the winning commit', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } });
    const got: { topic: string; payload: unknown; n: number }[] = [];
    engine.signals.subscribe('*', (m) => got.push({ topic: m.topic, payload: m.payload, n: engine.state.domain.n }));
    let runs = 0;
    const bump = process({ name: 'bump', inputs: ['domain.n'], outputs: ['domain.n', 'signal.bumped'] }, async (ctx, id: number) => {
      runs++;
      const v = ctx.domain.n;
      ctx.signal.bumped = id;
      await tick();
      ctx.domain.n = v + 1;
    });
    await Promise.all(Array.from({ length: 10 }, (_, id) => engine.execute(bump, id)));
    expect(runs).toBeGreaterThan(10);
    expect(got.map((g) => g.payload).sort((a, b) => (a as number) - (b as number))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Each subscriber saw the state its commit produced.
    expect(got.map((g) => g.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('a failing process publishes nothing (INC-023)', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } });
    const got: unknown[] = [];
    engine.signals.subscribe('*', (m) => got.push(m));
    const p = process({ name: 'p', outputs: ['domain.n', 'signal.ready'] }, (ctx) => {
      ctx.signal.ready = true;
      ctx.domain.n = 1;
      throw new TheusError('BUSINESS', 'nope');
    });
    await rejected(engine.execute(p));
    expect(got).toEqual([]);
    expect(engine.state.signals).toEqual({});
  });
});
