/**
 * Records as the page receives them: values previewed within a budget, errors flattened to their
 * name, message, code and (truncated) stack. Used for the live stream and the detail queries alike.
 */
import { preview, SMALL, type PreviewLimits } from './preview.js';
import type { Rec } from './records.js';
import type { Op } from './state-view.js';

/** Per stream event: a commit with 10 000 ops or a 1 MB payload still sends a few KB. */
export const STREAM: PreviewLimits = Object.freeze({ depth: 2, keys: 8, string: 80, nodes: 32 });
const MAX_OPS = 24;

export function wireError(e: unknown): Record<string, unknown> {
  if (e instanceof Error) {
    const x = e as Error & { code?: unknown; paths?: unknown; expectedVersion?: unknown; actualVersion?: unknown; path?: unknown };
    const out: Record<string, unknown> = { name: String(x.name).slice(0, 120), message: String(x.message).slice(0, 2000) };
    if (typeof x.code === 'string') out.code = x.code.slice(0, 80);
    if (typeof x.path === 'string') out.path = x.path.slice(0, 500);
    if (Array.isArray(x.paths)) out.paths = x.paths.slice(0, 50).map((p) => String(p).slice(0, 500));
    if (typeof x.expectedVersion === 'number') out.expectedVersion = x.expectedVersion;
    if (typeof x.actualVersion === 'number') out.actualVersion = x.actualVersion;
    if (typeof x.stack === 'string') out.stack = x.stack.slice(0, 6000);
    return out;
  }
  return { name: typeof e, message: String(preview(e, SMALL) ?? 'null').slice(0, 2000) };
}

export function wireOps(ops: readonly Op[], limits: PreviewLimits, max = MAX_OPS): { ops: unknown[]; opsTotal: number } {
  const out: unknown[] = [];
  for (let i = 0; i < ops.length && i < max; i++) {
    const o = ops[i]!;
    out.push(o.op === 'remove' ? { op: o.op, path: o.path.slice(0, 64) } : { op: o.op, path: o.path.slice(0, 64), value: preview(o.value, limits) });
  }
  return { ops: out, opsTotal: ops.length };
}

/** Paths without values: what the timeline shows; values come with the detail queries. */
function opPaths(ops: readonly Op[], max = 8): { op: string; path: readonly unknown[] }[] {
  const out: { op: string; path: readonly unknown[] }[] = [];
  for (let i = 0; i < ops.length && i < max; i++) out.push({ op: ops[i]!.op, path: ops[i]!.path.slice(0, 32) });
  return out;
}

/** The live stream's form of a record: small and cheap to build (no value previews for deltas). */
export function streamRec(seq: number, r: Rec): Record<string, unknown> {
  if (r.kind === 'commit') {
    const signals: string[] = [];
    for (let i = 0; i < r.signals.length && i < 16; i++) signals.push(r.signals[i]!.topic);
    return { seq, kind: r.kind, engineId: r.engineId, at: r.at, version: r.version, baseVersion: r.baseVersion, process: r.process, route: r.route, executionId: r.executionId, ops: opPaths(r.ops), opsTotal: r.ops.length, signals, outbox: r.outbox };
  }
  if (r.kind === 'conflict') return { seq, ...r, paths: r.paths.slice(0, 50), ops: opPaths(r.ops), opsTotal: r.ops.length };
  return wireRec(seq, r, STREAM);
}

export function wireRec(seq: number, r: Rec, limits: PreviewLimits = STREAM): Record<string, unknown> {
  switch (r.kind) {
    case 'commit': {
      const { ops, opsTotal } = wireOps(r.ops, limits);
      return {
        seq,
        kind: r.kind,
        engineId: r.engineId,
        at: r.at,
        version: r.version,
        baseVersion: r.baseVersion,
        process: r.process,
        route: r.route,
        executionId: r.executionId,
        ops,
        opsTotal,
        signals: r.signals.slice(0, 16).map((s) => s.topic),
        outbox: r.outbox,
      };
    }
    case 'conflict': {
      const { ops, opsTotal } = wireOps(r.ops, limits);
      return { seq, ...r, paths: r.paths.slice(0, 50), ops, opsTotal };
    }
    case 'failure':
      return { seq, ...r, error: wireError(r.error) };
    case 'signal':
      return { seq, ...r, payload: preview(r.payload, limits) };
    case 'step':
      return r.error === undefined ? { seq, ...r } : { seq, ...r, error: wireError(r.error) };
    default:
      return { seq, ...r };
  }
}
