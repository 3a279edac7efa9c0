import { invalidArgument } from '../../errors.js';
import type { CommitEntry } from '../store.js';
import { planKeys } from './keys.js';
import type { Values } from './values.js';

/**
 * One commit as the server function reads it (short keys: the request is parsed per commit).
 * Everything is validated and encoded here, before anything is sent, so a bad entry refuses its
 * whole batch without a round trip.
 */
export function encodeEntry(e: CommitEntry, values: Values): Record<string, unknown> {
  if (e === null || typeof e !== 'object') throw invalidArgument('A commit entry must be an object.');
  if (typeof e.id !== 'string' || e.id.length === 0 || e.id.length > 200) throw invalidArgument('A commit entry needs an id (a non-empty string of at most 200 characters).');
  if (!Number.isInteger(e.baseVersion) || e.baseVersion < 0) throw invalidArgument(`Commit ${e.id}: baseVersion must be a non-negative integer.`);
  if (!Array.isArray(e.ops) || !Array.isArray(e.reads) || !Array.isArray(e.writes) || !Array.isArray(e.signals) || !Array.isArray(e.outbox)) {
    throw invalidArgument(`Commit ${e.id}: ops, reads, writes, signals and outbox must be arrays.`);
  }
  if (e.reads.some((k) => typeof k !== 'string') || e.writes.some((k) => typeof k !== 'string')) throw invalidArgument(`Commit ${e.id}: conflict keys must be strings.`);
  const keys = planKeys(e.reads, e.writes, e.ops);
  return {
    i: e.id,
    b: e.baseVersion,
    p: e.process,
    o: values.encodeOps(e.ops),
    g: values.encode(e.signals),
    a: Number.isFinite(e.at) ? Math.trunc(e.at) : Date.now(),
    s: keys.strict,
    t: keys.touched,
    ta: keys.touchedAncestors,
    w: keys.writes,
    wa: keys.writeAncestors,
    x: e.outbox.map((m) => {
      if (m === null || typeof m !== 'object' || typeof m.topic !== 'string' || m.topic.length === 0) throw invalidArgument(`Commit ${e.id}: an outbox message needs a topic.`);
      return [m.topic, values.encode(m.payload)];
    }),
  };
}

/** The whole request body for one batch. */
export function encodeBatch(entries: readonly CommitEntry[], values: Values): string {
  return JSON.stringify(entries.map((e) => encodeEntry(e, values)));
}
