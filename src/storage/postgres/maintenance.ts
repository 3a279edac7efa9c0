import { StorageError } from '../../errors.js';
import { checkout, type PgPool } from './driver.js';
import { loadState } from './load-state.js';
import type { ResolvedOptions } from './options.js';
import { lockKey } from './schema.js';
import type { Values } from './values.js';

export interface MaintenanceHost {
  /** The open pool; throws StorageError once the store is closed. */
  readonly pool: () => PgPool;
  readonly schema: string;
  readonly values: Values;
  readonly engineId: string;
  readonly options: ResolvedOptions;
  /** The version this engine has applied, as reported to the engine registry. */
  readonly applied: () => number;
}

/**
 * Off the commit path: the engine registry's heartbeat (which version this engine applied),
 * snapshots of the state, and pruning of the shared log below what every live engine applied.
 */
export class Maintenance {
  #timer: NodeJS.Timeout | undefined;
  #beats = 0;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(private readonly host: MaintenanceHost) {}

  start(): void {
    this.#timer = setInterval(() => void this.#tick(), this.host.options.heartbeatMs);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a heartbeat or maintenance run still under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  /** Reports this engine's applied version (registering it on first call). */
  async beat(): Promise<void> {
    const s = this.host.schema;
    await this.host.pool().query(
      `INSERT INTO ${s}.engines (id, applied, heartbeat) VALUES ($1, $2, now())
       ON CONFLICT (id) DO UPDATE SET applied = excluded.applied, heartbeat = now()`,
      [this.host.engineId, this.host.applied()],
    );
  }

  /** Every heartbeat reports the applied version; every `maintainEvery`-th one also maintains. */
  async #tick(): Promise<void> {
    if (this.#stopped || this.#running) return;
    const full = ++this.#beats % this.host.options.maintainEvery === 0;
    this.#running = (async () => {
      try {
        if (full) await this.run();
        else await this.beat();
      } catch (err) {
        if (!this.#stopped) this.host.options.onError(err instanceof StorageError ? err : new StorageError(`Heartbeat or maintenance failed: ${String((err as Error)?.message ?? err)}`, { cause: err }));
      }
    })().finally(() => {
      this.#running = undefined;
    });
    await this.#running;
  }

  /**
   * Writes a snapshot when the log after the newest one has grown long, and prunes the log below
   * what every live engine applied (and below the newest snapshot, so a joining engine can always
   * start from a snapshot and the log after it). One engine at a time does it; the others skip.
   */
  async run(): Promise<{ snapshot?: number; pruned: number }> {
    const { schema: s, values, options: o } = this.host;
    const pool = this.host.pool();
    await this.beat();
    const client = await checkout(pool);
    let destroy = false;
    try {
      const got = await client.query(`SELECT pg_try_advisory_lock(${lockKey(s, 'maintain')}) AS ok`);
      if (got.rows[0]?.ok !== true) return { pruned: 0 };
      try {
        const out: { snapshot?: number; pruned: number } = { pruned: 0 };
        const head = Number((await client.query(`SELECT version FROM ${s}.head WHERE id = 1`)).rows[0]!.version);
        const newest = Number((await client.query(`SELECT max(version) AS v FROM ${s}.snapshots`)).rows[0]!.v ?? 0);
        let snap = newest;
        if (head - newest >= o.snapshotEvery) {
          const loaded = await loadState(pool, s, values, head);
          if (loaded.root !== undefined) {
            await client.query(`INSERT INTO ${s}.snapshots (version, root) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING`, [loaded.version, values.encode(loaded.root)]);
            snap = loaded.version;
            out.snapshot = loaded.version;
          }
        }
        const live = await client.query(`SELECT min(applied) AS v FROM ${s}.engines WHERE heartbeat > now() - $1 * interval '1 millisecond'`, [o.engineTimeoutMs]);
        const minApplied = live.rows[0]?.v === null || live.rows[0]?.v === undefined ? snap : Number(live.rows[0].v);
        const floor = Math.min(minApplied, snap);
        const del = await client.query(`DELETE FROM ${s}.commits WHERE version <= $1 AND committed_at < now() - $2 * interval '1 millisecond'`, [floor, o.retainMs]);
        out.pruned = del.rowCount ?? 0;
        const oldest = Number((await client.query(`SELECT min(version) AS v FROM ${s}.commits`)).rows[0]!.v ?? head + 1);
        // A snapshot older than the newest one the remaining log can start from serves nothing.
        await client.query(`DELETE FROM ${s}.snapshots WHERE version < (SELECT max(version) FROM ${s}.snapshots WHERE version < $1)`, [oldest]);
        await client.query(`DELETE FROM ${s}.engines WHERE heartbeat < now() - $1 * interval '1 millisecond'`, [o.engineTimeoutMs * 10]);
        return out;
      } finally {
        await client.query(`SELECT pg_advisory_unlock(${lockKey(s, 'maintain')})`);
      }
    } catch (err) {
      destroy = true;
      throw err;
    } finally {
      client.done(destroy);
    }
  }
}
