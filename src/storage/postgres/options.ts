import { invalidArgument, StorageError } from '../../errors.js';
import { SCHEMA_NAME } from './schema.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (or any form `pg` accepts). */
  readonly connectionString: string;
  /** The PostgreSQL schema (namespace) holding this store's tables: lowercase, default `theus`. */
  readonly schema?: string;
  /** Pooled connections for commits, catch-up queries and the outbox (default 4, at least 2). */
  readonly poolSize?: number;
  /** How long connecting may take before the store gives up with StorageError (default 5000). */
  readonly connectTimeoutMs?: number;
  /** How long one commit round trip may take before it is retried (default 30000). */
  readonly queryTimeoutMs?: number;
  /** How often a follower polls the log even without notifications (default 1000). */
  readonly pollMs?: number;
  /** How often this engine reports the version it applied, and runs maintenance (default 5000). */
  readonly heartbeatMs?: number;
  /** Maintenance (snapshot, pruning) runs on every n-th heartbeat (default 6: every 30 s). */
  readonly maintainEvery?: number;
  /** An engine silent for longer no longer holds back log pruning (default 120000). */
  readonly engineTimeoutMs?: number;
  /** A snapshot is written once the log after the newest one is this long (default 10000). */
  readonly snapshotEvery?: number;
  /** Log rows younger than this are kept whatever engines applied, for retried commits (default 600000). */
  readonly retainMs?: number;
  /** Attempts of one commit across dropped connections, same commit id each time (default 6). */
  readonly commitAttempts?: number;
  /** This engine's id in the engine registry (default host:pid:random). */
  readonly engineId?: string;
  /** Classes whose instances may be stored and restored (by class name), as for every store. */
  readonly classes?: readonly (abstract new (...args: never[]) => unknown)[];
  /** Failures of background work (follow, heartbeat, maintenance). Default: console.warn. */
  readonly onError?: (err: StorageError) => void;
}

export type ResolvedOptions = Required<Omit<PostgresStoreOptions, 'engineId' | 'onError' | 'classes'>> & {
  readonly engineId: string | undefined;
  readonly onError: (err: StorageError) => void;
  readonly classes: readonly (abstract new (...args: never[]) => unknown)[];
};

function count(name: string, v: unknown, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalidArgument(`postgresStore: ${name} must be an integer in ${min}..${max}, got ${String(v)}.`);
  }
  return v;
}

export function resolveOptions(o: PostgresStoreOptions): ResolvedOptions {
  if (o === null || typeof o !== 'object') throw invalidArgument('postgresStore needs an options object: postgresStore({ connectionString }).');
  const cs: unknown = o.connectionString;
  if (typeof cs !== 'string' || cs.trim().length === 0) {
    throw new StorageError('postgresStore needs a connectionString, such as postgres://user:password@localhost:5432/app.');
  }
  if (cs.length > 4096 || cs.includes('\u0000')) throw new StorageError('postgresStore: the connectionString is not a valid connection string.');
  const schema = o.schema ?? 'theus';
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) {
    throw invalidArgument(`postgresStore: schema must be a lowercase identifier (letters, digits, _; at most 41 characters), got ${JSON.stringify(schema)}.`);
  }
  if (o.engineId !== undefined && (typeof o.engineId !== 'string' || o.engineId.length === 0 || o.engineId.length > 200)) {
    throw invalidArgument('postgresStore: engineId must be a non-empty string of at most 200 characters.');
  }
  if (o.classes !== undefined && !Array.isArray(o.classes)) throw invalidArgument('postgresStore: classes must be an array of classes.');
  if (o.onError !== undefined && typeof o.onError !== 'function') throw invalidArgument('postgresStore: onError must be a function.');
  return {
    connectionString: cs,
    schema,
    poolSize: count('poolSize', o.poolSize, 4, 1, 100),
    connectTimeoutMs: count('connectTimeoutMs', o.connectTimeoutMs, 5000, 1, 600_000),
    queryTimeoutMs: count('queryTimeoutMs', o.queryTimeoutMs, 30_000, 1, 3_600_000),
    pollMs: count('pollMs', o.pollMs, 1000, 5, 3_600_000),
    heartbeatMs: count('heartbeatMs', o.heartbeatMs, 5000, 10, 3_600_000),
    maintainEvery: count('maintainEvery', o.maintainEvery, 6, 1, 1_000_000),
    engineTimeoutMs: count('engineTimeoutMs', o.engineTimeoutMs, 120_000, 100, 86_400_000),
    snapshotEvery: count('snapshotEvery', o.snapshotEvery, 10_000, 1, 100_000_000),
    retainMs: count('retainMs', o.retainMs, 600_000, 0, 365 * 86_400_000),
    commitAttempts: count('commitAttempts', o.commitAttempts, 6, 1, 100),
    engineId: o.engineId,
    classes: o.classes ?? [],
    onError: o.onError ?? ((err) => console.warn(`theus/postgres: ${err.message}`)),
  };
}
