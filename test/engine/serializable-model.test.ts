/**
 * Model test: random concurrent mixes of execute, transaction(fn), edit, compareAndSwap (and, in a
 * smaller run, parallel processes) end in a state some serial order of the successful operations
 * would produce: money conserved, no overdraft (no stale read or write skew), no lost update.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { TheusEngine, process } from '../../src/index.js';
import { ptransfer } from './fixtures/parallel-transfer.js';

type Kind = 'execute' | 'transaction' | 'edit' | 'cas' | 'parallel';
interface Op {
  readonly kind: Kind;
  readonly from: 'a' | 'b' | 'c';
  readonly to: 'a' | 'b' | 'c';
  readonly amount: number;
  readonly delay: number;
}

const ACCOUNTS = ['a', 'b', 'c'] as const;
const initial = () => ({ domain: { acc: { a: 50, b: 50, c: 50 }, count: 0 } });

/** Whether the last attempt of each execute applied its transfer (the committed attempt is the last). */
const reports = new Map<number, boolean>();
let nextId = 0;

const transfer = process(
  { name: 'transfer', inputs: ['domain.acc', 'domain.count'], outputs: ['domain.acc', 'domain.count'] },
  async (ctx, op: Op & { id: number }) => {
    const balance = ctx.domain.acc[op.from] as number;
    await new Promise((r) => setImmediate(r));
    const applied = balance >= op.amount;
    reports.set(op.id, applied);
    if (!applied) return;
    ctx.domain.acc[op.from] = balance - op.amount;
    ctx.domain.acc[op.to] += op.amount;
    ctx.domain.count += 1;
  },
);

const pause = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/** Runs one operation; resolves with whether it applied its transfer. */
async function run(engine: TheusEngine, op: Op): Promise<boolean> {
  await pause(op.delay);
  switch (op.kind) {
    case 'execute': {
      const id = nextId++;
      await engine.execute(transfer, { ...op, id });
      return reports.get(id) === true;
    }
    case 'parallel':
      return ((await engine.execute(ptransfer, op)) as unknown[])[1] === 'applied';
    case 'transaction': {
      let applied = false;
      await engine.transaction(async (tx) => {
        const balance = tx.domain.acc[op.from] as number;
        await pause(1);
        applied = balance >= op.amount;
        if (!applied) return;
        tx.domain.acc[op.from] = balance - op.amount;
        tx.domain.acc[op.to] += op.amount;
        tx.domain.count += 1;
      });
      return applied;
    }
    case 'edit': {
      let applied = false;
      engine.edit((ctx) => {
        applied = ctx.domain.acc[op.from] >= op.amount;
        if (!applied) return;
        ctx.domain.acc[op.from] -= op.amount;
        ctx.domain.acc[op.to] += op.amount;
        ctx.domain.count += 1;
      });
      return applied;
    }
    case 'cas': {
      const seen = engine.state;
      const acc = seen.domain.acc as Record<string, number>;
      await pause(1);
      if (acc[op.from]! < op.amount) return false;
      engine.compareAndSwap(seen.version, {
        data: { [`domain.acc.${op.from}`]: acc[op.from]! - op.amount, [`domain.acc.${op.to}`]: acc[op.to]! + op.amount, 'domain.count': (seen.domain.count as number) + 1 },
      });
      return true;
    }
  }
}

function opArb(kinds: readonly Kind[]): fc.Arbitrary<Op> {
  return fc
    .record({
      kind: fc.constantFrom(...kinds),
      from: fc.constantFrom(...ACCOUNTS),
      to: fc.constantFrom(...ACCOUNTS),
      amount: fc.integer({ min: 1, max: 40 }),
      delay: fc.integer({ min: 0, max: 4 }),
    })
    .filter((o) => o.from !== o.to);
}

async function check(engine: TheusEngine, ops: readonly Op[]): Promise<void> {
  const settled = await Promise.allSettled(ops.map((op) => run(engine, op)));
  const expected: Record<string, number> = { a: 50, b: 50, c: 50 };
  let applied = 0;
  settled.forEach((s, i) => {
    if (s.status === 'rejected') {
      // Only a lost optimistic commit (transaction, CAS) or a refused lane may fail, never silently.
      expect(['CAS_VERSION_MISMATCH', 'SYSTEM_BUSY']).toContain((s.reason as { code?: string }).code);
      return;
    }
    if (!s.value) return;
    const op = ops[i]!;
    expected[op.from]! -= op.amount;
    expected[op.to]! += op.amount;
    applied++;
  });
  const acc = engine.state.domain.acc as Record<string, number>;
  // The successful transfers, applied in any order, give exactly this state (they commute); had an
  // update been lost or a stale balance been used, the totals or the count would disagree.
  expect(acc).toEqual(expected);
  expect(engine.state.domain.count).toBe(applied);
  expect(acc.a! + acc.b! + acc.c!).toBe(150);
  for (const k of ACCOUNTS) expect(acc[k]).toBeGreaterThanOrEqual(0);
}

describe('serializable outcome of concurrent routes', () => {
  it('execute, transaction(fn), edit and compareAndSwap', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb(['execute', 'transaction', 'edit', 'cas']), { minLength: 2, maxLength: 14 }), async (ops) => {
        const engine = new TheusEngine(initial(), { maxRetries: 200, backoffMaxMs: 2 });
        try {
          await check(engine, ops);
        } finally {
          await engine.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  describe('with parallel processes', () => {
    const engine = new TheusEngine(initial(), { maxRetries: 200, backoffMaxMs: 2, workers: { maxThreads: 2, minThreads: 1 } });
    afterAll(() => engine.close());

    it('a worker transfer commits through the same checks', { timeout: 120_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb(['execute', 'parallel', 'transaction', 'cas']), { minLength: 2, maxLength: 6 }), async (ops) => {
          engine.edit((ctx) => {
            ctx.domain.acc = { a: 50, b: 50, c: 50 };
            ctx.domain.count = 0;
          });
          await check(engine, ops);
        }),
        { numRuns: 4 },
      );
    });
  });
});
