import type { Segment } from '../core/path.js';
import { ZONES, ZONE_CEILINGS, zoneOfSegment as zoneNameOfSegment, type ZoneName } from './grammar.js';

/** Zones give a path its physics: what may be done to it, whatever the contract says. Ids index ZONES. */
export const enum Zone {
  Data = 0,
  Signal = 1,
  Meta = 2,
  Heavy = 3,
  Log = 4,
  Constant = 5,
  Private = 6,
}

export const ZONE_NAMES = ZONES;

/** Signal and meta paths steer the engine; they are not business data a process takes as input. */
export function isControlZone(z: Zone): boolean {
  return z === Zone.Signal || z === Zone.Meta;
}

export const READ = 1;
export const APPEND = 2;
export const UPDATE = 4;
export const DELETE = 8;
export const ALL = READ | APPEND | UPDATE | DELETE;

const BIT = { read: READ, append: APPEND, update: UPDATE, delete: DELETE } as const;

/** Capability ceilings per zone id, as bit sets, derived from the grammar's table. */
export const CEILING: readonly number[] = ZONES.map((z) => ZONE_CEILINGS[z].reduce((bits, op) => bits | BIT[op], 0));

const ID = new Map<ZoneName, Zone>(ZONES.map((z, i) => [z, i as Zone]));

/** Zone assigned by one segment, or undefined when the segment carries no prefix. */
export function zoneOfSegment(seg: Segment, isRoot: boolean): Zone | undefined {
  const name = zoneNameOfSegment(seg, isRoot);
  return name === undefined ? undefined : ID.get(name);
}

/** The zone of a path: the outermost segment that assigns one decides. */
export function zoneOfPath(path: readonly Segment[]): Zone {
  for (let i = 0; i < path.length; i++) {
    const z = zoneOfSegment(path[i]!, i === 0);
    if (z !== undefined) return z;
  }
  return Zone.Data;
}

/** `{ read: true, update: false, append: true, delete: false }`: a namespace policy from its capability bits. */
export function describePolicy(ceiling: number): string {
  const flag = (bit: number) => ((ceiling & bit) !== 0 ? 'true' : 'false');
  return `{ read: ${flag(READ)}, update: ${flag(UPDATE)}, append: ${flag(APPEND)}, delete: ${flag(DELETE)} }`;
}
