/** The SQLite store under a real engine: reopen, time travel, the outbox, and the heavy zone. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TheusEngine, process as defineProcess } from '../../src/index.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import { collect } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'theus-engine-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const place = defineProcess(
  { name: 'place', inputs: ['domain.orders'], outputs: ['domain.orders'], semantic: 'effect' },
  (ctx: any, { id, total }: { id: string; total: number }) => {
    ctx.domain.orders[id] = { total, at: new Date(0), tags: new Set(['new']) };
    ctx.outbox.add('order.placed', { id, total });
  },
);

describe('SQLite store under the engine', () => {
  it('reopens at the same version and state; history and stateAt go back in time', async () => {
    const file = join(dir, `e${++n}.db`);
    const engine = await TheusEngine.open({ domain: { orders: {} } }, { storage: file });
    engine.register(place);
    await Promise.all(Array.from({ length: 20 }, (_, i) => engine.execute('place', { id: `o${i}`, total: i })));
    const version = engine.state.version;
    const before = engine.state.toJSON();
    await engine.close();

    const again = await TheusEngine.open({ domain: { ignored: true } }, { storage: file });
    expect(again.state.version).toBe(version);
    expect(again.state.toJSON()).toEqual(before);
    expect([...(again.state.domain.orders as any).o3.tags]).toEqual(['new']);
    const records = await collect(again.history({ from: 1 }));
    expect(records.map((r) => r.version)).toEqual(Array.from({ length: version }, (_, i) => i + 1));
    expect(records.every((r) => r.process === 'place')).toBe(true);
    const past = await again.stateAt(5);
    expect(Object.keys(past?.domain.orders as object)).toHaveLength(5);
    await again.close();
  });

  it('outbox messages not delivered before close are delivered after reopen, once each', async () => {
    const file = join(dir, `e${++n}.db`);
    const engine = await TheusEngine.open({ domain: { orders: {} } }, { storage: file });
    engine.register(place);
    for (let i = 0; i < 5; i++) await engine.execute('place', { id: `o${i}`, total: i });
    await engine.close();
    const again = await TheusEngine.open({}, { storage: file });
    const got: string[] = [];
    const stop = again.attachWorker((m) => void got.push((m.payload as { id: string }).id));
    await again.processOutbox();
    expect(got).toEqual(['o0', 'o1', 'o2', 'o3', 'o4']);
    await stop();
    expect(await again.outbox.pending()).toBe(0);
    await again.close();
  });

  it('the heavy zone is not durable; persistHeavy / restoreHeavy bring an array back explicitly', async () => {
    const file = join(dir, `e${++n}.db`);
    const store = sqliteStore(file);
    const engine = await TheusEngine.open({ domain: { n: 1 } }, { storage: store });
    const m = engine.heavy.alloc('matrix', [2, 3], 'float64');
    m.set(1, 2, 42.5);
    await engine.edit((ctx: any) => {
      ctx.domain.n = 2;
    });
    await store.persistHeavy('matrix', m);
    m.set(0, 0, 7); // after the save: not kept
    await engine.close();

    const store2 = sqliteStore(file);
    const again = await TheusEngine.open({}, { storage: store2 });
    expect(again.state.domain.n).toBe(2);
    expect(again.heavy.has('matrix')).toBe(false);
    expect('matrix' in again.state.heavy).toBe(false);
    const back = await store2.restoreHeavy(again, 'matrix');
    expect(back?.get(1, 2)).toBe(42.5);
    expect(back?.get(0, 0)).toBe(0);
    expect(again.heavy.get('matrix')?.shape).toEqual([2, 3]);
    expect(await store2.restoreHeavy(again, 'nothing')).toBeUndefined();
    await expect(store2.persistHeavy('x', {} as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await again.close();
  });

  it('a second engine on the same file is refused with STORAGE while the first lives', async () => {
    const file = join(dir, `e${++n}.db`);
    const engine = await TheusEngine.open({ domain: {} }, { storage: file });
    await expect(TheusEngine.open({ domain: {} }, { storage: file })).rejects.toMatchObject({ code: 'STORAGE' });
    await engine.close();
    const again = await TheusEngine.open({ domain: {} }, { storage: file });
    await again.close();
  });
});
