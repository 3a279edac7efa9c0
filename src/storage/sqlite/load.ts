/**
 * better-sqlite3 is an optional peer dependency: it is loaded only when a SQLite store opens, so
 * memory-only users never need its native build.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { StorageError } from '../../errors.js';

export type DatabaseConstructor = typeof BetterSqlite3;
export type Database = BetterSqlite3.Database;
export type Statement = BetterSqlite3.Statement;

let loaded: Promise<DatabaseConstructor> | undefined;

export function loadSqlite(file: string): Promise<DatabaseConstructor> {
  loaded ??= import('better-sqlite3').then(
    (m: { default: DatabaseConstructor }) => m.default,
    (err: unknown) => {
      loaded = undefined;
      throw new StorageError(
        `SQLite storage (${file}) needs the better-sqlite3 package: run \`npm install better-sqlite3\` (version 12; it compiles from source with python3, make and g++ when no prebuilt binary can be downloaded).`,
        { file, cause: err },
      );
    },
  );
  return loaded;
}
