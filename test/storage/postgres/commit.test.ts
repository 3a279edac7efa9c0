import { afterEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../../src/errors.js';
import { postgresStore, type PostgresStore } from '../../../src/storage/postgres/index.js';
import type { HistoryRecord } from '../../../src/storage/store.js';
import { entry, freshSchema, key, PG_URL } from './helpers.js';

const open: PostgresStore[] = [];
async function store(schema = freshSchema(), initial: Record<string, unknown> = { domain: { a: 1, b: 2 } }) {
  const s = postgresStore({ connectionString: PG_URL!, schema, pollMs: 50, heartbeatMs: 60_000 });
  open.push(s);
  const opened = await s.open(initial);
  return { s, opened, schema };
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe.skipIf(!PG_URL)('postgres store: commits', () => {
  it('opens an empty store at version 0 with the initial root, and a second engine joins it', async () => {
    const { opened, schema } = await store();
    expect(opened).toEqual({ version: 0, root: { domain: { a: 1, b: 2 } } });
    const { s } = await store(schema);
    const v = await s.commit([entry(0, { w: [key('domain', 'a')], ops: [{ op: 'replace', path: ['domain', 'a'], value: 5 }] })]);
    expect(v).toEqual([{ ok: true, version: 1 }]);
    const { opened: third } = await store(schema, { ignored: true });
    expect(third).toEqual({ version: 1, root: { domain: { a: 5, b: 2 } } });
  });

  it('engines opening an empty store at the same moment create it once', async () => {
    const schema = freshSchema();
    const opened = await Promise.all([1, 2, 3, 4].map((n) => store(schema, { first: n }).then((x) => x.opened)));
    const roots = opened.map((o) => JSON.stringify(o.root));
    expect(new Set(roots).size).toBe(1);
    expect(opened.every((o) => o.version === 0)).toBe(true);
  });

  it('assigns gapless versions and refuses a stale read with the contested path', async () => {
    const { s } = await store();
    const a = key('domain', 'a');
    const b = key('domain', 'b');
    expect(await s.commit([entry(0, { r: [a], w: [a] })])).toEqual([{ ok: true, version: 1 }]);
    // Disjoint keys from the same stale snapshot: no conflict.
    expect(await s.commit([entry(0, { r: [b], w: [b] })])).toEqual([{ ok: true, version: 2 }]);
    const lost = await s.commit([entry(0, { r: [a, b], w: [b] })]);
    expect(lost[0]).toMatchObject({ ok: false, actualVersion: 2 });
    expect(new Set((lost[0] as unknown as { paths: string[] }).paths)).toEqual(new Set([a, b]));
    // A refused commit takes no version.
    expect(await s.commit([entry(2, { w: [a] })])).toEqual([{ ok: true, version: 3 }]);
  });

  it('checks ancestors and descendants as the in-memory log does', async () => {
    const { s } = await store();
    const accounts = key('domain', 'accounts');
    const alice = key('domain', 'accounts', 'alice');
    const bob = key('domain', 'accounts', 'bob');
    await s.commit([entry(0, { w: [alice] })]); // v1
    // A read of the parent sees the child change.
    expect((await s.commit([entry(0, { r: [accounts], w: [key('x')] })]))[0]).toMatchObject({ ok: false, paths: [accounts] });
    // A sibling does not.
    expect((await s.commit([entry(0, { r: [bob], w: [bob] })]))[0]).toMatchObject({ ok: true, version: 2 });
    await s.commit([entry(2, { w: [accounts] })]); // v3 replaces the whole record
    // A read below a replaced ancestor conflicts.
    expect((await s.commit([entry(2, { r: [bob], w: [key('y')] })]))[0]).toMatchObject({ ok: false, paths: [bob] });
    // A key-set marker read conflicts with a key added under it, and a marker write is not "touched".
    const marker = `${accounts}\u0000\u0001`;
    await s.commit([entry(3, { w: [key('domain', 'accounts', 'carol'), marker] })]); // v4
    expect((await s.commit([entry(3, { r: [marker], w: [key('z')] })]))[0]).toMatchObject({ ok: false, paths: [marker] });
    expect((await s.commit([entry(3, { w: [key('domain', 'accounts', 'dave'), marker] })]))[0]).toMatchObject({ ok: true });
  });

  it('a key-set read conflicts with a key added below it, even without marker writes', async () => {
    const { s } = await store();
    const accounts = key('domain', 'accounts');
    const structure = `${accounts}\u0000\u0001`;
    // The winner adds a key: its writes name only the new key, its ops say it was an add.
    await s.commit([entry(0, { w: [key('domain', 'accounts', 'eve')], ops: [{ op: 'add', path: ['domain', 'accounts', 'eve'], value: 1 }] })]);
    expect((await s.commit([entry(0, { r: [structure], w: [key('domain', 'total')] })]))[0]).toMatchObject({ ok: false, paths: [structure] });
    // A replace of an existing key leaves the key set alone.
    await s.commit([entry(1, { w: [key('domain', 'accounts', 'eve')], ops: [{ op: 'replace', path: ['domain', 'accounts', 'eve'], value: 2 }] })]);
    expect((await s.commit([entry(1, { r: [structure], w: [key('domain', 'total')] })]))[0]).toMatchObject({ ok: true });
  });

  it('treats the key * as strict compare-and-swap, and a base from the future as a conflict', async () => {
    const { s } = await store();
    await s.commit([entry(0, { w: [key('a')] })]);
    expect((await s.commit([entry(0, { r: ['*'], w: [key('b')] })]))[0]).toEqual({ ok: false, actualVersion: 1, paths: ['*'] });
    expect((await s.commit([entry(7, { w: [key('b')] })]))[0]).toEqual({ ok: false, actualVersion: 1, paths: ['*'] });
  });

  it('is idempotent by commit id: a retried id returns the original verdict, once', async () => {
    const { s } = await store();
    const e = entry(0, { w: [key('a')], outbox: [{ topic: 't', payload: 1 }] });
    expect(await s.commit([e])).toEqual([{ ok: true, version: 1 }]);
    expect(await s.commit([e])).toEqual([{ ok: true, version: 1 }]);
    expect(await s.commit([entry(1, { w: [key('b')] }), e])).toEqual([{ ok: true, version: 2 }, { ok: true, version: 1 }]);
    expect(await s.outbox.pending()).toBe(1);
  });

  it('batches: entries of one call are checked against each other in order', async () => {
    const { s } = await store();
    const a = key('a');
    const out = await s.commit([entry(0, { r: [a], w: [a] }), entry(0, { r: [a], w: [a] }), entry(0, { w: [key('b')] })]);
    expect(out[0]).toEqual({ ok: true, version: 1 });
    expect(out[1]).toMatchObject({ ok: false, actualVersion: 1, paths: [a] });
    expect(out[2]).toEqual({ ok: true, version: 2 });
  });

  it('keys with NUL, % and other odd characters round-trip', async () => {
    const { s } = await store();
    const odd = key('domain', '%00', 'a%25b', '\u0001x', 'ü €');
    await s.commit([entry(0, { w: [odd] })]);
    expect((await s.commit([entry(0, { r: [odd], w: [key('q')] })]))[0]).toMatchObject({ ok: false, paths: [odd] });
    expect((await s.commit([entry(0, { r: [key('domain', '%00', 'a%25c')], w: [key('q')] })]))[0]).toMatchObject({ ok: true });
  });

  it('stores odd strings as data; refuses a hostile key in a value, writing nothing', async () => {
    const { s, schema } = await store();
    const hostile = JSON.parse('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    await expect(s.commit([entry(0, { w: [key('domain', 'v')], ops: [{ op: 'add', path: ['domain', 'v'], value: hostile }] })])).rejects.toThrow(StorageError);
    await s.commit([entry(0, { w: [key('domain', 'v')], ops: [{ op: 'add', path: ['domain', 'v'], value: { s: 'nul\u0000 and \\u0000' } }] })]);
    const { opened } = await store(schema);
    expect(opened.version).toBe(1);
    expect((opened.root as { domain: { v: Record<string, unknown> } }).domain.v.s).toBe('nul\u0000 and \\u0000');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('concurrent commits from several stores: gapless, no lost update', async () => {
    const { schema } = await store();
    const stores = await Promise.all([1, 2, 3].map(() => store(schema).then((x) => x.s)));
    const counter = key('domain', 'n');
    // Each store increments a shared counter 30 times, re-reading the head after a conflict.
    let winners = 0;
    await Promise.all(
      stores.map(async (s, i) => {
        let base = 0;
        for (let n = 0; n < 30; ) {
          const [v] = await s.commit([entry(base, { r: [counter], w: [counter], process: `inc${i}` })]);
          if (v!.ok) {
            n++;
            winners++;
            base = v!.version;
          } else base = v!.actualVersion;
        }
      }),
    );
    expect(winners).toBe(90);
    const versions: number[] = [];
    for await (const r of stores[0]!.history({})) versions.push(r.version);
    expect(versions).toEqual(Array.from({ length: 90 }, (_, i) => i + 1));
  });

  it('history filters by range and path; stateAt rebuilds any retained version', async () => {
    const { s } = await store();
    for (let i = 1; i <= 5; i++) {
      await s.commit([entry(i - 1, { w: [key('domain', i % 2 ? 'a' : 'b')], ops: [{ op: 'replace', path: ['domain', i % 2 ? 'a' : 'b'], value: i * 10 }] })]);
    }
    const all: HistoryRecord[] = [];
    for await (const r of s.history({ from: 2, to: 4 })) all.push(r);
    expect(all.map((r) => r.version)).toEqual([2, 3, 4]);
    const onB: number[] = [];
    for await (const r of s.history({ path: ['domain', 'b'] })) onB.push(r.version);
    expect(onB).toEqual([2, 4]);
    expect(await s.stateAt(3)).toEqual({ domain: { a: 30, b: 20 } });
    expect(await s.stateAt(0)).toEqual({ domain: { a: 1, b: 2 } });
    expect(await s.stateAt(99)).toBeUndefined();
    await expect(s.stateAt(-1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
