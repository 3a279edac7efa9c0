import { afterEach, describe, expect, it } from 'vitest';
import { postgresStore, type PostgresStore } from '../../../src/storage/postgres/index.js';
import type { HistoryRecord } from '../../../src/storage/store.js';
import { entry, freshSchema, key, PG_URL, Proxy, target, until } from './helpers.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function store(schema: string, url = PG_URL!, pollMs = 50): Promise<PostgresStore> {
  const s = postgresStore({ connectionString: url, schema, pollMs, heartbeatMs: 60_000, onError: () => undefined });
  cleanup.push(() => s.close());
  await s.open({ domain: {} });
  return s;
}

describe.skipIf(!PG_URL)('postgres store: follow', () => {
  it('feeds every version in order, exactly once, to every follower', async () => {
    const schema = freshSchema();
    const a = await store(schema);
    const b = await store(schema);
    const seenA: HistoryRecord[] = [];
    const seenB: number[] = [];
    const stopA = a.follow(0, (r) => seenA.push(r));
    cleanup.push(async () => stopA());
    const stopB = b.follow(0, (r) => seenB.push(r.version));
    cleanup.push(async () => stopB());
    for (let i = 0; i < 40; i++) {
      const s = i % 2 ? a : b;
      const [v] = await s.commit([entry(i, { w: [key('domain', `k${i}`)], ops: [{ op: 'add', path: ['domain', `k${i}`], value: new Map([[i, new Date(0)]]) }], signals: [{ topic: 'done', payload: i }] })]);
      expect(v).toEqual({ ok: true, version: i + 1 });
    }
    await until(() => seenA.length === 40 && seenB.length === 40, 'both followers to apply 40 versions');
    expect(seenA.map((r) => r.version)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(seenB).toEqual(seenA.map((r) => r.version));
    expect(seenA[3]!.delta[0]!.value).toEqual(new Map([[3, new Date(0)]]));
    expect(seenA[3]!.signals).toEqual([{ topic: 'done', payload: 3 }]);
    expect(seenA[3]!.process).toBe('p');
  });

  it('a refused commit is answered once the winning versions reached this engine', async () => {
    const schema = freshSchema();
    const mine = await store(schema, PG_URL!, 60_000); // no help from polling
    const other = await store(schema);
    const applied: number[] = [];
    const stop = mine.follow(0, (r) => applied.push(r.version));
    cleanup.push(async () => stop());
    for (let i = 0; i < 5; i++) await other.commit([entry(i, { w: [key('x')] })]);
    const [v] = await mine.commit([entry(0, { r: [key('x')], w: [key('x')] })]);
    expect(v).toMatchObject({ ok: false, actualVersion: 5 });
    // No wait here: the verdict itself came after the catch-up.
    expect(applied).toEqual([1, 2, 3, 4, 5]);
  });

  it('starts after the given version and stops when asked', async () => {
    const schema = freshSchema();
    const s = await store(schema);
    for (let i = 0; i < 5; i++) await s.commit([entry(i, { w: [key('x')] })]);
    const seen: number[] = [];
    const stop = s.follow(3, (r) => seen.push(r.version));
    await until(() => seen.length === 2, 'versions 4 and 5');
    stop();
    await s.commit([entry(5, { w: [key('x')] })]);
    expect(seen).toEqual([4, 5]);
  });

  it('the listening connection killed again and again mid-run: followers still converge', async () => {
    const schema = freshSchema();
    const proxy = new Proxy(target(PG_URL!));
    await proxy.start();
    cleanup.push(() => proxy.stop());
    // The follower's connections go through the proxy; the writers talk to the server directly.
    // A slow poll proves the recovery comes from reconnect catch-ups, not only from polling.
    const follower = await store(schema, proxy.url(PG_URL!), 5_000);
    const writers = [await store(schema), await store(schema)];
    const seen: number[] = [];
    const stop = follower.follow(0, (r) => seen.push(r.version));
    cleanup.push(async () => stop());
    let killing = true;
    const killer = (async () => {
      while (killing) {
        await new Promise((r) => setTimeout(r, 15));
        proxy.killAll();
      }
    })();
    let committed = 0;
    await Promise.all(
      writers.map(async (w, i) => {
        let base = 0;
        for (let n = 0; n < 60; ) {
          const [v] = await w.commit([entry(base, { r: [key('c')], w: [key('c')], process: `w${i}` })]);
          if (v!.ok) {
            n++;
            committed++;
            base = v!.version;
          } else base = v!.actualVersion;
        }
      }),
    );
    killing = false;
    await killer;
    expect(committed).toBe(120);
    await until(() => seen.length === 120, 'the follower to reach version 120');
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it('a new engine joins from a snapshot after maintenance pruned the log', async () => {
    const schema = freshSchema();
    const s = postgresStore({ connectionString: PG_URL!, schema, snapshotEvery: 10, retainMs: 0, heartbeatMs: 60_000 });
    cleanup.push(() => s.close());
    await s.open({ domain: { n: 0 } });
    for (let i = 0; i < 25; i++) {
      await s.commit([entry(i, { r: [key('domain', 'n')], w: [key('domain', 'n')], ops: [{ op: 'replace', path: ['domain', 'n'], value: i + 1 }] })]);
    }
    const m = await s.maintain();
    expect(m.snapshot).toBe(25);
    expect(m.pruned).toBe(25);
    const versions: number[] = [];
    for await (const r of s.history({})) versions.push(r.version);
    expect(versions).toEqual([]);
    await s.commit([entry(25, { w: [key('domain', 'n')], ops: [{ op: 'replace', path: ['domain', 'n'], value: 26 }] })]);
    const joiner = postgresStore({ connectionString: PG_URL!, schema, heartbeatMs: 60_000 });
    cleanup.push(() => joiner.close());
    expect(await joiner.open({ ignored: 1 })).toEqual({ version: 26, root: { domain: { n: 26 } } });
    expect(await joiner.stateAt(25)).toEqual({ domain: { n: 25 } });
    expect(await joiner.stateAt(10)).toBeUndefined();
  });

  it('pruning keeps what a live engine has not applied yet', async () => {
    const schema = freshSchema();
    const lagging = await store(schema);
    const stop = lagging.follow(0, () => {
      throw new Error('never reached: this follower is stopped at once');
    });
    stop();
    const s = postgresStore({ connectionString: PG_URL!, schema, snapshotEvery: 5, retainMs: 0, heartbeatMs: 60_000 });
    cleanup.push(() => s.close());
    await s.open({});
    for (let i = 0; i < 12; i++) await s.commit([entry(i, { w: [key('x')] })]);
    // `lagging` registered version 0 when it opened: nothing may be pruned above that.
    expect((await s.maintain()).pruned).toBe(0);
    expect(lagging.appliedVersion).toBe(0);
  });
});
