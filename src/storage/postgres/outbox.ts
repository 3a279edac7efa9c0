import { invalidArgument } from '../../errors.js';
import type { DeadLetter, OutboxMessage, OutboxStore } from '../store.js';
import type { PgPool } from './driver.js';
import type { Values } from './values.js';

/**
 * The outbox shared by every engine. Claims lease rows with `FOR UPDATE SKIP LOCKED`, so relays
 * never wait on each other and never take the same message while a lease runs. Every time
 * (leases, backoff) is the database's clock, never an engine's: engines on different machines
 * disagree about the time, the database does not disagree with itself.
 *
 * A claim counts an attempt. A relay that dies holding a lease simply lets it expire; the message
 * is then claimable again (at least once, never lost).
 */
export class PgOutbox implements OutboxStore {
  constructor(
    private readonly pool: () => PgPool,
    private readonly s: string,
    private readonly values: Values,
  ) {}

  async claim(owner: string, limit: number, leaseMs: number): Promise<readonly OutboxMessage[]> {
    checkOwner(owner);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw invalidArgument(`claim limit must be an integer in 1..10000, got ${String(limit)}.`);
    if (!Number.isFinite(leaseMs) || leaseMs <= 0 || leaseMs > 86_400_000) throw invalidArgument(`leaseMs must be in (0, 86400000], got ${String(leaseMs)}.`);
    const r = await this.pool().query(
      `WITH c AS (
         SELECT id FROM ${this.s}.outbox
          WHERE state = 'pending' AND available_at <= now() AND (lease_until IS NULL OR lease_until <= now())
          ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
       UPDATE ${this.s}.outbox o
          SET lease_owner = $1, lease_until = now() + $3 * interval '1 millisecond', attempts = o.attempts + 1
         FROM c WHERE o.id = c.id
       RETURNING o.id, o.topic, o.payload, o.version, o.attempts`,
      [owner, limit, leaseMs],
    );
    return r.rows
      .map((row) => ({
        id: String(row.id),
        topic: row.topic as string,
        payload: this.values.decode(row.payload as string),
        version: Number(row.version),
        attempts: Number(row.attempts),
      }))
      .sort((a, b) => Number(a.id) - Number(b.id));
  }

  async ack(owner: string, ids: readonly string[]): Promise<void> {
    checkOwner(owner);
    const nums = toIds(ids);
    if (nums.length === 0) return;
    // Delivered is delivered, even if the lease ran out meanwhile and another relay holds it now.
    await this.pool().query(`DELETE FROM ${this.s}.outbox WHERE id = ANY($1::bigint[])`, [nums]);
  }

  async fail(owner: string, id: string, error: string, retryInMs: number, dead: boolean): Promise<void> {
    checkOwner(owner);
    const [n] = toIds([id]);
    const wait = Number.isFinite(retryInMs) && retryInMs > 0 ? Math.min(retryInMs, 86_400_000) : 0;
    // Only the lease holder may reschedule: a relay whose lease expired must not undo a newer claim.
    await this.pool().query(
      `UPDATE ${this.s}.outbox
          SET state = CASE WHEN $5 THEN 'dead' ELSE 'pending' END,
              available_at = now() + $4 * interval '1 millisecond',
              lease_owner = NULL, lease_until = NULL, error = $3, failed_at = now()
        WHERE id = $1 AND lease_owner = $2`,
      [n, owner, String(error).slice(0, 10_000), wait, dead === true],
    );
  }

  async deadLetters(): Promise<readonly DeadLetter[]> {
    const r = await this.pool().query(
      `SELECT id, topic, payload, version, attempts, error, failed_at FROM ${this.s}.outbox WHERE state = 'dead' ORDER BY id`,
    );
    return r.rows.map((row) => ({
      id: String(row.id),
      topic: row.topic as string,
      payload: this.values.decode(row.payload as string),
      version: Number(row.version),
      attempts: Number(row.attempts),
      error: (row.error as string | null) ?? '',
      failedAt: row.failed_at instanceof Date ? row.failed_at.getTime() : Date.parse(String(row.failed_at)),
    }));
  }

  async redrive(ids?: readonly string[]): Promise<number> {
    const set = `SET state = 'pending', attempts = 0, available_at = now(), lease_owner = NULL, lease_until = NULL`;
    const r =
      ids === undefined
        ? await this.pool().query(`UPDATE ${this.s}.outbox ${set} WHERE state = 'dead'`)
        : await this.pool().query(`UPDATE ${this.s}.outbox ${set} WHERE state = 'dead' AND id = ANY($1::bigint[])`, [toIds(ids)]);
    return r.rowCount ?? 0;
  }

  async pending(): Promise<number> {
    const r = await this.pool().query(`SELECT count(*)::int AS n FROM ${this.s}.outbox WHERE state = 'pending'`);
    return Number(r.rows[0]?.n ?? 0);
  }
}

function checkOwner(owner: unknown): void {
  if (typeof owner !== 'string' || owner.length === 0 || owner.length > 200) throw invalidArgument('An outbox owner must be a non-empty string of at most 200 characters.');
}

function toIds(ids: readonly string[]): string[] {
  if (!Array.isArray(ids)) throw invalidArgument('Outbox ids must be an array of strings.');
  return ids.map((id) => {
    if (typeof id !== 'string' || !/^[1-9][0-9]{0,17}$/.test(id)) throw invalidArgument(`Not an outbox message id: ${JSON.stringify(id)}.`);
    return id;
  });
}
