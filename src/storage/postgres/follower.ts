import { StorageError } from '../../errors.js';
import type { HistoryRecord } from '../store.js';
import type { PgClient, PgModule, PgPool } from './driver.js';
import { RECORD_COLUMNS, toRecord } from './records.js';
import type { Values } from './values.js';

export interface FollowerConfig {
  readonly pg: PgModule;
  readonly pool: PgPool;
  readonly clientConfig: Record<string, unknown>;
  readonly schema: string;
  readonly channel: string;
  readonly pollMs: number;
  readonly values: Values;
  readonly onError: (err: StorageError) => void;
  readonly onApplied: (version: number) => void;
}

const PAGE = 500;

/**
 * Feeds every commit after a version to `apply`, in version order, exactly once.
 *
 * Notifications only wake the follower: what it applies always comes from a catch-up query on
 * the log (versions after the last applied), run on each notification, after each reconnect of
 * the listening connection and on a periodic poll. A notification lost with a dropped connection
 * therefore costs latency, never a commit. Versions are gapless and become visible in order (the
 * commit that takes version v + 1 waits for v's transaction to finish), so "after the last
 * applied" never skips one.
 */
export class Follower {
  #last: number;
  #stopped = false;
  #running = false;
  #again = false;
  #listener: PgClient | undefined;
  /** The listener once it is connected and listening. */
  #listening: PgClient | undefined;
  #reconnects = 0;
  #poll: NodeJS.Timeout;
  #retry: NodeJS.Timeout | undefined;
  #waiters: { version: number; resolve: () => void }[] = [];

  constructor(
    private readonly cfg: FollowerConfig,
    after: number,
    private readonly apply: (record: HistoryRecord) => void,
    private readonly fail: (error: StorageError) => void = () => undefined,
  ) {
    this.#last = after;
    // Timers stay referenced: a follower holds its listening connection open anyway (until
    // stop()), and a commit waiting for earlier versions must not see the process exit while the
    // connection is being replaced.
    this.#poll = setInterval(() => this.catchUp(), cfg.pollMs);
    void this.#listen();
    this.catchUp();
  }

  #halt(error: StorageError): void {
    this.cfg.onError(error);
    this.stop();
    this.fail(error);
  }

  get last(): number {
    return this.#last;
  }

  /**
   * Resolves once `version` was applied (or the follower stopped, or `limitMs` passed): a commit
   * refused because of newer versions is answered only after they reached the engine, so its
   * retry runs on a snapshot that includes the winner instead of losing to it again.
   */
  waitFor(version: number, limitMs: number): Promise<void> {
    if (this.#last >= version || this.#stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiter = {
        version,
        resolve: () => {
          clearTimeout(timer);
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          resolve();
        },
      };
      const timer = setTimeout(() => waiter.resolve(), limitMs);
      this.#waiters.push(waiter);
      this.catchUp();
    });
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    for (const w of [...this.#waiters]) if (this.#stopped || w.version <= this.#last) w.resolve();
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#wake();
    clearInterval(this.#poll);
    if (this.#retry) clearTimeout(this.#retry);
    const l = this.#listener;
    this.#listener = undefined;
    this.#listening = undefined;
    if (l) l.end().catch(() => undefined);
  }

  /** Runs the catch-up query until the log is exhausted; concurrent calls fold into one more pass. */
  catchUp(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    void this.#drain().finally(() => {
      this.#running = false;
      if (this.#again && !this.#stopped) {
        this.#again = false;
        this.catchUp();
      }
    });
  }

  async #drain(): Promise<void> {
    for (;;) {
      this.#again = false;
      let rows: Record<string, unknown>[];
      try {
        // The listening connection runs the catch-up too: the pool may be busy with commits that
        // wait behind another engine's priority lane, and catching up must never wait for them.
        const r = await (this.#listening ?? this.cfg.pool).query(
          `SELECT ${RECORD_COLUMNS} FROM ${this.cfg.schema}.commits WHERE version > $1 ORDER BY version LIMIT ${PAGE}`,
          [this.#last],
        );
        rows = r.rows;
      } catch {
        return; // the connection is down: the poll or the next notification tries again
      }
      for (const row of rows) {
        if (this.#stopped) return;
        const v = Number(row.version);
        if (v <= this.#last) continue;
        if (v !== this.#last + 1) {
          this.#halt(
            new StorageError(
              `This engine applied up to version ${this.#last}, but the shared log now starts at ${v}: it was pruned while the engine was not seen (heartbeat missed for longer than engineTimeoutMs). Reopen the engine to load a fresh snapshot.`,
            ),
          );
          return;
        }
        try {
          this.apply(toRecord(row, this.cfg.values));
        } catch (cause) {
          // Skipping a version would leave every later one, and this engine's own commits, waiting
          // behind it: following stops here, where the log can no longer be applied in order.
          this.#halt(cause instanceof StorageError ? cause : new StorageError(`Applying version ${v} from the shared log failed: ${String((cause as Error)?.message ?? cause)}`, { cause }));
          return;
        }
        this.#last = v;
        this.cfg.onApplied(v);
      }
      this.#wake();
      if (rows.length < PAGE && !this.#again) return;
    }
  }

  async #listen(): Promise<void> {
    if (this.#stopped) return;
    const client = new this.cfg.pg.Client(this.cfg.clientConfig);
    this.#listener = client;
    let lost = false;
    const onLost = () => {
      if (lost) return;
      lost = true;
      if (this.#listener === client) this.#listener = undefined;
      if (this.#listening === client) this.#listening = undefined;
      client.end().catch(() => undefined);
      if (this.#stopped) return;
      const delay = Math.min(50 * 2 ** this.#reconnects, 2000);
      this.#reconnects++;
      this.#retry = setTimeout(() => void this.#listen(), delay);
    };
    client.on('error', onLost);
    client.on('end', onLost);
    client.on('notification', (msg) => {
      if (Number(msg.payload) > this.#last) this.catchUp();
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.cfg.channel}"`);
    } catch {
      onLost();
      return;
    }
    if (this.#stopped) {
      client.end().catch(() => undefined);
      return;
    }
    this.#reconnects = 0;
    this.#listening = client;
    // Whatever was committed while no connection was listening.
    this.catchUp();
  }
}
