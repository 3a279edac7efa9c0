import type { Segment } from '../core/path.js';

/** Zones give a path its physics: what may be done to it, whatever the contract says. */
export const enum Zone {
  Data = 0,
  Signal = 1,
  Meta = 2,
  Heavy = 3,
  Log = 4,
  Constant = 5,
  Private = 6,
}

export const ZONE_NAMES = ['data', 'signal', 'meta', 'heavy', 'log', 'constant', 'private'] as const;

export const READ = 1;
export const APPEND = 2;
export const UPDATE = 4;
export const DELETE = 8;
export const ALL = READ | APPEND | UPDATE | DELETE;

/** Capability ceilings (REFERENCE.md §2.4). Heavy entries are references: swapping one is an update. */
export const CEILING: readonly number[] = [
  ALL, // data
  READ | APPEND, // signal: a river, append only
  READ | UPDATE, // meta: configuration, overwrite only
  ALL, // heavy: entries are references, replaced or removed transactionally
  READ | APPEND, // log: append-only history
  READ, // constant: read-only, even for admin
  0, // private: invisible without admin
];

/** Zone assigned by one segment, or undefined when the segment carries no prefix. */
export function zoneOfSegment(seg: Segment, isRoot: boolean): Zone | undefined {
  if (typeof seg !== 'string') return undefined;
  if (isRoot) {
    if (seg === 'signal' || seg === 'sig' || seg === 'cmd') return Zone.Signal;
    if (seg === 'meta') return Zone.Meta;
    if (seg === 'heavy') return Zone.Heavy;
    if (seg === 'log') return Zone.Log;
  }
  const c = seg.charCodeAt(0);
  // A first-character switch keeps this cheap: it runs for every guarded key.
  switch (c) {
    case 99: // c
      if (seg.startsWith('const_')) return Zone.Constant;
      if (seg.startsWith('cmd_')) return Zone.Signal;
      return undefined;
    case 105: // i
      return seg.startsWith('internal_') ? Zone.Private : undefined;
    case 115: // s
      return seg.startsWith('sig_') ? Zone.Signal : undefined;
    case 109: // m
      return seg.startsWith('meta_') ? Zone.Meta : undefined;
    case 104: // h
      return seg.startsWith('heavy_') ? Zone.Heavy : undefined;
    case 108: // l
      return seg.startsWith('log_') ? Zone.Log : undefined;
    case 97: // a
      return seg.startsWith('audit_') ? Zone.Log : undefined;
    default:
      return undefined;
  }
}

/** The zone of a path: the outermost segment that assigns one decides. */
export function zoneOfPath(path: readonly Segment[]): Zone {
  for (let i = 0; i < path.length; i++) {
    const z = zoneOfSegment(path[i]!, i === 0);
    if (z !== undefined) return z;
  }
  return Zone.Data;
}
