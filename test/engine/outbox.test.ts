/**
 * The transactional outbox in memory: a message commits with the state change that added it, or
 * not at all; retried, conflicting and failed attempts leave none.
 */
import { describe, expect, it } from 'vitest';
import { TheusEngine, process } from '../../src/index.js';
import type { OutboxMessage } from '../../src/storage/store.js';
import { rejectsCode, tick, trackedEngines } from './helpers.js';

const make = trackedEngines();

async function deliveredBy(engine: TheusEngine): Promise<OutboxMessage[]> {
  const got: OutboxMessage[] = [];
  await engine.processOutbox((m) => void got.push(m));
  return got;
}

describe('ctx.outbox.add', () => {
  it('20 concurrent producers on one counter, every fifth throwing after adding: exactly one message per successful execution', async () => {
    const engine = make({ domain: { n: 0 } }, { maxRetries: 100, backoffMaxMs: 2 });
    const produce = process({ name: 'produce', inputs: ['domain.n'], outputs: ['domain.n'] }, async (ctx, i: number) => {
      const n = ctx.domain.n as number;
      ctx.outbox.add('order.placed', { i, n });
      await tick();
      if (i % 5 === 4) throw new Error(`producer ${i} fails after adding`);
      ctx.domain.n = n + 1;
    });
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => engine.execute(produce, i)));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    expect(ok).toBe(16);
    expect(engine.metrics().retries).toBeGreaterThan(0);
    const got = await deliveredBy(engine);
    expect(got).toHaveLength(16);
    expect(new Set(got.map((m) => (m.payload as { i: number }).i)).size).toBe(16);
    expect(got.every((m) => (m.payload as { i: number }).i % 5 !== 4)).toBe(true);
    // Commit order: each message carries the version of its commit, increasing.
    expect(got.map((m) => m.version)).toEqual([...got.map((m) => m.version)].sort((a, b) => a - b));
    expect(await engine.outbox.pending()).toBe(0);
  });

  it('a slow attempt that loses to a fast one and re-runs delivers exactly one message', async () => {
    const engine = make({ domain: { n: 0 } });
    let runs = 0;
    const slow = process({ name: 'slow', inputs: ['domain.n'], outputs: ['domain.n'] }, async (ctx) => {
      runs++;
      const n = ctx.domain.n as number;
      ctx.outbox.add('slow', { run: runs });
      await tick();
      await tick();
      ctx.domain.n = n + 10;
    });
    const fast = process({ name: 'fast', inputs: ['domain.n'], outputs: ['domain.n'] }, (ctx) => {
      ctx.domain.n = (ctx.domain.n as number) + 1;
      ctx.outbox.add('fast', {});
    });
    const s = engine.execute(slow);
    await tick();
    await engine.execute(fast);
    await s;
    expect(runs).toBe(2);
    expect(engine.state.domain.n).toBe(11);
    const got = await deliveredBy(engine);
    expect(got.map((m) => m.topic)).toEqual(['fast', 'slow']);
    expect(got[1]!.payload).toEqual({ run: 2 });
  });

  it('the payload is copied at add: mutating the caller’s object later changes nothing', async () => {
    const engine = make({ domain: { n: 0 } });
    const payload = { items: [1] };
    await engine.execute(process({ name: 'p', outputs: ['domain.n'] }, (ctx) => {
      ctx.outbox.add('t', payload);
      ctx.domain.n = 1;
    }));
    payload.items.push(2);
    expect((await deliveredBy(engine))[0]!.payload).toEqual({ items: [1] });
  });

  it('a message alone (no state change) commits a version; bad topics are refused', async () => {
    const engine = make({ domain: {} });
    await engine.execute(process({ name: 'only', outputs: [] }, (ctx) => ctx.outbox.add('ping', 1)));
    expect(engine.state.version).toBe(1);
    for (const bad of ['', '__proto__', 'x'.repeat(300), 42]) {
      await rejectsCode(engine.execute(process({ name: 'bad', outputs: [] }, (ctx) => ctx.outbox.add(bad as string, 1))), 'INVALID_ARGUMENT');
    }
    expect(engine.state.version).toBe(1);
  });
});

