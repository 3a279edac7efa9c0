/**
 * What every store must do, run against each store (memory, SQLite). A store factory returns a
 * fresh store; `reopen` returns a new store object over the same data (for the memory store, the
 * same object once closed).
 */
import { describe, expect, it } from 'vitest';
import { StorageError, TheusError } from '../../src/errors.js';
import type { TheusStore } from '../../src/storage/store.js';
import { collect, counterCommits, entry, set, thrownAsync } from './support.js';

export interface StoreFixture {
  make(): Promise<{ store: TheusStore; reopen: () => TheusStore }>;
}

const initial = () => ({ domain: { n: 0, list: [1, 2], cfg: { mode: 'a' } }, global: {}, heavy: {} });

export function storeConformance(name: string, fixture: StoreFixture): void {
  describe(`${name}: the store contract`, () => {
    it('opens empty at version 0, then commits a group in order with one verdict each', async () => {
      const { store } = await fixture.make();
      expect(await store.open(initial())).toEqual({ version: 0, root: undefined });
      const verdicts = await store.commit([
        entry(1, [set(['domain', 'n'], 1)]),
        entry(2, [{ op: 'add', path: ['domain', 'list', 2], value: 3 }]),
        entry(3, [{ op: 'remove', path: ['domain', 'cfg'] }]),
      ]);
      expect(verdicts).toEqual([{ ok: true, version: 1 }, { ok: true, version: 2 }, { ok: true, version: 3 }]);
      expect(await store.stateAt(3)).toEqual({ domain: { n: 1, list: [1, 2, 3] }, global: {}, heavy: {} });
      expect(await store.stateAt(1)).toEqual({ domain: { n: 1, list: [1, 2], cfg: { mode: 'a' } }, global: {}, heavy: {} });
      expect(await store.stateAt(0)).toEqual(initial());
      expect(await store.stateAt(4)).toBeUndefined();
      await store.close();
    });

    it('assigns the next version when the entry carries none, and refuses a gap', async () => {
      const { store } = await fixture.make();
      await store.open(initial());
      const { version: _v, ...bare } = entry(1, [set(['domain', 'n'], 5)]);
      expect(await store.commit([bare])).toEqual([{ ok: true, version: 1 }]);
      const err = await thrownAsync(() => store.commit([entry(5, [set(['domain', 'n'], 6)])]));
      expect(err).toBeInstanceOf(StorageError);
      expect(await store.stateAt(1)).toMatchObject({ domain: { n: 5 } });
      expect(await store.stateAt(2)).toBeUndefined();
      await store.close();
    });

    it('does not apply a retried entry (same id) twice', async () => {
      const { store } = await fixture.make();
      await store.open(initial());
      const e = entry(1, [set(['domain', 'n'], 1)], { outbox: [{ topic: 't', payload: 1 }] });
      await store.commit([e]);
      expect(await store.commit([e])).toEqual([{ ok: true, version: 1 }]);
      expect(await store.outbox.pending()).toBe(1);
      expect((await collect(store.history({}))).length).toBe(1);
      await store.close();
    });

    it('reopens at the last version with the same state, ignoring the new initial', async () => {
      const { store, reopen } = await fixture.make();
      await store.open(initial());
      await counterCommits(store, 0, 25, 4);
      await store.close();
      const again = reopen();
      const opened = await again.open({ domain: { other: true } });
      expect(opened.version).toBe(25);
      expect(opened.root).toEqual({ domain: { n: 25, list: [1, 2], cfg: { mode: 'a' } }, global: {}, heavy: {} });
      expect(await again.commit([entry(26, [set(['domain', 'n'], 26)])])).toEqual([{ ok: true, version: 26 }]);
      await again.close();
    });

    it('round-trips values: Map, Set, Date, nested arrays, -0, NaN, Infinity, undefined, unicode keys', async () => {
      const { store, reopen } = await fixture.make();
      const value = {
        m: new Map<string | number, unknown>([['a', 1], [2, { deep: [new Date(5)] }]]),
        s: new Set([1, 'x']),
        d: new Date('2026-01-02T03:04:05.678Z'),
        nums: [-0, Number.NaN, Infinity, -Infinity, 1.5],
        u: undefined,
        'key.with.dots': { 'ü ñ 😀': 'ok', '': 'empty key' },
        nested: [[1, [2, [3]]], null, true, ''],
      };
      await store.open(initial());
      await store.commit([entry(1, [set(['domain', 'v'], value)]), entry(2, [{ op: 'add', path: ['domain', 'v', 'm', 2, 'deep', 1], value: 'two' }])]);
      await store.close();
      const again = reopen();
      const { root } = await again.open(initial());
      const v = (root as { domain: { v: typeof value } }).domain.v;
      expect(v.m).toBeInstanceOf(Map);
      expect(v.m.get('a')).toBe(1);
      expect(v.m.get(2)).toEqual({ deep: [new Date(5), 'two'] });
      expect(v.s).toEqual(new Set([1, 'x']));
      expect(v.d).toEqual(new Date('2026-01-02T03:04:05.678Z'));
      expect(Object.is(v.nums[0], -0)).toBe(true);
      expect(v.nums.slice(1)).toEqual([Number.NaN, Infinity, -Infinity, 1.5]);
      expect('u' in v).toBe(true);
      expect(v['key.with.dots']).toEqual({ 'ü ñ 😀': 'ok', '': 'empty key' });
      expect(v.nested).toEqual([[1, [2, [3]]], null, true, '']);
      await again.close();
    });

    it('history yields records in order, filtered by from, to and path (at, above or below)', async () => {
      const { store } = await fixture.make();
      await store.open(initial());
      await store.commit([
        entry(1, [set(['domain', 'a'], { x: 1 })], { signals: [{ topic: 's', payload: 1 }], process: 'one' }),
        entry(2, [set(['domain', 'b'], 2)], { process: null }),
        entry(3, [set(['domain', 'a', 'x'], 3)]),
      ]);
      const all = await collect(store.history({}));
      expect(all.map((r) => r.version)).toEqual([1, 2, 3]);
      expect(all[0]).toEqual({ version: 1, process: 'one', delta: [set(['domain', 'a'], { x: 1 })], signals: [{ topic: 's', payload: 1 }], at: 1_700_000_000_001 });
      expect(all[1]?.process).toBeNull();
      expect((await collect(store.history({ from: 2 }))).map((r) => r.version)).toEqual([2, 3]);
      expect((await collect(store.history({ to: 2 }))).map((r) => r.version)).toEqual([1, 2]);
      expect((await collect(store.history({ path: ['domain', 'a'] }))).map((r) => r.version)).toEqual([1, 3]);
      expect((await collect(store.history({ path: ['domain', 'a', 'x', 'y'] }))).map((r) => r.version)).toEqual([1, 3]);
      expect((await collect(store.history({ path: ['domain'] }))).map((r) => r.version)).toEqual([1, 2, 3]);
      await store.close();
    });

    it('history and stateAt refuse malformed queries with INVALID_ARGUMENT', async () => {
      const { store } = await fixture.make();
      await store.open(initial());
      for (const q of [null, 5, { from: -1 }, { to: 1.5 }, { path: 'domain.a' }, { path: ['__proto__'] }, { path: [{}] }, { since: 1 }]) {
        const err = await thrownAsync(() => collect(store.history(q as never)));
        expect((err as TheusError).code).toBe('INVALID_ARGUMENT');
      }
      for (const v of [-1, 1.5, Number.NaN, '1', undefined]) {
        const err = await thrownAsync(() => store.stateAt(v as never));
        expect((err as TheusError).code).toBe('INVALID_ARGUMENT');
      }
      await store.close();
    });

    it('outbox: claims in commit order, leases keep other owners off, ack removes, pending counts', async () => {
      const { store } = await fixture.make();
      await store.open(initial());
      await store.commit([
        entry(1, [set(['domain', 'n'], 1)], { outbox: [{ topic: 'a', payload: { i: 1 } }, { topic: 'b', payload: 2 }] }),
        entry(2, [set(['domain', 'n'], 2)], { outbox: [{ topic: 'c', payload: [3] }] }),
      ]);
      expect(await store.outbox.pending()).toBe(3);
      const first = await store.outbox.claim('r1', 2, 60_000);
      expect(first.map((m) => [m.topic, m.version, m.attempts])).toEqual([['a', 1, 1], ['b', 1, 1]]);
      expect(first[0]?.payload).toEqual({ i: 1 });
      const second = await store.outbox.claim('r2', 10, 60_000);
      expect(second.map((m) => m.topic)).toEqual(['c']);
      expect(await store.outbox.claim('r3', 10, 60_000)).toEqual([]);
      await store.outbox.ack('r1', first.map((m) => m.id));
      expect(await store.outbox.pending()).toBe(1);
      await store.outbox.ack('r2', [second[0]?.id as string]);
      expect(await store.outbox.pending()).toBe(0);
      expect(new Set([...first, ...second].map((m) => m.id)).size).toBe(3);
      await store.close();
    });

    it('outbox: an expired lease is claimable again with attempts counted', async () => {
      const { store } = await fixture.make();
      await store.open(initial());
      await store.commit([entry(1, [], { outbox: [{ topic: 'a', payload: 1 }] })]);
      const [m] = await store.outbox.claim('r1', 1, 1);
      await new Promise((r) => setTimeout(r, 5));
      const [again] = await store.outbox.claim('r2', 1, 60_000);
      expect(again?.id).toBe(m?.id);
      expect(again?.attempts).toBe(2);
      await store.close();
    });

    it('outbox: fail retries later, dead-letters when told, and redrive puts it back with attempts reset', async () => {
      const { store } = await fixture.make();
      await store.open(initial());
      await store.commit([entry(1, [], { outbox: [{ topic: 'a', payload: 1 }, { topic: 'b', payload: 2 }] })]);
      const [a, b] = await store.outbox.claim('r', 10, 60_000);
      await store.outbox.fail('r', a?.id as string, 'boom', 60_000, false);
      expect(await store.outbox.claim('r', 10, 60_000)).toEqual([]);
      await store.outbox.fail('r', b?.id as string, 'Error: gave up', 0, true);
      const dead = await store.outbox.deadLetters();
      expect(dead.map((d) => [d.id, d.topic, d.error, d.attempts])).toEqual([[b?.id, 'b', 'Error: gave up', 1]]);
      expect(typeof dead[0]?.failedAt).toBe('number');
      expect(await store.outbox.pending()).toBe(1);
      expect(await store.outbox.redrive(['nope'])).toBe(0);
      expect(await store.outbox.redrive()).toBe(1);
      expect(await store.outbox.deadLetters()).toEqual([]);
      const [back] = await store.outbox.claim('r', 10, 60_000);
      expect([back?.id, back?.attempts]).toEqual([b?.id, 1]);
      await store.close();
    });

    it('outbox: fail by an owner that no longer holds the lease changes nothing', async () => {
      const { store } = await fixture.make();
      await store.open(initial());
      await store.commit([entry(1, [], { outbox: [{ topic: 'a', payload: 1 }] })]);
      const [m] = await store.outbox.claim('r1', 1, 60_000);
      await store.outbox.fail('intruder', m?.id as string, 'x', 0, true);
      expect(await store.outbox.deadLetters()).toEqual([]);
      expect(await store.outbox.pending()).toBe(1);
      await store.close();
    });

    it('commit after close is refused with StorageError', async () => {
      const { store } = await fixture.make();
      await store.open(initial());
      await store.close();
      expect(await thrownAsync(() => store.commit([entry(1, [])]))).toBeInstanceOf(StorageError);
    });
  });
}
