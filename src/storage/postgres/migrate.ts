import { StorageError } from '../../errors.js';
import { checkout, type PgPool } from './driver.js';
import { lockKey, migrations, SCHEMA_VERSION } from './schema.js';
import type { Values } from './values.js';

/**
 * Brings the schema up to this Theus's format version and seeds an empty store with `initial` at
 * version 0, in one transaction under an advisory lock, so engines opening the same empty store
 * at once create it exactly once. Idempotent: run again after a broken connection, it finds the
 * work done. A schema of a format this Theus does not know is refused untouched.
 */
export async function migrate(pool: PgPool, s: string, values: Values, initial: Readonly<Record<string, unknown>>): Promise<void> {
  const client = await checkout(pool);
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(${lockKey(s, 'migrate')})`);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_version (id int PRIMARY KEY CHECK (id = 1), version int NOT NULL)`);
    const r = await client.query(`SELECT version FROM ${s}.schema_version WHERE id = 1`);
    const found = r.rows.length === 0 ? 0 : Number(r.rows[0]!.version);
    if (!Number.isInteger(found) || found < 0) {
      throw new StorageError(`The PostgreSQL schema '${s}' records a Theus store format version of ${String(found)}, which no Theus writes: the store is corrupt. Use another schema option.`);
    }
    if (found > SCHEMA_VERSION) {
      throw new StorageError(
        `The PostgreSQL schema '${s}' holds a Theus store of format version ${found}, newer than this Theus understands (${SCHEMA_VERSION}). Upgrade Theus, or use another schema option.`,
      );
    }
    if (found === 0) {
      // No version recorded: tables of the store's names already there belong to something else,
      // and creating over them would fail halfway through with a bare SQL error.
      const foreign = await client.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'schema_version'`, [s]);
      if (Number(foreign.rows[0]?.n ?? 0) > 0) {
        throw new StorageError(`The PostgreSQL schema '${s}' already holds tables but no Theus store format version: it is not a Theus store. Use another schema option.`);
      }
    }
    const steps = migrations(s);
    for (let v = found + 1; v <= SCHEMA_VERSION; v++) await client.query(steps[v - 1]!);
    await client.query(`INSERT INTO ${s}.schema_version (id, version) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET version = excluded.version`, [SCHEMA_VERSION]);
    const head = await client.query(`SELECT version FROM ${s}.head WHERE id = 1`);
    if (head.rows.length === 0) {
      await client.query(`INSERT INTO ${s}.snapshots (version, root) VALUES (0, $1)`, [values.encode(initial)]);
      await client.query(`INSERT INTO ${s}.head (id, version) VALUES (1, 0)`);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.done(true);
    throw err;
  }
  client.done();
}
