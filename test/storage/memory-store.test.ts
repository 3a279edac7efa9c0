import { describe, expect, it } from 'vitest';
import { State } from '../../src/core/index.js';
import { StorageError, TheusError } from '../../src/errors.js';
import { memoryStore } from '../../src/storage/memory-store.js';
import { storeConformance } from './conformance.js';
import { collect, counterCommits, entry, set, thrownAsync } from './support.js';

storeConformance('memory', {
  make() {
    const store = memoryStore();
    return Promise.resolve({ store, reopen: () => store });
  },
});

describe('memoryStore specifics', () => {
  it('keeps the last retainVersions versions reachable and folds older ones into its base', async () => {
    const store = memoryStore({ retainVersions: 10 });
    await store.open({ domain: { n: 0 } });
    await counterCommits(store, 0, 200, 3);
    const versions = (await collect(store.history({}))).map((r) => r.version);
    expect(versions.at(-1)).toBe(200);
    expect(versions.length).toBeGreaterThanOrEqual(10);
    expect(versions.length).toBeLessThan(200);
    expect(await store.stateAt(200)).toEqual({ domain: { n: 200 } });
    expect(await store.stateAt(195)).toEqual({ domain: { n: 195 } });
    expect(await store.stateAt(1)).toBeUndefined();
    await store.close();
    expect((await store.open({})).root).toEqual({ domain: { n: 200 } });
  });

  it('with retainVersions 0 keeps only the head, and still reopens there', async () => {
    const store = memoryStore({ retainVersions: 0 });
    await store.open({ domain: { n: 0 } });
    await counterCommits(store, 0, 5);
    expect(await collect(store.history({}))).toEqual([]);
    expect(await store.stateAt(4)).toBeUndefined();
    expect(await store.stateAt(5)).toEqual({ domain: { n: 5 } });
    await store.close();
    expect(await store.open({})).toEqual({ version: 5, root: { domain: { n: 5 } } });
  });

  it('never writes into committed (frozen) values it was handed', async () => {
    const state = State.create({ domain: { cfg: { a: 1 }, list: [1] } });
    const tx = state.transaction();
    tx.domain.cfg.a = 2;
    const next = tx.commit();
    const store = memoryStore();
    await store.open({ domain: next.domain });
    await store.commit([entry(1, [set(['domain', 'cfg', 'a'], 3), { op: 'add', path: ['domain', 'list', 1], value: 2 }])]);
    expect(next.domain.cfg.a).toBe(2);
    expect(await store.stateAt(1)).toEqual({ domain: { cfg: { a: 3 }, list: [1, 2] } });
    expect(await store.stateAt(0)).toEqual({ domain: { cfg: { a: 2 }, list: [1] } });
  });

  it('refuses a second open while open, bad options and a non-object initial state', async () => {
    const store = memoryStore();
    await store.open({});
    expect(await thrownAsync(() => store.open({}))).toBeInstanceOf(StorageError);
    expect(() => memoryStore({ retainVersions: -1 })).toThrow(TheusError);
    expect(() => memoryStore({ retainVersions: 1.5 })).toThrow(/retainVersions/);
    expect(((await thrownAsync(() => memoryStore().open(null as never))) as TheusError).code).toBe('INVALID_ARGUMENT');
  });

  it('a stored op that reaches a hostile key or a missing container is refused when replayed', async () => {
    for (const ops of [[set(['domain', '__proto__', 'x'], 1)], [set(['domain', 'constructor'], 1)], [set(['domain', 'missing', 'deep'], 1)], [{ op: 'add', path: ['domain', 'list', 9], value: 1 }]]) {
      const store = memoryStore();
      await store.open({ domain: { list: [] } });
      await store.commit([entry(1, ops as never)]);
      expect(await thrownAsync(() => store.stateAt(1))).toBeInstanceOf(StorageError);
      expect(({} as Record<string, unknown>).x).toBeUndefined();
    }
  });
});
