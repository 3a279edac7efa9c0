/**
 * The outbox across engines: one engine's relay stalls mid-batch holding leases (as a relay that
 * died would); the other engines' relays take its messages once the leases expire, and every
 * message is delivered (a duplicate only within at-least-once, with the same id).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TheusEngine, process as proc } from '../../../src/index.js';
import { postgresStore } from '../../../src/storage/postgres/index.js';
import { freshSchema, PG_URL, until } from './helpers.js';

const engines: TheusEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

const order = proc({ name: 'order', inputs: ['domain.orders'], outputs: ['domain.orders'], semantic: 'effect' }, (ctx: any, args: { n: number }) => {
  ctx.domain.orders += 1;
  ctx.outbox.add('order.placed', { n: args.n });
});

async function engine(schema: string): Promise<TheusEngine> {
  const e = await TheusEngine.open({ domain: { orders: 0 } }, { storage: postgresStore({ connectionString: PG_URL!, schema, pollMs: 50 }), maxRetries: 200 });
  e.register(order);
  engines.push(e);
  return e;
}

describe.skipIf(!PG_URL)('engines sharing the PostgreSQL outbox', () => {
  it('a relay stalled mid-batch: its leased messages are reclaimed and every message is delivered', async () => {
    const schema = freshSchema();
    const [a, b, c] = [await engine(schema), await engine(schema), await engine(schema)];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const stalled: string[] = [];
    // The stalled relay takes a batch and never finishes its first message.
    a.attachWorker(async (m) => {
      stalled.push(m.id);
      await gate;
    }, { leaseMs: 300, batchSize: 10, pollMs: 20 });
    await Promise.all(Array.from({ length: 40 }, (_, n) => [a, b, c][n % 3]!.execute('order', { n })));
    await until(() => stalled.length > 0, 'the stalled relay to take a batch');
    const delivered = new Map<string, number>();
    const payloads = new Set<number>();
    for (const e of [b, c]) {
      e.attachWorker((m) => {
        delivered.set(m.id, (delivered.get(m.id) ?? 0) + 1);
        payloads.add((m.payload as { n: number }).n);
      }, { leaseMs: 300, batchSize: 7, pollMs: 20 });
    }
    await until(() => payloads.size === 40, 'all 40 messages delivered by the live relays', 30_000);
    expect([...payloads].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    // The message the stalled relay held went to a live relay too, under the same id.
    expect(delivered.has(stalled[0]!)).toBe(true);
    expect(await a.outbox.deadLetters()).toEqual([]);
    release();
    await until(() => [a, b, c].every((e) => e.state.version === 40), 'every engine at version 40');
    expect([a, b, c].map((e) => (e.state.domain as { orders: number }).orders)).toEqual([40, 40, 40]);
  });
});
