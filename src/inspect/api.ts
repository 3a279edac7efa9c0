/**
 * The page's queries, answered from the recorder (and from the engine's store for versions the
 * inspector no longer holds). Every answer is bounded; every parameter is checked.
 */
import { State } from '../core/state.js';
import { InspectorError } from './errors.js';
import { LARGE, preview, SMALL, type PreviewLimits } from './preview.js';
import type { CommitRec, ConflictRec, FailureRec, Rec } from './records.js';
import type { Recorder, Track } from './recorder.js';
import { diffStates, joinPath, readAt, related, searchState, splitPath } from './state-view.js';
import { streamRec, wireError, wireOps, wireRec } from './wire.js';

export type Query = URLSearchParams;

function int(q: Query, name: string, dflt?: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') {
    if (dflt !== undefined) return dflt;
    throw new InspectorError('INSPECTOR_REQUEST', `Missing parameter '${name}'.`);
  }
  if (!/^\d{1,15}$/.test(raw)) throw new InspectorError('INSPECTOR_REQUEST', `Parameter '${name}' must be a non-negative integer.`);
  return Number(raw);
}

function text(q: Query, name: string, max: number, required = false): string {
  const raw = q.get(name) ?? '';
  if (raw.length > max) throw new InspectorError('INSPECTOR_REQUEST', `Parameter '${name}' is longer than ${max} characters.`);
  if (required && raw === '') throw new InspectorError('INSPECTOR_REQUEST', `Missing parameter '${name}'.`);
  return raw;
}

function track(r: Recorder, q: Query): Track {
  const id = q.get('engine');
  if (id === null || id === '') {
    const only = [...r.tracks.values()];
    if (only.length === 1) return only[0]!;
    if (only.length === 0) throw new InspectorError('INSPECTOR_NOT_FOUND', 'No engine has committed yet.');
    throw new InspectorError('INSPECTOR_REQUEST', `Several engines are inspected; pass engine= one of ${only.map((t) => t.engineId).join(', ')}.`);
  }
  const t = r.tracks.get(id);
  if (!t) throw new InspectorError('INSPECTOR_NOT_FOUND', `Unknown engine '${id.slice(0, 80)}'.`);
  return t;
}

export interface ResolvedState {
  version: number;
  root: unknown;
  partial: boolean;
  source: 'live' | 'inspector' | 'store';
}

export async function stateAt(r: Recorder, t: Track, version: number): Promise<ResolvedState> {
  const live = t.engine?.state;
  if (live && live.version === version) return { version, root: live.data, partial: false, source: 'live' };
  const head = Math.max(t.head, live?.version ?? -1);
  if (version > head) throw new InspectorError('INSPECTOR_NOT_FOUND', `Version ${version} does not exist yet (newest: ${head}).`);
  for (let i = t.snapshots.length - 1; i >= 0; i--) {
    const s = t.snapshots[i]!;
    if (s.version > version) continue;
    const built = r.replay(t, s, version);
    if (built) return { version, root: built.state.data, partial: s.partial || built.skipped > 0, source: 'inspector' };
    break;
  }
  if (t.engine?.stateAt) {
    const got = await t.engine.stateAt(version);
    if (got !== undefined && got !== null) return { version, root: got instanceof State ? got.data : got, partial: false, source: 'store' };
  }
  throw new InspectorError('INSPECTOR_NOT_RETAINED', `Version ${version} is no longer retained: the inspector keeps the last ${r.ring.capacity} events (a durable engine's store keeps more).`);
}

export function info(r: Recorder): unknown {
  return {
    engines: [...r.tracks.values()].map((t) => ({
      engineId: t.engineId,
      head: Math.max(t.head, t.engine?.state.version ?? -1),
      partial: t.snapshots[0]?.partial ?? true,
      durable: typeof t.engine?.stateAt === 'function',
      oldest: t.snapshots[0]?.version ?? null,
    })),
    capacity: r.ring.capacity,
    snapshotEvery: r.snapshotEvery,
    first: r.ring.first,
    next: r.ring.next,
  };
}

const KINDS = new Set(['commit', 'failure', 'conflict', 'retry', 'audit', 'signal', 'step', 'worker']);

export function events(r: Recorder, q: Query): unknown {
  const after = int(q, 'after', 0);
  const limit = Math.min(int(q, 'limit', 500), 2000);
  const kind = q.get('kind');
  if (kind !== null && !KINDS.has(kind)) throw new InspectorError('INSPECTOR_REQUEST', `Unknown kind '${kind.slice(0, 40)}' (known: ${[...KINDS].join(', ')}).`);
  const out: unknown[] = [];
  for (const [seq, rec] of r.ring.since(after)) {
    if (kind !== null && rec.kind !== kind) continue;
    out.push(streamRec(seq, rec));
    if (out.length >= limit) break;
  }
  return { first: r.ring.first, next: r.ring.next, events: out };
}

