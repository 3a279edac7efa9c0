import net from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../../src/errors.js';
import { PostgresStore, postgresStore } from '../../../src/storage/postgres/index.js';
import { entry, freshSchema, key, PG_URL, Proxy, target } from './helpers.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
function track<T extends { close(): Promise<void> }>(s: T): T {
  cleanup.push(() => s.close());
  return s;
}

describe('postgres store: options (no server needed)', () => {
  it('refuses a missing or absurd connection string and bad options with typed errors', () => {
    expect(() => postgresStore({} as never)).toThrow(StorageError);
    expect(() => postgresStore({ connectionString: 42 } as never)).toThrow(StorageError);
    expect(() => postgresStore({ connectionString: '   ' })).toThrow(/connectionString/);
    expect(() => postgresStore({ connectionString: 'postgres://x/\u0000' })).toThrow(StorageError);
    expect(() => postgresStore(null as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    for (const schema of ['Bad', 'a-b', 'x; DROP TABLE y', '__proto__x'.toUpperCase(), '', 'a'.repeat(60)]) {
      expect(() => postgresStore({ connectionString: 'postgres://h/db', schema })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    expect(() => postgresStore({ connectionString: 'postgres://h/db', poolSize: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => postgresStore({ connectionString: 'postgres://h/db', pollMs: Number.NaN })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => postgresStore({ connectionString: 'postgres://h/db', onError: 'no' as never })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('says to install pg when the driver is missing', async () => {
    const s = new PostgresStore({ connectionString: 'postgres://h/db' }, () => Promise.reject(new Error("Cannot find package 'pg'")));
    await expect(s.open({})).rejects.toThrow(/npm install pg/);
    await expect(new PostgresStore({ connectionString: 'postgres://h/db' }, () => Promise.resolve({ nothing: true })).open({})).rejects.toThrow(StorageError);
  });

  it('fails fast on an unreachable server: refused, and silent (timeout)', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await expect(postgresStore({ connectionString: `postgres://u@127.0.0.1:${port}/db`, connectTimeoutMs: 2000 }).open({})).rejects.toThrow(StorageError);
    // A server that accepts and never answers.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    cleanup.push(async () => {
      silent.close();
    });
    const sp = (silent.address() as net.AddressInfo).port;
    const err = await postgresStore({ connectionString: `postgres://u:secret@127.0.0.1:${sp}/db`, connectTimeoutMs: 200 })
      .open({})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(String((err as Error).message)).not.toContain('secret');
    for (const s of ['postgres://[::1', 'postgresql://u@127.0.0.1:99999/db']) {
      await expect(postgresStore({ connectionString: s, connectTimeoutMs: 500 }).open({})).rejects.toThrow(StorageError);
    }
  });

  it('refuses calls before open and after close', async () => {
    const s = postgresStore({ connectionString: 'postgres://h/db' });
    await expect(s.commit([])).rejects.toThrow(/not open/);
    expect(() => s.follow(0, () => undefined)).toThrow(StorageError);
    await s.close();
    await expect(s.open({})).rejects.toThrow(/closed/);
  });
});

describe.skipIf(!PG_URL)('postgres store: bad input against a server', () => {
  it('a database that does not exist: StorageError', async () => {
    const u = new URL(PG_URL!);
    u.pathname = '/no_such_database_here';
    await expect(postgresStore({ connectionString: u.toString() }).open({})).rejects.toThrow(StorageError);
  });

  it('a store of an unknown (newer) schema version: StorageError, nothing changed', async () => {
    const schema = freshSchema();
    const s = track(postgresStore({ connectionString: PG_URL!, schema }));
    await s.open({ a: 1 });
    await s.close();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`UPDATE ${schema}.schema_version SET version = 99`);
    const err = await postgresStore({ connectionString: PG_URL!, schema })
      .open({})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toMatch(/version 99/);
    expect((await c.query(`SELECT version FROM ${schema}.schema_version`)).rows[0].version).toBe(99);
    await c.end();
  });

  it('refuses malformed commit entries and unstorable values, writing nothing', async () => {
    const s = track(postgresStore({ connectionString: PG_URL!, schema: freshSchema() }));
    await s.open({});
    await expect(s.open({})).rejects.toThrow(/already open/);
    await expect(s.commit('x' as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(s.commit([{ ...entry(0), id: '' }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(s.commit([{ ...entry(0), baseVersion: -1 }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(s.commit([{ ...entry(0), reads: [7 as never] }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(s.commit([{ ...entry(0), outbox: [{ topic: '', payload: 1 }] }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    // A function cannot be stored: the whole batch is refused before anything is sent.
    await expect(s.commit([entry(0, { w: [key('a')] }), entry(0, { w: [key('b')], ops: [{ op: 'add', path: ['b'], value: () => 1 }] })])).rejects.toThrow(StorageError);
    expect(await s.commit([entry(0, { w: [key('a')] })])).toEqual([{ ok: true, version: 1 }]);
  });

  it('a connection dropped mid-commit, before, during or after the request: one commit, no duplicate', async () => {
    const schema = freshSchema();
    const proxy = new Proxy(target(PG_URL!));
    await proxy.start();
    cleanup.push(() => proxy.stop());
    const s = track(postgresStore({ connectionString: proxy.url(PG_URL!), schema }));
    await s.open({});
    for (const [i, when] of (['before-send', 'mid-send', 'after-reply'] as const).entries()) {
      proxy.trap = { match: `${schema}_commit`, when, count: 1 };
      const e = entry(i, { w: [key('a')], outbox: [{ topic: 't', payload: i }] });
      expect(await s.commit([e])).toEqual([{ ok: true, version: i + 1 }]);
      expect(proxy.trap.count).toBe(0);
    }
    // Twice in a row after the server committed: still one.
    proxy.trap = { match: `${schema}_commit`, when: 'after-reply', count: 2 };
    expect(await s.commit([entry(3, { w: [key('a')] })])).toEqual([{ ok: true, version: 4 }]);
    const versions: number[] = [];
    for await (const r of s.history({})) versions.push(r.version);
    expect(versions).toEqual([1, 2, 3, 4]);
    expect(await s.outbox.pending()).toBe(3);
  });

  it('a server gone for good: StorageError after the retries, nothing half-applied', async () => {
    const schema = freshSchema();
    const proxy = new Proxy(target(PG_URL!));
    await proxy.start();
    const s = track(postgresStore({ connectionString: proxy.url(PG_URL!), schema, commitAttempts: 2, connectTimeoutMs: 300 }));
    await s.open({});
    await proxy.stop();
    await expect(s.commit([entry(0, { w: [key('a')] })])).rejects.toThrow(StorageError);
    const direct = track(postgresStore({ connectionString: PG_URL!, schema }));
    expect(await direct.open({})).toEqual({ version: 0, root: {} });
  });

  it('the priority lane: while one engine holds it, other commits wait; its own commit goes through', async () => {
    const schema = freshSchema();
    const vip = track(postgresStore({ connectionString: PG_URL!, schema }));
    const other = track(postgresStore({ connectionString: PG_URL!, schema }));
    await vip.open({});
    await other.open({});
    await other.commit([entry(0, { w: [key('x')] })]);
    const lock = await vip.lockPaths([key('x')]);
    expect(lock.version).toBe(1);
    let otherDone = false;
    const waiting = other.commit([entry(1, { r: [key('x')], w: [key('x')] })]).then((v) => {
      otherDone = true;
      return v;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(otherDone).toBe(false);
    expect(await lock.commit([entry(1, { r: [key('x')], w: [key('x')] })])).toEqual([{ ok: true, version: 2 }]);
    await lock.release();
    expect((await waiting)[0]).toMatchObject({ ok: false, actualVersion: 2 });
    await expect(lock.commit([entry(2)])).rejects.toThrow(/released/);
    await expect(vip.lockPaths('x' as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
