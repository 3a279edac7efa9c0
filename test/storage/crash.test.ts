/**
 * Crash safety: a child under concurrent load is killed with SIGKILL at random moments, several
 * rounds on one file. After each kill the store reopens with every acknowledged commit, the state
 * equals the prefix up to its version, and every outbox message of an acknowledged commit is
 * delivered (by the child before it died, or after reopening).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import { bundleFixture, runUntilKilled, verifyAfterCrash } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'theus-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function crashRounds(mode: 'store' | 'engine', rounds: number, pad = 0): Promise<void> {
  const script = await bundleFixture('crash-child');
  const file = join(dir, `${mode}-${pad}.db`);
  const delivered = new Map<string, number>();
  let lastVersion = 0;
  let totalAcked = 0;
  for (let r = 0; r < rounds; r++) {
    const durability = r % 2 === 0 ? 'full' : 'normal';
    const journal = `${file}.journal-${Math.random().toString(36).slice(2)}`;
    const round = await runUntilKilled(script, [file, durability, '16', mode], journal, 20 + Math.floor(Math.random() * 200), Math.floor(Math.random() * 60), { ...process.env, THEUS_CRASH_PAD: String(pad) });
    expect(round.ready).toBe(lastVersion);
    totalAcked += round.acked.length;
    const store = sqliteStore(file);
    const v = await verifyAfterCrash(store, round, lastVersion, delivered);
    await store.close();
    lastVersion = v;
  }
  expect(totalAcked).toBeGreaterThan(rounds * 20 - 1);
}

describe('crash safety (SIGKILL under concurrent load)', () => {
  it('store level: 8 rounds, full and normal durability', async () => {
    await crashRounds('store', 8);
  }, 60_000);

  it('store level with 100 kB commits, so the log is checkpointed and restarted many times a round: 6 rounds', async () => {
    await crashRounds('store', 6, 100_000);
  }, 120_000);

  it('engine level (execute + ctx.outbox.add, worker attached): 4 rounds', async () => {
    await crashRounds('engine', 4);
  }, 60_000);
});
