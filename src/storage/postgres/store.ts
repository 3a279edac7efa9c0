import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { invalidArgument, StorageError, TheusError } from '../../errors.js';
import { OpReplay } from '../apply-ops.js';
import type { CommitEntry, CommitVerdict, HistoryQuery, HistoryRecord, OpenedStore, StorePathLock, TheusStore } from '../store.js';
import { checkout, DedicatedConnection, isTransient, isUnreachable, loadPg, redact, type PgModule, type PgPool, type PgQueryable } from './driver.js';
import { Follower } from './follower.js';
import { contestedKeys, planKeys } from './keys.js';
import { resolveOptions, type PostgresStoreOptions, type ResolvedOptions } from './options.js';
import { PgOutbox } from './outbox.js';
import { RECORD_COLUMNS, toRecord } from './records.js';
import { channelName, lockKey, migrations, SCHEMA_VERSION } from './schema.js';
import { Values } from './values.js';
import { checkHistoryQuery, checkVersionArg, matchesQuery } from '../history-query.js';

/** The priority lane across engines, held by one process at a time (see `lockPaths`). */
export type PathLock = StorePathLock;

type Root = Record<string, unknown>;

export class PostgresStore implements TheusStore {
  readonly kind = 'postgres';
  readonly authoritative = true;
  readonly outbox: PgOutbox;
  readonly engineId: string;
  readonly #o: ResolvedOptions;
  readonly #s: string;
  readonly #importer: (() => Promise<unknown>) | undefined;
  readonly #values: Values;
  #pg: PgModule | undefined;
  #pool: PgPool | undefined;
  #commits: DedicatedConnection | undefined;
  #opened = false;
  #closed = false;
  #applied = 0;
  #heartbeat: NodeJS.Timeout | undefined;
  #beats = 0;
  #maintaining: Promise<void> | undefined;
  readonly #followers = new Set<Follower>();
  readonly #locks = new Set<StorePathLock>();

  /** `importer` replaces `import('pg')` (tests use it to play a missing driver). */
  constructor(options: PostgresStoreOptions, importer?: () => Promise<unknown>) {
    this.#o = resolveOptions(options);
    this.#s = this.#o.schema;
    this.#importer = importer;
    this.#values = new Values(this.#o.classes);
    this.engineId = this.#o.engineId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.outbox = new PgOutbox(() => this.#live(), this.#s, this.#values);
  }

  get schema(): string {
    return this.#s;
  }

