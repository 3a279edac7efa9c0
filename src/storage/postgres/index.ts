/**
 * `theus/postgres`: several engines, in several processes or machines, sharing one state through
 * PostgreSQL. `pg` (8.x) is an optional peer dependency, loaded when the store opens.
 */
import { PostgresStore } from './store.js';
import type { PostgresStoreOptions } from './options.js';

export { PostgresStore, type PathLock } from './store.js';
export type { PostgresStoreOptions } from './options.js';

export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  return new PostgresStore(options);
}
