import { afterEach, describe, expect, it } from 'vitest';
import { postgresStore, type PostgresStore } from '../../../src/storage/postgres/index.js';
import { OutboxRelay } from '../../../src/storage/outbox-relay.js';
import { entry, freshSchema, key, PG_URL } from './helpers.js';

const open: PostgresStore[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
async function store(schema = freshSchema()): Promise<PostgresStore> {
  const s = postgresStore({ connectionString: PG_URL!, schema, heartbeatMs: 60_000 });
  open.push(s);
  await s.open({});
  return s;
}
async function produce(s: PostgresStore, n: number, from = 0): Promise<void> {
  for (let i = 0; i < n; i++) {
    const [v] = await s.commit([entry(from + i, { w: [key('q')], outbox: [{ topic: 'mail', payload: { n: from + i } }] })]);
    expect(v!.ok).toBe(true);
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!PG_URL)('postgres store: outbox', () => {
  it('claims in commit order, never the same message to two owners while leased', async () => {
    const schema = freshSchema();
    const a = await store(schema);
    const b = await store(schema);
    await produce(a, 10);
    const [ca, cb] = await Promise.all([a.outbox.claim('relay-a', 6, 60_000), b.outbox.claim('relay-b', 6, 60_000)]);
    const ids = [...ca, ...cb].map((m) => m.id);
    expect(new Set(ids).size).toBe(10);
    expect(ca.map((m) => m.id)).toEqual([...ca.map((m) => m.id)].sort((x, y) => Number(x) - Number(y)));
    expect([...ca, ...cb].every((m) => m.attempts === 1)).toBe(true);
    expect(await a.outbox.claim('relay-c', 10, 60_000)).toEqual([]);
    await a.outbox.ack('relay-a', ca.map((m) => m.id));
    expect(await a.outbox.pending()).toBe(cb.length);
    const first = [...ca, ...cb].sort((x, y) => Number(x.id) - Number(y.id))[0]!;
    expect(first).toMatchObject({ topic: 'mail', payload: { n: 0 }, version: 1 });
  });

  it('reclaims a message whose lease expired (a relay that died mid-batch)', async () => {
    const s = await store();
    await produce(s, 3);
    const dead = await s.outbox.claim('dies', 3, 30);
    expect(dead).toHaveLength(3);
    await sleep(60);
    const again = await s.outbox.claim('lives', 10, 60_000);
    expect(again.map((m) => m.id)).toEqual(dead.map((m) => m.id));
    expect(again.every((m) => m.attempts === 2)).toBe(true);
    // The dead relay's late failure report does not undo the newer claim.
    await s.outbox.fail('dies', again[0]!.id, 'late', 0, true);
    expect(await s.outbox.deadLetters()).toEqual([]);
  });

  it('fails with backoff, dead-letters, and redrives', async () => {
    const s = await store();
    await produce(s, 2);
    const [m1, m2] = await s.outbox.claim('r', 2, 60_000);
    await s.outbox.fail('r', m1!.id, 'boom', 60_000, false);
    await s.outbox.fail('r', m2!.id, 'fatal', 0, true);
    expect(await s.outbox.claim('r', 10, 60_000)).toEqual([]); // m1 waits out its backoff
    const dl = await s.outbox.deadLetters();
    expect(dl).toHaveLength(1);
    expect(dl[0]).toMatchObject({ id: m2!.id, error: 'fatal', attempts: 1, payload: { n: 1 } });
    expect(typeof dl[0]!.failedAt).toBe('number');
    expect(await s.outbox.redrive()).toBe(1);
    const back = await s.outbox.claim('r', 10, 60_000);
    expect(back.map((m) => [m.id, m.attempts])).toEqual([[m2!.id, 1]]);
    expect(await s.outbox.pending()).toBe(2);
  });

  it('refuses bad arguments with typed errors', async () => {
    const s = await store();
    await expect(s.outbox.claim('', 1, 10)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(s.outbox.claim('r', 0, 10)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(s.outbox.claim('r', 1, -5)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(s.outbox.ack('r', ["1; DROP TABLE x"])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(s.outbox.redrive(['__proto__'])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('three relays on three engines, one killed mid-batch: every message delivered', async () => {
    const schema = freshSchema();
    const stores = [await store(schema), await store(schema), await store(schema)];
    await produce(stores[0]!, 60);
    const delivered = new Map<string, number>();
    // The doomed relay claims a batch and never answers: its lease must run out.
    const doomed = await stores[2]!.outbox.claim('doomed', 15, 200);
    expect(doomed).toHaveLength(15);
    const relays = stores.slice(0, 2).map(
      (s) =>
        new OutboxRelay(s.outbox, (m) => {
          delivered.set(m.id, (delivered.get(m.id) ?? 0) + 1);
        }, { batchSize: 7, leaseMs: 5_000 }),
    );
    for (let round = 0; round < 200 && (await stores[0]!.outbox.pending()) > 0; round++) {
      await Promise.all(relays.map((r) => r.drain()));
      await sleep(20);
    }
    await Promise.all(relays.map((r) => r.stop()));
    expect(await stores[0]!.outbox.pending()).toBe(0);
    expect(delivered.size).toBe(60);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
  });
});