  #clientConfig(): Record<string, unknown> {
    return {
      connectionString: this.#o.connectionString,
      connectionTimeoutMillis: this.#o.connectTimeoutMs,
      query_timeout: this.#o.queryTimeoutMs,
      keepAlive: true,
      application_name: 'theus',
    };
  }

  #live(): PgPool {
    if (this.#closed) throw new StorageError('The PostgreSQL store is closed.');
    if (!this.#pool || !this.#opened) throw new StorageError('The PostgreSQL store is not open: call open() (TheusEngine.open does) first.');
    return this.#pool;
  }

  async open(initial: Readonly<Root>): Promise<OpenedStore> {
    if (this.#closed) throw new StorageError('The PostgreSQL store is closed; create a new one with postgresStore(…).');
    if (this.#opened) throw new StorageError('The PostgreSQL store is already open: one store object serves one engine.');
    if (initial === null || typeof initial !== 'object' || Array.isArray(initial)) throw invalidArgument('open(initial) needs the initial state root as an object.');
    this.#pg = await loadPg(this.#importer);
    try {
      this.#pool = new this.#pg.Pool({ ...this.#clientConfig(), max: Math.max(2, this.#o.poolSize), idleTimeoutMillis: 10_000 });
    } catch (cause) {
      throw new StorageError(`Cannot use the PostgreSQL connection string ${redact(this.#o.connectionString)}: ${String((cause as Error)?.message ?? cause)}`, { cause });
    }
    // An idle pooled connection that dies (server restart, killed backend) is replaced on next use.
    this.#pool.on('error', () => undefined);
    this.#commits = new DedicatedConnection(this.#pg, this.#clientConfig());
    try {
      const loaded = await this.#openOnce(initial);
      this.#applied = loaded.version;
      this.#opened = true;
      this.#heartbeat = setInterval(() => void this.#tick(), this.#o.heartbeatMs);
      this.#heartbeat.unref();
      return { version: loaded.version, root: loaded.root };
    } catch (err) {
      const pool = this.#pool;
      this.#pool = undefined;
      this.#opened = false;
      await this.#commits?.close().catch(() => undefined);
      await pool.end().catch(() => undefined);
      if (err instanceof TheusError) throw err;
      throw this.#connectError(err);
    }
  }

  /**
   * Migrating, loading and registering are each idempotent, so a connection that breaks midway is
   * simply tried again; a server that cannot be reached at all fails at once.
   */
  async #openOnce(initial: Readonly<Root>): Promise<OpenedStore> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#migrate(initial);
        const loaded = await this.#load();
        this.#applied = loaded.version;
        await this.#beat();
        return { version: loaded.version, root: loaded.root };
      } catch (err) {
        if (err instanceof TheusError || !isTransient(err) || isUnreachable(err) || attempt >= this.#o.commitAttempts) throw err;
        await sleep(Math.min(25 * 2 ** attempt, 1000));
      }
    }
  }

  #connectError(err: unknown): StorageError {
    const msg = String((err as Error)?.message ?? err);
    return new StorageError(
      `Cannot open the PostgreSQL store at ${redact(this.#o.connectionString)}: ${msg}. Check that the server is running and reachable and that the connection string (host, port, database, user, password) is right.`,
      { cause: err },
    );
  }

  async #migrate(initial: Readonly<Root>): Promise<void> {
    const client = await checkout(this.#pool!);
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(${lockKey(this.#s, 'migrate')})`);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.#s}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.#s}.schema_version (id int PRIMARY KEY CHECK (id = 1), version int NOT NULL)`);
      const r = await client.query(`SELECT version FROM ${this.#s}.schema_version WHERE id = 1`);
      const found = r.rows.length === 0 ? 0 : Number(r.rows[0]!.version);
      if (!Number.isInteger(found) || found < 0 || found > SCHEMA_VERSION) {
        throw new StorageError(
          `The PostgreSQL schema '${this.#s}' holds a Theus store of format version ${String(found)}, newer than this Theus understands (${SCHEMA_VERSION}). Upgrade Theus, or use another schema option.`,
        );
      }
      const steps = migrations(this.#s);
      for (let v = found + 1; v <= SCHEMA_VERSION; v++) await client.query(steps[v - 1]!);
      await client.query(
        `INSERT INTO ${this.#s}.schema_version (id, version) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET version = excluded.version`,
        [SCHEMA_VERSION],
      );
      const head = await client.query(`SELECT version FROM ${this.#s}.head WHERE id = 1`);
      if (head.rows.length === 0) {
        await client.query(`INSERT INTO ${this.#s}.snapshots (version, root) VALUES (0, $1)`, [this.#values.encode(initial)]);
        await client.query(`INSERT INTO ${this.#s}.head (id, version) VALUES (1, 0)`);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.done(true);
      throw err;
    }
    client.done();
  }

  /** The newest snapshot and the log after it, read in one snapshot of the database. */
  async #load(atMost?: number): Promise<OpenedStore & { replayed: number }> {
    const client = await checkout(this.#pool!);
    let broken = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const head = Number((await client.query(`SELECT version FROM ${this.#s}.head WHERE id = 1`)).rows[0]?.version ?? NaN);
      if (!Number.isInteger(head)) throw new StorageError(`The PostgreSQL schema '${this.#s}' has no head version: the store is corrupt. Drop the schema or use another one.`);
      const target = atMost === undefined ? head : Math.min(atMost, head);
      const snap = (
        await client.query(`SELECT version, root FROM ${this.#s}.snapshots WHERE version <= $1 ORDER BY version DESC LIMIT 1`, [target])
      ).rows[0];
      if (!snap) {
        await client.query('COMMIT');
        if (atMost !== undefined) return { version: target, root: undefined, replayed: 0 };
        throw new StorageError(`The PostgreSQL schema '${this.#s}' has no snapshot at or below version ${target}: the store is corrupt.`);
      }
      const from = Number(snap.version);
      const replay = new OpReplay(this.#values.decode(snap.root as string) as Root, true);
      let at = from;
      for (;;) {
        const rows = (
          await client.query(`SELECT version, ops FROM ${this.#s}.commits WHERE version > $1 AND version <= $2 ORDER BY version LIMIT 2000`, [at, target])
        ).rows;
        for (const row of rows) {
          const v = Number(row.version);
          if (v !== at + 1) {
            await client.query('COMMIT');
            if (atMost !== undefined) return { version: target, root: undefined, replayed: 0 };
            throw new StorageError(`The shared log of '${this.#s}' misses version ${at + 1}: the store is corrupt.`);
          }
          const ops = this.#values.decodeOps(row.ops as string);
          for (const op of ops) replay.adopt(op.value);
          replay.apply(ops);
          at = v;
        }
        if (rows.length < 2000) break;
      }
      await client.query('COMMIT');
      if (at !== target) {
        if (atMost !== undefined) return { version: target, root: undefined, replayed: 0 };
        throw new StorageError(`The shared log of '${this.#s}' ends at ${at}, before the head version ${target}: the store is corrupt.`);
      }
      return { version: target, root: replay.root, replayed: target - from };
    } catch (err) {
      broken = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.done(broken);
    }
  }

  async commit(entries: readonly CommitEntry[]): Promise<readonly CommitVerdict[]> {
    this.#live();
    if (!Array.isArray(entries)) throw invalidArgument('commit(entries) needs an array of commit entries.');
    if (entries.length === 0) return [];
    const req = entries.map((e) => encodeEntry(e, this.#values));
    const rows = await this.#send(this.#commits!, JSON.stringify(req), entries);
    const verdicts = this.#verdicts(entries, rows);
    await this.#catchUpTo(verdicts);
    return verdicts;
  }

  /**
   * After a refusal, waits (bounded) until this store's followers applied the versions that won,
   * so the engine re-runs on a snapshot that includes them. After a success, wakes the followers
   * at once so the versions before this one arrive without waiting for a notification.
   */
  async #catchUpTo(verdicts: readonly CommitVerdict[]): Promise<void> {
    if (this.#followers.size === 0) return;
    let newest = 0;
    let refused = 0;
    for (const v of verdicts) {
      if (v.ok) newest = Math.max(newest, v.version);
      else refused = Math.max(refused, v.actualVersion);
    }
    for (const f of this.#followers) if (newest > f.last + 1) f.catchUp();
    if (refused > 0) await Promise.all([...this.#followers].map((f) => f.waitFor(refused, Math.max(1000, this.#o.pollMs * 2))));
  }

  /** Sends one commit request, again on a fresh connection when the last one broke (same ids: idempotent). */
  async #send(q: PgQueryable, body: string, entries: readonly CommitEntry[], fallback?: PgPool): Promise<unknown[]> {
    let lastErr: unknown;
    for (let attempt = 0; attempt < this.#o.commitAttempts; attempt++) {
      if (attempt > 0) await sleep(Math.min(25 * 2 ** attempt, 1000));
      if (this.#closed) break;
      try {
        const r = await q.query({ name: `${this.#s}_commit`, text: `SELECT ${this.#s}.commit_batch($1::jsonb) AS r`, values: [body] });
        const out = r.rows[0]?.r;
        if (!Array.isArray(out) || out.length !== entries.length) throw new StorageError('The commit function answered with a malformed verdict list.');
        return out;
      } catch (err) {
        if (err instanceof TheusError || !isTransient(err)) {
          if (err instanceof TheusError) throw err;
          throw new StorageError(`The PostgreSQL commit failed and nothing was written: ${String((err as Error)?.message ?? err)}`, { cause: err });
        }
        lastErr = err;
        if (fallback) q = fallback;
      }
    }
    throw new StorageError(
      `The PostgreSQL commit could not reach the server after ${this.#o.commitAttempts} attempts (${String((lastErr as Error)?.message ?? lastErr)}). It either committed whole or not at all; a commit that did arrives through follow().`,
      { cause: lastErr },
    );
  }

  #verdicts(entries: readonly CommitEntry[], rows: unknown[]): CommitVerdict[] {
    return rows.map((raw, i) => {
      const r = raw as { ok: boolean; v?: number; a?: number; p?: string[] };
      if (r.ok) {
        const v = Number(r.v);
        if (v > this.#applied) this.#applied = v;
        return { ok: true, version: v };
      }
      const e = entries[i]!;
      return { ok: false, actualVersion: Number(r.a), paths: contestedKeys(e.reads, e.writes, r.p ?? ['*']) };
    });
  }

  follow(afterVersion: number, apply: (record: HistoryRecord) => void): () => void {
    const pool = this.#live();
    if (!Number.isInteger(afterVersion) || afterVersion < 0) throw invalidArgument(`follow() needs a version (a non-negative integer), got ${String(afterVersion)}.`);
    if (typeof apply !== 'function') throw invalidArgument('follow() needs a function to apply records.');
    const f = new Follower(
      {
        pg: this.#pg!,
        pool,
        clientConfig: this.#clientConfig(),
        schema: this.#s,
        channel: channelName(this.#s),
        pollMs: this.#o.pollMs,
        values: this.#values,
        onError: this.#o.onError,
        onApplied: (v) => {
          if (v > this.#applied) this.#applied = v;
        },
      },
      afterVersion,
      apply,
    );
    this.#followers.add(f);
    return () => {
      f.stop();
      this.#followers.delete(f);
    };
  }

  /**
   * Takes the priority lane shared by every engine: until `release()`, commits from every other
   * connection wait at their start, so a process that lost too many races can refresh, run and
   * commit through `commit()` here without being overtaken. The whole commit lane is taken (as
   * the in-memory lane does); `keys` (the process's declared conflict keys) are validated and
   * reserved for a finer lock. If the holder's connection dies, the lane is released with it.
   */
  async lockPaths(keys: readonly string[]): Promise<PathLock> {
    const pool = this.#live();
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) throw invalidArgument('lockPaths(keys) needs an array of conflict keys.');
    const client = await checkout(pool);
    let released = false;
    try {
      await client.query(`SELECT pg_advisory_lock(${lockKey(this.#s, 'lane')})`);
      const version = Number((await client.query(`SELECT version FROM ${this.#s}.head WHERE id = 1`)).rows[0]!.version);
      const lock: StorePathLock = {
        version,
        commit: async (entries) => {
          if (released) throw new StorageError('This path lock was released.');
          if (!Array.isArray(entries)) throw invalidArgument('commit(entries) needs an array of commit entries.');
          if (entries.length === 0) return [];
          const rows = await this.#send(client, JSON.stringify(entries.map((e) => encodeEntry(e, this.#values))), entries, this.#live());
          const verdicts = this.#verdicts(entries, rows);
          await this.#catchUpTo(verdicts);
          return verdicts;
        },
        release: async () => {
          if (released) return;
          released = true;
          this.#locks.delete(lock);
          try {
            await client.query(`SELECT pg_advisory_unlock(${lockKey(this.#s, 'lane')})`);
            client.done();
          } catch {
            client.done(true);
          }
        },
      };
      this.#locks.add(lock);
      return lock;
    } catch (err) {
      client.done(true);
      throw err instanceof TheusError ? err : new StorageError(`Could not take the priority lane: ${String((err as Error)?.message ?? err)}`, { cause: err });
    }
  }

  async *history(query: HistoryQuery = {}): AsyncIterable<HistoryRecord> {
    const pool = this.#live();
    checkHistoryQuery(query);
    const to = query.to ?? Number.MAX_SAFE_INTEGER;
    let after = (query.from ?? 0) - 1;
    for (;;) {
      const rows = (
        await pool.query(`SELECT ${RECORD_COLUMNS} FROM ${this.#s}.commits WHERE version > $1 AND version <= $2 ORDER BY version LIMIT 500`, [after, to])
      ).rows;
      for (const row of rows) {
        const rec = toRecord(row, this.#values);
        after = rec.version;
        if (matchesQuery(rec, query)) yield rec;
      }
      if (rows.length < 500) return;
    }
  }

  async stateAt(version: number): Promise<Readonly<Root> | undefined> {
    this.#live();
    checkVersionArg(version, 'stateAt version');
    const r = await this.#load(version);
    return r.version === version ? r.root : undefined;
  }

  /** The version this engine reports as applied (pruning never removes what a live engine still needs). */
  get appliedVersion(): number {
    return this.#applied;
  }

  async #beat(): Promise<void> {
    await this.#pool!.query(
      `INSERT INTO ${this.#s}.engines (id, applied, heartbeat) VALUES ($1, $2, now())
       ON CONFLICT (id) DO UPDATE SET applied = excluded.applied, heartbeat = now()`,
      [this.engineId, this.#applied],
    );
  }

  /** Every heartbeat reports the applied version; every `maintainEvery`-th one also maintains. */
  async #tick(): Promise<void> {
    if (this.#closed || this.#maintaining) return;
    const full = ++this.#beats % this.#o.maintainEvery === 0;
    this.#maintaining = (async () => {
      try {
        if (full) await this.maintain();
        else await this.#beat();
      } catch (err) {
        if (!this.#closed) this.#o.onError(err instanceof StorageError ? err : new StorageError(`Heartbeat or maintenance failed: ${String((err as Error)?.message ?? err)}`, { cause: err }));
      }
    })().finally(() => {
      this.#maintaining = undefined;
    });
    await this.#maintaining;
  }

  /**
   * Writes a snapshot when the log after the newest one has grown long, and prunes the log below
   * what every live engine applied (and below the newest snapshot, so a joining engine can always
   * start from a snapshot and the log after it). One engine at a time does it; the others skip.
   * Runs on every `maintainEvery`-th heartbeat (a snapshot costs in proportion to the state, so
   * it is not taken often); public so tests and tools can run it at once.
   */
  async maintain(): Promise<{ snapshot?: number; pruned: number }> {
    const pool = this.#live();
    await this.#beat();
    const client = await checkout(pool);
    let destroy = false;
    try {
      const got = await client.query(`SELECT pg_try_advisory_lock(${lockKey(this.#s, 'maintain')}) AS ok`);
      if (got.rows[0]?.ok !== true) return { pruned: 0 };
      try {
        const out: { snapshot?: number; pruned: number } = { pruned: 0 };
        const head = Number((await client.query(`SELECT version FROM ${this.#s}.head WHERE id = 1`)).rows[0]!.version);
        const newest = Number((await client.query(`SELECT max(version) AS v FROM ${this.#s}.snapshots`)).rows[0]!.v ?? 0);
        let snap = newest;
        if (head - newest >= this.#o.snapshotEvery) {
          const s = await this.#load(head);
          if (s.root !== undefined) {
            await client.query(`INSERT INTO ${this.#s}.snapshots (version, root) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING`, [s.version, this.#values.encode(s.root)]);
            snap = s.version;
            out.snapshot = s.version;
          }
        }
        const live = await client.query(
          `SELECT min(applied) AS v FROM ${this.#s}.engines WHERE heartbeat > now() - $1 * interval '1 millisecond'`,
          [this.#o.engineTimeoutMs],
        );
        const minApplied = live.rows[0]?.v === null || live.rows[0]?.v === undefined ? snap : Number(live.rows[0].v);
        const floor = Math.min(minApplied, snap);
        const del = await client.query(
          `DELETE FROM ${this.#s}.commits WHERE version <= $1 AND committed_at < now() - $2 * interval '1 millisecond'`,
          [floor, this.#o.retainMs],
        );
        out.pruned = del.rowCount ?? 0;
        const oldest = Number((await client.query(`SELECT min(version) AS v FROM ${this.#s}.commits`)).rows[0]!.v ?? head + 1);
        // A snapshot older than the newest one the remaining log can start from serves nothing.
        await client.query(
          `DELETE FROM ${this.#s}.snapshots WHERE version < (SELECT max(version) FROM ${this.#s}.snapshots WHERE version < $1)`,
          [oldest],
        );
        await client.query(`DELETE FROM ${this.#s}.engines WHERE heartbeat < now() - $1 * interval '1 millisecond'`, [this.#o.engineTimeoutMs * 10]);
        return out;
      } finally {
        await client.query(`SELECT pg_advisory_unlock(${lockKey(this.#s, 'maintain')})`);
      }
    } catch (err) {
      destroy = true;
      throw err;
    } finally {
      client.done(destroy);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    for (const f of this.#followers) f.stop();
    this.#followers.clear();
    await Promise.all([...this.#locks].map((l) => l.release()));
    const pool = this.#pool;
    this.#pool = undefined;
    if (!pool) return;
    await this.#maintaining?.catch(() => undefined);
    await this.#commits?.close().catch(() => undefined);
    if (this.#opened) await pool.query(`DELETE FROM ${this.#s}.engines WHERE id = $1`, [this.engineId]).catch(() => undefined);
    await pool.end().catch(() => undefined);
  }
}

/** One commit as the server function reads it (short keys: the request is parsed per commit). */
function encodeEntry(e: CommitEntry, values: Values): Record<string, unknown> {
  if (e === null || typeof e !== 'object') throw invalidArgument('A commit entry must be an object.');
  if (typeof e.id !== 'string' || e.id.length === 0 || e.id.length > 200) throw invalidArgument('A commit entry needs an id (a non-empty string of at most 200 characters).');
  if (!Number.isInteger(e.baseVersion) || e.baseVersion < 0) throw invalidArgument(`Commit ${e.id}: baseVersion must be a non-negative integer.`);
  if (!Array.isArray(e.ops) || !Array.isArray(e.reads) || !Array.isArray(e.writes) || !Array.isArray(e.signals) || !Array.isArray(e.outbox)) {
    throw invalidArgument(`Commit ${e.id}: ops, reads, writes, signals and outbox must be arrays.`);
  }
  if (e.reads.some((k) => typeof k !== 'string') || e.writes.some((k) => typeof k !== 'string')) throw invalidArgument(`Commit ${e.id}: conflict keys must be strings.`);
  const keys = planKeys(e.reads, e.writes, e.ops);
  return {
    i: e.id,
    b: e.baseVersion,
    p: e.process,
    o: values.encodeOps(e.ops),
    g: values.encode(e.signals),
    a: Number.isFinite(e.at) ? Math.trunc(e.at) : Date.now(),
    s: keys.strict,
    t: keys.touched,
    ta: keys.touchedAncestors,
    w: keys.writes,
    wa: keys.writeAncestors,
    x: e.outbox.map((m) => {
      if (m === null || typeof m !== 'object' || typeof m.topic !== 'string' || m.topic.length === 0) throw invalidArgument(`Commit ${e.id}: an outbox message needs a topic.`);
      return [m.topic, values.encode(m.payload)];
    }),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
