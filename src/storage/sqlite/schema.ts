/**
 * The on-disk format. `FORMAT` is written into the meta table when a store is created; a store of
 * an older format is migrated forward on open (each step in one transaction), a newer one is
 * refused untouched.
 */
export const FORMAT = 1;

export const APPLICATION = 'theus';

/** Statements creating format 1 from an empty database. */
export const CREATE: readonly string[] = [
  `CREATE TABLE theus_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID`,
  // One row per committed version: the ops (tagged JSON), signals, and the commit's id for retries.
  `CREATE TABLE theus_log (version INTEGER PRIMARY KEY, cid TEXT NOT NULL, process TEXT, at INTEGER NOT NULL, ops TEXT NOT NULL, signals TEXT)`,
  // Full state roots at some versions, so reopen and time travel replay only the log after one.
  `CREATE TABLE theus_snapshot (version INTEGER PRIMARY KEY, root TEXT NOT NULL, at INTEGER NOT NULL)`,
  // Undelivered and dead messages; a delivered message is deleted. status 0 = pending, 2 = dead.
  `CREATE TABLE theus_outbox (version INTEGER NOT NULL, idx INTEGER NOT NULL, topic TEXT NOT NULL, payload TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0, available_at INTEGER NOT NULL DEFAULT 0, status INTEGER NOT NULL DEFAULT 0,
     error TEXT, failed_at INTEGER, PRIMARY KEY (version, idx)) WITHOUT ROWID`,
  // Heavy arrays saved explicitly (shared memory is not part of durable state): the bytes as of the save.
  `CREATE TABLE theus_heavy (key TEXT PRIMARY KEY, dtype TEXT NOT NULL, shape TEXT NOT NULL, bytes BLOB NOT NULL, saved_at INTEGER NOT NULL) WITHOUT ROWID`,
];

/**
 * Migrations from format N to N + 1, applied in order: `MIGRATIONS[n - 1]` takes format n to
 * n + 1. Empty while format 1 is the only one; a future format appends its step here.
 */
export const MIGRATIONS: readonly (readonly string[])[] = [];
