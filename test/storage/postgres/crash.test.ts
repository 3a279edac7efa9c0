/**
 * Crash safety on PostgreSQL: an engine process under concurrent load is killed with SIGKILL at
 * random moments, several rounds on one schema, so some kills land with commits in flight on the
 * server (a transaction open, a COMMIT sent and not yet answered). After each kill:
 * - every acknowledged commit is there, and the state is exactly the prefix up to the version
 *   (no half-applied commit, no gap in the history);
 * - the next engine opens and commits at once (no lock or lane is left held by the dead one);
 * - every outbox message of a committed version is delivered: by the dead engine's worker before
 *   it died, or after its leases expire.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutboxRelay } from '../../../src/storage/outbox-relay.js';
import { postgresStore } from '../../../src/storage/postgres/index.js';
import { collect, runUntilKilled } from '../support.js';
import { PG_URL, bundle, freshSchema } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'theus-pg-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!PG_URL)('postgres: crash safety (SIGKILL of an engine under concurrent load)', () => {
  it('5 rounds on one schema: acknowledged commits kept, state a prefix, no lock left, outbox delivered', async () => {
    const script = await bundle('crash-engine');
    const schema = freshSchema();
    const delivered = new Map<string, number>();
    let lastVersion = 0;
    let totalAcked = 0;
    for (let r = 0; r < 5; r++) {
      const journal = join(dir, `journal-${r}`);
      const round = await runUntilKilled(script, [PG_URL!, schema], journal, 20 + Math.floor(Math.random() * 150), Math.floor(Math.random() * 40));
      // The child reopened at exactly the version the last check saw: the dead engine left
      // nothing half-done that a new engine would have to wait for or repair.
      expect(round.ready).toBe(lastVersion);
      for (const [id, v] of round.delivered) delivered.set(id, v);
      const maxAck = Math.max(...round.acked);
      totalAcked += round.acked.length;

      const store = postgresStore({ connectionString: PG_URL!, schema, pollMs: 50 });
      const opened = await store.open({});
      const v = opened.version;
      expect(v).toBeGreaterThanOrEqual(maxAck);
      const domain = (opened.root as { domain: { n: number; sum: number } }).domain;
      expect(domain.n).toBe(v);
      expect(domain.sum).toBe((v * (v + 1)) / 2);
      const history = await collect(store.history({ from: lastVersion + 1 }));
      expect(history.map((h) => h.version)).toEqual(Array.from({ length: v - lastVersion }, (_, i) => lastVersion + i + 1));
      // Messages the dead worker had claimed come back once its leases expire.
      const relay = new OutboxRelay(store.outbox, (m) => void delivered.set(m.id, (m.payload as { v: number }).v), { pollMs: 20 });
      const start = Date.now();
      while ((await store.outbox.pending()) > 0) {
        if (Date.now() - start > 15_000) throw new Error('outbox messages still pending 15 s after the kill');
        await relay.drain();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await relay.stop();
      const versionsDelivered = new Set(delivered.values());
      for (let k = 1; k <= v; k++) if (!versionsDelivered.has(k)) throw new Error(`message of version ${k} never delivered`);
      await store.close();
      lastVersion = v;
    }
    expect(totalAcked).toBeGreaterThan(5 * 20 - 1);
  }, 120_000);
});
