import type { HistoryRecord } from '../store.js';
import type { Values } from './values.js';

export const RECORD_COLUMNS = 'version, process, ops, signals, at';

/** A commit log row as history and follow() hand it out. */
export function toRecord(row: Record<string, unknown>, values: Values): HistoryRecord {
  return {
    version: Number(row.version),
    process: (row.process as string | null) ?? null,
    delta: values.decodeOps(row.ops as string),
    signals: values.decode(row.signals as string) as HistoryRecord['signals'],
    at: Number(row.at),
  };
}
