import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { invalidArgument, StorageError, TheusError } from '../../errors.js';
import type { CommitEntry, CommitVerdict, HistoryQuery, HistoryRecord, OpenedStore, StorePathLock, TheusStore } from '../store.js';
import { encodeBatch } from './commit-request.js';
import { checkout, DedicatedConnection, isTransient, isUnreachable, loadPg, redact, type PgModule, type PgPool, type PgQueryable } from './driver.js';
import { Follower } from './follower.js';
import { contestedKeys } from './keys.js';
import { loadState } from './load-state.js';
import { Maintenance } from './maintenance.js';
import { migrate } from './migrate.js';
import { resolveOptions, type PostgresStoreOptions, type ResolvedOptions } from './options.js';
import { PgOutbox } from './outbox.js';
import { RECORD_COLUMNS, toRecord } from './records.js';
import { channelName, lockKey } from './schema.js';
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
  readonly #upkeep: Maintenance;
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
    this.#upkeep = new Maintenance({
      pool: () => this.#pool ?? this.#live(),
      schema: this.#s,
      values: this.#values,
      engineId: this.engineId,
      options: this.#o,
      applied: () => this.#applied,
    });
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
      this.#upkeep.start();
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
        await migrate(this.#pool!, this.#s, this.#values, initial);
        const loaded = await loadState(this.#pool!, this.#s, this.#values);
        this.#applied = loaded.version;
        await this.#upkeep.beat();
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

  async commit(entries: readonly CommitEntry[]): Promise<readonly CommitVerdict[]> {
    this.#live();
    if (!Array.isArray(entries)) throw invalidArgument('commit(entries) needs an array of commit entries.');
    if (entries.length === 0) return [];
    const rows = await this.#send(this.#commits!, encodeBatch(entries, this.#values), entries);
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

  follow(afterVersion: number, apply: (record: HistoryRecord) => void, fail?: (error: StorageError) => void): () => void {
    const pool = this.#live();
    if (!Number.isInteger(afterVersion) || afterVersion < 0) throw invalidArgument(`follow() needs a version (a non-negative integer), got ${String(afterVersion)}.`);
    if (typeof apply !== 'function') throw invalidArgument('follow() needs a function to apply records.');
    if (fail !== undefined && typeof fail !== 'function') throw invalidArgument('follow(): fail, when given, must be a function (it receives the StorageError that stopped following).');
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
      fail,
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
   * reserved for a finer lock. If the holder's connection dies, the lane is released with it;
   * a connection that breaks while the lane is being taken is replaced, as for a commit.
   */
  async lockPaths(keys: readonly string[]): Promise<PathLock> {
    this.#live();
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) throw invalidArgument('lockPaths(keys) needs an array of conflict keys.');
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#lockOnce();
      } catch (err) {
        if (err instanceof TheusError || !isTransient(err) || attempt >= this.#o.commitAttempts || this.#closed) {
          throw err instanceof TheusError ? err : new StorageError(`Could not take the priority lane: ${String((err as Error)?.message ?? err)}`, { cause: err });
        }
        await sleep(Math.min(25 * 2 ** attempt, 1000));
      }
    }
  }

  async #lockOnce(): Promise<PathLock> {
    const client = await checkout(this.#live());
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
          const rows = await this.#send(client, encodeBatch(entries, this.#values), entries, this.#live());
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
      if (this.#closed) {
        // close() ran while this waited for the lane: it released every lock it knew, not this one.
        await lock.release();
        throw new StorageError('The PostgreSQL store is closed.');
      }
      this.#locks.add(lock);
      // The holder waits until its engine applied `version`: fetch it now rather than at the next notification.
      for (const f of this.#followers) if (f.last < version) f.catchUp();
      return lock;
    } catch (err) {
      client.done(true);
      throw err;
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
    const r = await loadState(this.#live(), this.#s, this.#values, version);
    return r.version === version ? r.root : undefined;
  }

  /** The version this engine reports as applied (pruning never removes what a live engine still needs). */
  get appliedVersion(): number {
    return this.#applied;
  }

  /**
   * Snapshots and prunes at once (see Maintenance.run); it otherwise runs on every
   * `maintainEvery`-th heartbeat, since a snapshot costs in proportion to the state.
   */
  maintain(): Promise<{ snapshot?: number; pruned: number }> {
    this.#live();
    return this.#upkeep.run();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const upkeep = this.#upkeep.stop();
    for (const f of this.#followers) f.stop();
    this.#followers.clear();
    await Promise.all([...this.#locks].map((l) => l.release()));
    const pool = this.#pool;
    this.#pool = undefined;
    if (!pool) return;
    await upkeep;
    await this.#commits?.close().catch(() => undefined);
    if (this.#opened) await pool.query(`DELETE FROM ${this.#s}.engines WHERE id = $1`, [this.engineId]).catch(() => undefined);
    await pool.end().catch(() => undefined);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
