import { StorageError } from '../../errors.js';
import { OpReplay } from '../apply-ops.js';
import type { OpenedStore } from '../store.js';
import { checkout, type PgPool } from './driver.js';
import type { Values } from './values.js';

const PAGE = 2000;

/**
 * The state at the head (or at `atMost`): the newest snapshot at or below it and the log after it,
 * read in one REPEATABLE READ snapshot of the database so that pruning running meanwhile cannot
 * take rows from under it. With `atMost`, a version no longer retained yields `root: undefined`;
 * without it, a gap is corruption.
 */
export async function loadState(pool: PgPool, s: string, values: Values, atMost?: number): Promise<OpenedStore & { replayed: number }> {
  const client = await checkout(pool);
  let broken = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const head = Number((await client.query(`SELECT version FROM ${s}.head WHERE id = 1`)).rows[0]?.version ?? NaN);
    if (!Number.isInteger(head)) throw new StorageError(`The PostgreSQL schema '${s}' has no head version: the store is corrupt. Drop the schema or use another one.`);
    const target = atMost === undefined ? head : Math.min(atMost, head);
    const gone = { version: target, root: undefined, replayed: 0 };
    const snap = (await client.query(`SELECT version, root FROM ${s}.snapshots WHERE version <= $1 ORDER BY version DESC LIMIT 1`, [target])).rows[0];
    if (!snap) {
      await client.query('COMMIT');
      if (atMost !== undefined) return gone;
      throw new StorageError(`The PostgreSQL schema '${s}' has no snapshot at or below version ${target}: the store is corrupt.`);
    }
    const from = Number(snap.version);
    const replay = new OpReplay(values.decode(snap.root as string) as Record<string, unknown>, true);
    let at = from;
    for (;;) {
      const rows = (await client.query(`SELECT version, ops FROM ${s}.commits WHERE version > $1 AND version <= $2 ORDER BY version LIMIT ${PAGE}`, [at, target])).rows;
      for (const row of rows) {
        const v = Number(row.version);
        if (v !== at + 1) {
          await client.query('COMMIT');
          if (atMost !== undefined) return gone;
          throw new StorageError(`The shared log of '${s}' misses version ${at + 1}: the store is corrupt.`);
        }
        const ops = values.decodeOps(row.ops as string);
        for (const op of ops) replay.adopt(op.value);
        replay.apply(ops);
        at = v;
      }
      if (rows.length < PAGE) break;
    }
    await client.query('COMMIT');
    if (at !== target) {
      if (atMost !== undefined) return gone;
      throw new StorageError(`The shared log of '${s}' ends at ${at}, before the head version ${target}: the store is corrupt.`);
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
