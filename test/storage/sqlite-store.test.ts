import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import { storeConformance } from './conformance.js';
import { entry, set } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'theus-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeConformance('sqlite', {
  make() {
    const file = join(dir, `s${++n}.db`);
    return Promise.resolve({ store: sqliteStore(file), reopen: () => sqliteStore(file) });
  },
});

storeConformance('sqlite (normal durability, a snapshot every version, short retention)', {
  make() {
    const file = join(dir, `s${++n}.db`);
    const options = { durability: 'normal', snapshotEvery: 1, retainVersions: 1000 } as const;
    return Promise.resolve({ store: sqliteStore(file, options), reopen: () => sqliteStore(file, options) });
  },
});

storeConformance('sqlite (full durability, the log synced on the thread pool)', {
  make() {
    const file = join(dir, `s${++n}.db`);
    return Promise.resolve({ store: sqliteStore(file, { syncInBackground: true }), reopen: () => sqliteStore(file, { syncInBackground: true }) });
  },
});

describe('sqliteStore: the log is checkpointed into the database as it grows', () => {
  it('after several MB the -wal file is truncated, and the state and outbox survive reopen', async () => {
    const file = join(dir, `ck${++n}.db`);
    const s = sqliteStore(file, { snapshotEvery: 1_000_000 });
    await s.open({ domain: {} });
    const big = 'z'.repeat(600_000);
    for (let v = 1; v <= 12; v++) await s.commit([entry(v, [set(['domain', `k${v % 3}`], `${v}${big}`)], { outbox: [{ topic: 't', payload: v }] })]);
    // Checkpoints run after a sync with nothing else waiting: one happened by now.
    expect(statSync(`${file}-wal`).size).toBeLessThan(12 * 600_000);
    await s.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const again = sqliteStore(file);
    const { version, root } = await again.open({});
    expect(version).toBe(12);
    expect(((root as { domain: Record<string, string> }).domain.k0 as string).slice(0, 2)).toBe('12');
    expect(await again.outbox.pending()).toBe(12);
    await again.close();
  });
});