describe('tx.outbox.add', () => {
  it('commits with transaction(fn); a rolled-back or conflicting transaction leaves none', async () => {
    const engine = make({ domain: { n: 0 } });
    await engine.transaction((tx) => {
      tx.domain.n = 1;
      tx.outbox.add('kept', 1);
    });
    await engine.transaction((tx) => {
      tx.outbox.add('thrown', 1);
      throw new Error('no');
    }).catch(() => undefined);
    const tx = engine.transaction();
    const n = tx.domain.n as number;
    tx.outbox.add('conflicting', 1);
    engine.edit((c) => void (c.domain.n = 5));
    tx.domain.n = n + 1;
    expect(() => tx.commit()).toThrow(expect.objectContaining({ code: 'CAS_VERSION_MISMATCH' }));
    expect((await deliveredBy(engine)).map((m) => m.topic)).toEqual(['kept']);
  });
});

describe('attachWorker', () => {
  it('delivers in commit order, retries a throwing handler, then dead-letters; redrive delivers again', async () => {
    const engine = make({ domain: { n: 0 } });
    const seen: string[] = [];
    let failPoison = true;
    const stop = engine.attachWorker(
      (m) => {
        if (m.topic === 'poison' && failPoison) throw new Error('cannot handle');
        seen.push(`${m.topic}@${m.attempts}`);
      },
      { maxAttempts: 3, backoffMs: 1, maxBackoffMs: 2, pollMs: 5 },
    );
    const add = process({ name: 'add', outputs: ['domain.n'] }, (ctx, topic: string) => {
      ctx.domain.n = (ctx.domain.n as number) + 1;
      ctx.outbox.add(topic, {});
    });
    await engine.execute(add, 'a');
    await engine.execute(add, 'poison');
    await engine.execute(add, 'b');
    await engine.processOutbox();
    expect(seen.filter((s) => !s.startsWith('poison'))).toEqual(['a@1', 'b@1']);
    const dead = await engine.outbox.deadLetters();
    expect(dead.map((d) => [d.topic, d.attempts])).toEqual([['poison', 3]]);
    failPoison = false;
    expect(await engine.outbox.redrive()).toBe(1);
    await engine.processOutbox();
    expect(seen).toContain('poison@1');
    expect(await engine.outbox.deadLetters()).toHaveLength(0);
    await stop();
  });
});

describe('history and stateAt (in memory)', () => {
  it('list committed records with their process and rebuild old versions (historyLimit)', async () => {
    const engine = make({ domain: { n: 0 } }, { historyLimit: 2 });
    const inc = process({ name: 'inc', inputs: ['domain.n'], outputs: ['domain.n'] }, (ctx) => void (ctx.domain.n += 1));
    await engine.execute(inc);
    engine.edit((c) => void (c.domain.n = 10));
    await engine.execute(inc);
    const records = [];
    for await (const r of engine.history()) records.push([r.version, r.process]);
    expect(records).toEqual([
      [2, null],
      [3, 'inc'],
    ]);
    expect(await engine.stateAt(1)).toBeUndefined(); // beyond historyLimit
    expect((await engine.stateAt(2))?.domain.n).toBe(10);
    expect((await engine.stateAt(3))?.domain.n).toBe(11);
    // Without historyLimit nothing is kept: recording costs nothing on the commit path.
    const bare = make({ domain: { n: 0 } });
    await bare.execute(inc);
    const none = [];
    for await (const r of bare.history()) none.push(r);
    expect(none).toEqual([]);
    // A tool attaching later turns recording on from the current version.
    bare.historyLimit = 10;
    await bare.execute(inc);
    expect((await bare.stateAt(1))?.domain.n).toBe(1);
    expect((await bare.stateAt(2))?.domain.n).toBe(2);
    expect(() => (bare.historyLimit = -1)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