const DETAIL: PreviewLimits = Object.freeze({ depth: 4, keys: 50, string: 1000, nodes: 600 });

export async function commit(r: Recorder, q: Query): Promise<unknown> {
  const t = track(r, q);
  const v = int(q, 'v');
  const rec = r.commitRec(t, v);
  if (!rec) throw new InspectorError('INSPECTOR_NOT_RETAINED', `Commit ${v} is not among the retained events.`);
  let before: ResolvedState | undefined;
  try {
    before = await stateAt(r, t, v - 1);
  } catch {
    before = undefined;
  }
  const ops = rec.ops.slice(0, 200).map((o) => {
    const b = before ? readAt(before.root, o.path) : { found: false, value: undefined };
    return { op: o.op, path: o.path.slice(0, 64), before: b.found ? preview(b.value, DETAIL) : null, hadBefore: b.found, after: o.op === 'remove' ? null : preview(o.value, DETAIL) };
  });
  const audits: unknown[] = [];
  const related: unknown[] = [];
  for (const [seq, x] of r.ring.newest()) {
    if (x.engineId !== t.engineId) continue;
    if (x.kind === 'audit' && x.version === v && x.process === rec.process) audits.push(wireRec(seq, x));
    if (rec.executionId !== null && 'executionId' in x && x.executionId === rec.executionId && x.kind !== 'commit') related.push(wireRec(seq, x));
    if (audits.length + related.length > 200) break;
  }
  return {
    commit: wireRec(t.commits.get(v)!, rec, SMALL),
    ops,
    opsTotal: rec.ops.length,
    beforeKnown: before !== undefined,
    partial: before?.partial ?? true,
    contract: contractOf(t, rec.process),
    signals: rec.signals.slice(0, 50).map((s) => ({ topic: s.topic, payload: preview(s.payload, SMALL) })),
    audits,
    related: related.reverse(),
  };
}

/** The contract as the page shows it: semantic and path texts. */
function contractOf(t: Track, process: string | null): unknown {
  if (process === null || typeof t.engine?.contractOf !== 'function') return null;
  try {
    const c = t.engine.contractOf(process) as Record<string, unknown> | undefined;
    if (c === undefined || c === null || typeof c !== 'object') return null;
    const texts = (v: unknown): string[] =>
      Array.isArray(v) ? v.slice(0, 100).map((p) => String(typeof p === 'object' && p !== null && 'text' in p ? (p as { text: unknown }).text : p).slice(0, 300)) : [];
    return {
      name: String(c.name ?? process),
      semantic: typeof c.semantic === 'string' ? c.semantic : null,
      inputs: texts(c.inputs),
      outputs: texts(c.outputs),
      errors: texts(c.errors),
      parallel: c.parallel === true,
    };
  } catch {
    return null;
  }
}

/** Everything about one execute call: attempts, retries with backoff, conflicts explained, outcome. */
export function execution(r: Recorder, q: Query): unknown {
  const t = track(r, q);
  const id = text(q, 'id', 200, true);
  const recs: [number, Rec][] = [];
  for (const [seq, x] of r.ring.since(0)) if (x.engineId === t.engineId && 'executionId' in x && x.executionId === id) recs.push([seq, x]);
  if (recs.length === 0) throw new InspectorError('INSPECTOR_NOT_FOUND', `No retained event of execution '${id.slice(0, 80)}'.`);
  const conflicts = recs
    .filter((e): e is [number, ConflictRec] => e[1].kind === 'conflict')
    .map(([seq, c]) => explainConflict(r, t, seq, c));
  const outcome = recs.find(([, x]) => x.kind === 'commit' || x.kind === 'failure')?.[1] as CommitRec | FailureRec | undefined;
  const process = recs.find(([, x]) => 'process' in x && x.process !== null)?.[1];
  return {
    executionId: id,
    process: process && 'process' in process ? process.process : null,
    contract: contractOf(t, process && 'process' in process ? process.process : null),
    timeline: recs.map(([seq, x]) => wireRec(seq, x)),
    conflicts,
    outcome: outcome === undefined ? { kind: 'running' } : outcome.kind === 'commit' ? { kind: 'commit', version: outcome.version } : { kind: 'failure', error: wireError(outcome.error) },
  };
}

