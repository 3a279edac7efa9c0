import net from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../../src/errors.js';
import { TheusEngine, defineProcess } from '../../../src/index.js';
import { PostgresStore, postgresStore } from '../../../src/storage/postgres/index.js';
import { entry, freshSchema, key, PG_URL, Proxy, target, until } from './helpers.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
function track<T extends { close(): Promise<void> }>(s: T): T {
  cleanup.push(() => s.close());
  return s;
}

/** A store opened through a proxy that can cut its connections at chosen moments. */
async function storeBehindProxy() {
  const schema = freshSchema();
  const proxy = new Proxy(target(PG_URL!));
  await proxy.start();
  cleanup.push(() => proxy.stop());
  const s = track(postgresStore({ connectionString: proxy.url(PG_URL!), schema }));
  await s.open({});
  return { schema, proxy, s };
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

  it('a schema of no known format (negative version, or tables that are not a Theus store): StorageError, nothing changed', async () => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    cleanup.push(() => c.end());
    const negative = freshSchema();
    await track(postgresStore({ connectionString: PG_URL!, schema: negative })).open({});
    await c.query(`UPDATE ${negative}.schema_version SET version = -3`);
    await expect(postgresStore({ connectionString: PG_URL!, schema: negative }).open({})).rejects.toThrow(/version of -3/);
    const foreign = freshSchema();
    await c.query(`CREATE SCHEMA ${foreign}`);
    await c.query(`CREATE TABLE ${foreign}.commits (x int)`);
    const err = await postgresStore({ connectionString: PG_URL!, schema: foreign })
      .open({})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toMatch(/not a Theus store/);
    const tables = await c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [foreign]);
    expect(tables.rows.map((r) => r.table_name)).toEqual(['commits']);
  });

  it('a connection lost while opening (migrating, loading): opened once, on the retry', async () => {
    const schema = freshSchema();
    const proxy = new Proxy(target(PG_URL!));
    await proxy.start();
    cleanup.push(() => proxy.stop());
    for (const [match, when] of [
      ['CREATE SCHEMA', 'before-send'],
      ['INSERT INTO', 'after-reply'],
      ['REPEATABLE READ', 'mid-send'],
    ] as const) {
      proxy.trap = { match, when, count: 1 };
      const s = track(postgresStore({ connectionString: proxy.url(PG_URL!), schema }));
      expect(await s.open({ n: 1 })).toEqual({ version: 0, root: { n: 1 } });
      expect(proxy.trap.count).toBe(0);
      await s.close();
    }
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    cleanup.push(() => c.end());
    expect((await c.query(`SELECT version FROM ${schema}.snapshots`)).rows).toEqual([{ version: '0' }]);
  });

  it('the commit connection killed while the server runs the commit: rolled back there, retried once, no duplicate', async () => {
    const schema = freshSchema();
    const s = track(postgresStore({ connectionString: PG_URL!, schema }));
    await s.open({});
    const blocker = new pg.Client({ connectionString: PG_URL });
    await blocker.connect();
    cleanup.push(() => blocker.end());
    // Holding the head row keeps the commit inside the server, mid-transaction, until it is killed.
    await blocker.query('BEGIN');
    await blocker.query(`SELECT version FROM ${schema}.head WHERE id = 1 FOR UPDATE`);
    const e = entry(0, { w: [key('a')], outbox: [{ topic: 't', payload: 1 }] });
    const committing = s.commit([e]);
    // Another connection watches: inside a transaction, pg_stat_activity is read once and kept.
    const watcher = new pg.Client({ connectionString: PG_URL });
    await watcher.connect();
    cleanup.push(() => watcher.end());
    let pid: number | undefined;
    await until(async () => {
      const r = await watcher.query(`SELECT pid FROM pg_stat_activity WHERE query LIKE $1 AND wait_event_type = 'Lock'`, [`%${schema}.commit_batch%`]);
      pid = r.rows[0]?.pid as number | undefined;
      return pid !== undefined;
    }, 'the commit to wait for the head row');
    await watcher.query('SELECT pg_terminate_backend($1)', [pid]);
    await blocker.query('COMMIT');
    expect(await committing).toEqual([{ ok: true, version: 1 }]);
    const versions: number[] = [];
    for await (const r of s.history({})) versions.push(r.version);
    expect(versions).toEqual([1]);
    expect(await s.outbox.pending()).toBe(1);
  });

  it('connections lost while taking the priority lane and while committing through it: one commit', async () => {
    const { schema, proxy, s } = await storeBehindProxy();
    proxy.trap = { match: 'pg_advisory_lock', when: 'before-send', count: 1 };
    const lock = await s.lockPaths([key('a')]);
    expect(proxy.trap.count).toBe(0);
    proxy.trap = { match: `${schema}_commit`, when: 'after-reply', count: 1 };
    expect(await lock.commit([entry(0, { w: [key('a')] })])).toEqual([{ ok: true, version: 1 }]);
    expect(proxy.trap.count).toBe(0);
    await lock.release();
    expect(await s.commit([entry(1, { w: [key('a')] })])).toEqual([{ ok: true, version: 2 }]);
    const versions: number[] = [];
    for await (const r of s.history({})) versions.push(r.version);
    expect(versions).toEqual([1, 2]);
  });

  it('refuses malformed follow() arguments with INVALID_ARGUMENT', async () => {
    const s = track(postgresStore({ connectionString: PG_URL!, schema: freshSchema() }));
    await s.open({});
    for (const args of [[-1, () => undefined], [1.5, () => undefined], ['0', () => undefined], [0, 'apply'], [0, () => undefined, 'fail'], [0, () => undefined, {}]]) {
      expect(() => (s.follow as (...a: unknown[]) => unknown)(...args), JSON.stringify(args)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error);
    }
    const stop = s.follow(0, () => undefined, () => undefined);
    stop();
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
    const { schema, proxy, s } = await storeBehindProxy();
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

describe.skipIf(!PG_URL)('postgres store: hostile rows in the shared log', () => {
  const hostile: readonly (readonly (string | number)[])[] = [
    ['__proto__', 'polluted'],
    ['constructor', 'prototype', 'polluted'],
    ['domain', '__proto__', 'polluted'],
    ['domain', 'constructor', 'prototype', 'polluted'],
    ['domain', 'prototype'],
  ];

  /** Writes a row straight into the log (as someone with access to the database could) and wakes the engines. */
  async function inject(c: pg.Client, schema: string, version: number, ops: unknown): Promise<void> {
    await c.query('BEGIN');
    await c.query(`INSERT INTO ${schema}.commits (version, id, process, ops, signals, at) VALUES ($1, $2, 'evil', $3, '[]', 0)`, [version, `evil-${version}`, JSON.stringify(ops)]);
    await c.query(`UPDATE ${schema}.head SET version = $1 WHERE id = 1`, [version]);
    await c.query(`SELECT pg_notify('${schema}_commits', $1)`, [String(version)]);
    await c.query('COMMIT');
  }

  it.each(hostile.map((p) => [p.join('.'), p] as const))('a follow or catch-up row writing at %s never reaches a prototype', async (_name, path) => {
    const schema = freshSchema();
    const errors: StorageError[] = [];
    const store = track(postgresStore({ connectionString: PG_URL!, schema, pollMs: 20, onError: (e) => errors.push(e) }));
    await store.open({ domain: { a: 1 } });
    const seen: number[] = [];
    store.follow(0, (r) => void seen.push(r.version));
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    cleanup.push(() => c.end());
    await inject(c, schema, 1, [{ op: 'add', path, value: { yes: true } }]);
    await until(() => errors.length > 0, 'the follower to refuse the row');
    expect(errors[0]).toBeInstanceOf(StorageError);
    expect(errors[0]!.message).toMatch(/refused key/);
    expect(seen).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.prototype).not.toHaveProperty('yes');
    // The same row read by history, rebuilt by stateAt or loaded by a joining engine: refused too.
    await expect((async () => {
      for await (const r of store.history({})) void r;
    })()).rejects.toThrow(StorageError);
    await expect(store.stateAt(1)).rejects.toThrow(StorageError);
    await expect(track(postgresStore({ connectionString: PG_URL!, schema })).open({})).rejects.toThrow(StorageError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('an engine following a hostile row stays unpolluted and reports it', async () => {
    const schema = freshSchema();
    const errors: StorageError[] = [];
    const engine = await TheusEngine.open({ domain: { a: 1 } }, { storage: postgresStore({ connectionString: PG_URL!, schema, pollMs: 20, onError: (e) => errors.push(e) }) });
    cleanup.push(() => engine.close());
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    cleanup.push(() => c.end());
    await inject(c, schema, 1, hostile.map((path) => ({ op: 'add', path, value: 1 })));
    await until(() => errors.length > 0, 'the follower to refuse the row');
    expect(engine.state.version).toBe(0);
    expect(engine.state.domain).toEqual({ a: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    // A version it cannot apply is never skipped: the engine stops there and says so, instead of
    // waiting forever behind it (every later commit, its own included, would come after it).
    const bump = defineProcess({ name: 'bump', inputs: ['domain.a'], outputs: ['domain.a'] }, (ctx) => {
      ctx.domain.a += 1;
    });
    const refused = await engine.execute(bump).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(StorageError);
    expect((refused as StorageError).message).toMatch(/Version 1 of the shared log cannot be applied/);
    expect(() => engine.edit((ctx) => void (ctx.domain['b'] = 1))).toThrow(StorageError);
    expect(engine.state.version).toBe(0);
  });

  it('malformed ops in a log row: StorageError, never applied', async () => {
    const schema = freshSchema();
    const store = track(postgresStore({ connectionString: PG_URL!, schema }));
    await store.open({ domain: {} });
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    cleanup.push(() => c.end());
    const bad: unknown[] = [
      { op: 'add', path: [], value: 1 },
      { op: 'merge', path: ['domain', 'x'], value: 1 },
      { op: 'add', path: 'domain.x', value: 1 },
      { op: 'add', path: ['domain', { k: 1 }], value: 1 },
      null,
    ];
    for (const [i, op] of bad.entries()) {
      const s2 = freshSchema();
      const st = track(postgresStore({ connectionString: PG_URL!, schema: s2 }));
      await st.open({ domain: {} });
      await inject(c, s2, 1, [op]);
      await expect(st.stateAt(1), `op ${i}`).rejects.toThrow(StorageError);
      await expect((async () => {
        for await (const r of st.history({})) void r;
      })(), `op ${i}`).rejects.toThrow(StorageError);
    }
  });
});
