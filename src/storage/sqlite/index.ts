/** The embedded durable store (`theus/sqlite`). Needs the optional peer dependency better-sqlite3. */
export { sqliteStore, SqliteStore } from './sqlite-store.js';
export type { SqliteStoreOptions, HeavyLike } from './sqlite-store.js';
