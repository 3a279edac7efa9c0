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
import { postgresStore } from '../../../src/storage/postgres/index.js';
import { bundleFixture, runUntilKilled, verifyAfterCrash } from '../support.js';
import { PG_URL, freshSchema } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'theus-pg-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!PG_URL)('postgres: crash safety (SIGKILL of an engine under concurrent load)', () => {
  it('5 rounds on one schema: acknowledged commits kept, state a prefix, no lock left, outbox delivered', async () => {
    const script = await bundleFixture('crash-child');
    const schema = freshSchema();
    const delivered = new Map<string, number>();
    let lastVersion = 0;
    let totalAcked = 0;
    for (let r = 0; r < 5; r++) {
      const journal = join(dir, `journal-${r}`);
      const env = { ...process.env, THEUS_CRASH_PG_SCHEMA: schema };
      const round = await runUntilKilled(script, [PG_URL!, 'full', '8', 'engine'], journal, 20 + Math.floor(Math.random() * 150), Math.floor(Math.random() * 40), env);
      // The child reopened at exactly the version the last check saw: the dead engine left
      // nothing half-done that a new engine would have to wait for or repair.
      expect(round.ready).toBe(lastVersion);
      totalAcked += round.acked.length;
      // Messages the dead worker had claimed come back once its leases expire.
      const store = postgresStore({ connectionString: PG_URL!, schema, pollMs: 50 });
      const v = await verifyAfterCrash(store, round, lastVersion, delivered);
      await store.close();
      lastVersion = v;
    }
    expect(totalAcked).toBeGreaterThan(5 * 20 - 1);
  }, 120_000);
});
