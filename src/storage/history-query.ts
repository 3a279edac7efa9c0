/** Checks and filters shared by every store's `history` and `stateAt`. */
import { isHostileKey, type Segment } from '../core/path.js';
import { invalidArgument } from '../errors.js';
import type { HistoryQuery, HistoryRecord } from './store.js';

export function checkVersionArg(version: unknown, name = 'version'): asserts version is number {
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    throw invalidArgument(`${name} must be a non-negative integer, got ${describe(version)}.`);
  }
}

export function checkHistoryQuery(query: unknown): asserts query is HistoryQuery {
  if (typeof query !== 'object' || query === null || Array.isArray(query)) throw invalidArgument(`A history query must be an object like { from, to, path }, got ${describe(query)}.`);
  const q = query as Record<string, unknown>;
  for (const k of Object.keys(q)) {
    if (k !== 'from' && k !== 'to' && k !== 'path') throw invalidArgument(`Unknown history query key '${k}': use from, to or path.`);
  }
  if (q.from !== undefined) checkVersionArg(q.from, 'history from');
  if (q.to !== undefined) checkVersionArg(q.to, 'history to');
  if (q.path !== undefined) {
    if (!Array.isArray(q.path)) throw invalidArgument(`history path must be an array of segments (['domain', 'orders']), got ${describe(q.path)}.`);
    for (const seg of q.path as unknown[]) {
      if (typeof seg !== 'string' && typeof seg !== 'number') throw invalidArgument(`history path segments must be strings or numbers, got ${describe(seg)}.`);
      if (isHostileKey(seg)) throw invalidArgument(`history path cannot contain '${seg as string}'.`);
    }
  }
}

/** True when `a` is a prefix of `b` or `b` of `a`: an op at, above or below the queried path. */
export function pathsOverlap(a: readonly Segment[], b: readonly Segment[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (String(a[i]) !== String(b[i])) return false;
  return true;
}

export function matchesQuery(record: HistoryRecord, query: HistoryQuery): boolean {
  if (query.from !== undefined && record.version < query.from) return false;
  if (query.to !== undefined && record.version > query.to) return false;
  const path = query.path;
  if (path === undefined) return true;
  return record.delta.some((op) => pathsOverlap(op.path, path));
}

export function* filterHistory(records: readonly HistoryRecord[], query: HistoryQuery): Iterable<HistoryRecord> {
  for (const r of records) {
    if (query.to !== undefined && r.version > query.to) return;
    if (matchesQuery(r, query)) yield r;
  }
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
