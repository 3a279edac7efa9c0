/**
 * The SQLite store's outbox. Messages, attempts and dead letters are in the database; leases are
 * kept in memory, because one process holds the store at a time (the file is locked): after a crash
 * every lease is gone with the process, so undelivered messages are offered again at once.
 *
 * Claims, acks and failures are bookkeeping, not commits: they are written without waiting for the
 * disk. A crash may forget the last acks (the message is delivered again: at least once) but never
 * a message, which was made durable with its commit.
 */
import { StorageError } from '../../errors.js';
import { type ClassRegistry, decode } from '../codec.js';
import type { DeadLetter, OutboxMessage, OutboxStore } from '../store.js';
import { storageFailure } from './errors.js';
import type { Database, Statement } from './load.js';

interface Row {
  version: number;
  idx: number;
  topic: string;
  payload: string;
  attempts: number;
  available_at: number;
}

interface DeadRow extends Row {
  error: string | null;
  failed_at: number | null;
}

export class SqliteOutbox implements OutboxStore {
  private readonly leases = new Map<string, { owner: string; until: number }>();
  private db: Database | undefined;
  private stmts: Record<'scan' | 'ack' | 'retry' | 'kill' | 'attempt' | 'dead' | 'redriveAll' | 'redriveOne' | 'pending' | 'insert', Statement> | undefined;

  constructor(
    private readonly file: string,
    private readonly classes: ClassRegistry,
    private readonly relaxed: (fn: () => void) => void,
  ) {}

  attach(db: Database): void {
    this.db = db;
    this.stmts = {
      scan: db.prepare('SELECT version, idx, topic, payload, attempts, available_at FROM theus_outbox WHERE status = 0 AND available_at <= ? ORDER BY version, idx'),
      ack: db.prepare('DELETE FROM theus_outbox WHERE version = ? AND idx = ? AND status = 0'),
      retry: db.prepare('UPDATE theus_outbox SET available_at = ? WHERE version = ? AND idx = ? AND status = 0'),
      kill: db.prepare('UPDATE theus_outbox SET status = 2, error = ?, failed_at = ? WHERE version = ? AND idx = ? AND status = 0'),
      attempt: db.prepare('UPDATE theus_outbox SET attempts = ? WHERE version = ? AND idx = ?'),
      dead: db.prepare('SELECT version, idx, topic, payload, attempts, available_at, error, failed_at FROM theus_outbox WHERE status = 2 ORDER BY version, idx'),
      redriveAll: db.prepare('UPDATE theus_outbox SET status = 0, attempts = 0, available_at = 0, error = NULL, failed_at = NULL WHERE status = 2'),
      redriveOne: db.prepare('UPDATE theus_outbox SET status = 0, attempts = 0, available_at = 0, error = NULL, failed_at = NULL WHERE version = ? AND idx = ? AND status = 2'),
      pending: db.prepare('SELECT COUNT(*) AS n FROM theus_outbox WHERE status = 0'),
      insert: db.prepare('INSERT INTO theus_outbox (version, idx, topic, payload) VALUES (?, ?, ?, ?)'),
    };
  }

  detach(): void {
    this.db = undefined;
    this.stmts = undefined;
    this.leases.clear();
  }

  /** Inside the commit's transaction. */
  insert(version: number, idx: number, topic: string, payload: string): void {
    this.s().insert.run(version, idx, topic, payload);
  }

  claim(owner: string, limit: number, leaseMs: number): Promise<readonly OutboxMessage[]> {
    return this.run('claiming outbox messages', () => {
      const now = Date.now();
      const out: OutboxMessage[] = [];
      const s = this.s();
      const rows: Row[] = [];
      for (const row of s.scan.iterate(now) as IterableIterator<Row>) {
        const lease = this.leases.get(idOf(row));
        if (lease !== undefined && lease.until > now) continue;
        rows.push(row);
        if (rows.length >= limit) break;
      }
      this.relaxed(() => {
        for (const row of rows) s.attempt.run(row.attempts + 1, row.version, row.idx);
      });
      for (const row of rows) {
        const id = idOf(row);
        this.leases.set(id, { owner, until: now + leaseMs });
        out.push({ id, topic: row.topic, payload: decode(row.payload, this.classes), version: row.version, attempts: row.attempts + 1 });
      }
      return out;
    });
  }

  ack(_owner: string, ids: readonly string[]): Promise<void> {
    return this.run('acknowledging outbox messages', () => {
      const s = this.s();
      const keys = ids.map(parseId).filter((k): k is [number, number] => k !== undefined);
      this.relaxed(() => {
        for (const [v, i] of keys) s.ack.run(v, i);
      });
      for (const id of ids) this.leases.delete(id);
    });
  }

  fail(owner: string, id: string, error: string, retryInMs: number, dead: boolean): Promise<void> {
    return this.run('recording an outbox failure', () => {
      const key = parseId(id);
      const lease = this.leases.get(id);
      if (key === undefined || lease === undefined || lease.owner !== owner) return;
      const s = this.s();
      this.relaxed(() => {
        if (dead) s.kill.run(String(error), Date.now(), key[0], key[1]);
        else s.retry.run(Date.now() + Math.max(0, retryInMs), key[0], key[1]);
      });
      this.leases.delete(id);
    });
  }

  deadLetters(): Promise<readonly DeadLetter[]> {
    return this.run('reading dead letters', () =>
      (this.s().dead.all() as DeadRow[]).map((r) => ({
        id: idOf(r), topic: r.topic, payload: decode(r.payload, this.classes), version: r.version, attempts: r.attempts,
        error: r.error ?? '', failedAt: r.failed_at ?? 0,
      })),
    );
  }

  redrive(ids?: readonly string[]): Promise<number> {
    return this.run('redriving dead letters', () => {
      const s = this.s();
      let n = 0;
      this.relaxed(() => {
        if (ids === undefined) n = s.redriveAll.run().changes;
        else for (const key of ids.map(parseId)) if (key !== undefined) n += s.redriveOne.run(key[0], key[1]).changes;
      });
      return n;
    });
  }

  pending(): Promise<number> {
    return this.run('counting pending messages', () => (this.s().pending.get() as { n: number }).n);
  }

  private s(): NonNullable<SqliteOutbox['stmts']> {
    if (this.stmts === undefined) throw new StorageError(`SQLite store ${this.file} is not open.`, { file: this.file });
    return this.stmts;
  }

  private run<T>(doing: string, fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(storageFailure(this.file, doing, err));
    }
  }
}

function idOf(row: { version: number; idx: number }): string {
  return `${row.version}.${row.idx}`;
}

function parseId(id: unknown): [number, number] | undefined {
  if (typeof id !== 'string') return undefined;
  const m = /^(\d{1,15})\.(\d{1,9})$/.exec(id);
  return m === null ? undefined : [Number(m[1]), Number(m[2])];
}