function explainConflict(r: Recorder, t: Track, seq: number, c: ConflictRec): unknown {
  const winners: unknown[] = [];
  const contested = c.paths.map((p) => splitPath(p));
  for (let v = c.baseVersion + 1; v <= c.winningVersion && winners.length < 20; v++) {
    const w = r.commitRec(t, v);
    if (!w) {
      winners.push({ version: v, retained: false });
      continue;
    }
    const ops = w.ops.slice(0, 50).map((o) => ({ ...(wireOps([o], SMALL).ops[0] as object), contested: contested.some((p) => related(p, o.path)) }));
    winners.push({ version: v, retained: true, process: w.process, route: w.route, executionId: w.executionId, at: w.at, ops, opsTotal: w.ops.length, touchesContested: ops.some((o) => o.contested) });
  }
  const ours = c.ops.slice(0, 50).map((o) => ({ ...(wireOps([o], SMALL).ops[0] as object), contested: contested.some((p) => related(p, o.path)) }));
  return { seq, attempt: c.attempt, baseVersion: c.baseVersion, winningVersion: c.winningVersion, paths: c.paths.slice(0, 50), ours, oursTotal: c.ops.length, winners, at: c.at };
}

export async function state(r: Recorder, q: Query): Promise<unknown> {
  const t = track(r, q);
  const head = Math.max(t.head, t.engine?.state.version ?? -1);
  const v = int(q, 'v', head);
  const path = splitPath(text(q, 'path', 2000));
  const depth = Math.min(int(q, 'depth', 3), 8);
  const s = await stateAt(r, t, v);
  const at = readAt(s.root, path);
  if (!at.found) throw new InspectorError('INSPECTOR_NOT_FOUND', `Nothing at '${joinPath(path)}' in version ${v}.`);
  return { version: v, head, partial: s.partial, source: s.source, path: joinPath(path), value: preview(at.value, { ...LARGE, depth, keys: 100, nodes: 1500 }) };
}

export async function search(r: Recorder, q: Query): Promise<unknown> {
  const t = track(r, q);
  const head = Math.max(t.head, t.engine?.state.version ?? -1);
  const v = int(q, 'v', head);
  const needle = text(q, 'q', 200, true);
  const s = await stateAt(r, t, v);
  const { hits, truncated } = searchState(s.root, needle);
  return { version: v, truncated, hits: hits.map((h) => ({ path: h.path, match: h.match, value: preview(h.value, SMALL) })) };
}

/** Values a path took across the retained commits that touched it (or a parent or child of it). */
export async function pathHistory(r: Recorder, q: Query): Promise<unknown> {
  const t = track(r, q);
  const raw = text(q, 'path', 2000, true);
  const path = splitPath(raw);
  const versions = [...t.commits.versions()];
  const touching: CommitRec[] = [];
  for (const v of versions) {
    const rec = r.commitRec(t, v);
    if (rec && rec.ops.some((o) => related(o.path, path))) touching.push(rec);
  }
  const out: unknown[] = [];
  for (const rec of touching.slice(-200)) {
    let value: unknown = null;
    let found = false;
    try {
      const s = await stateAt(r, t, rec.version);
      const at = readAt(s.root, path);
      found = at.found;
      value = at.found ? preview(at.value, SMALL) : null;
    } catch {
      // A version no longer retained: shown as unknown.
    }
    out.push({ version: rec.version, process: rec.process, route: rec.route, at: rec.at, executionId: rec.executionId, found, value });
  }
  return { path: joinPath(path), changes: out.reverse(), truncated: touching.length > 200 };
}

export async function diff(r: Recorder, q: Query): Promise<unknown> {
  const t = track(r, q);
  const from = int(q, 'from');
  const to = int(q, 'to');
  const [a, b] = [await stateAt(r, t, from), await stateAt(r, t, to)];
  const { entries, truncated } = diffStates(a.root, b.root);
  return {
    from,
    to,
    partial: a.partial || b.partial,
    truncated,
    entries: entries.map((e) => ({ path: joinPath(e.path), kind: e.kind, before: e.kind === 'added' ? null : preview(e.before, SMALL), after: e.kind === 'removed' ? null : preview(e.after, SMALL) })),
  };
}

export function graphs(r: Recorder, q: Query): unknown {
  const id = q.get('engine');
  return { graphs: r.graphs.list(id === null || id === '' ? undefined : id) };
}

export function workers(r: Recorder): unknown {
  const out: unknown[] = [];
  for (const [seq, x] of r.ring.newest()) {
    if (x.kind === 'worker') out.push(wireRec(seq, x));
    if (out.length >= 1000) break;
  }
  return { events: out.reverse() };
}
