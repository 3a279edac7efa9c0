import { ZONE_CEILINGS, ZONE_PREFIXES, zoneOfPathName, type Operation, type ZoneName } from '../contracts/grammar.js';
import type { AccessPath } from './types.js';

/** Zones by path prefix, from the engine's zone table: the outermost matching segment decides. */
export type Zone = ZoneName;

export type { Operation };

export interface ZoneOfPath {
  zone: Zone;
  /** The segment whose name decided the zone (`log_history` in `domain.log_history.0`), or undefined for data. */
  segment: string | undefined;
}

export function zoneOf(path: AccessPath): ZoneOfPath {
  const { zone, index } = zoneOfPathName(path);
  return { zone, segment: index < 0 ? undefined : (path[index] ?? undefined) };
}

/** Prefixes of zones that refuse some operation (heavy_ restricts nothing), used to spot aliases that hide one. */
const RESTRICTED_PREFIXES: readonly string[] = ZONE_PREFIXES.filter(([, zone]) => ZONE_CEILINGS[zone].length < ZONE_CEILINGS.data.length).map(([prefix]) => prefix);

/** The restricted prefix a field name carries (`log_`, `meta_`…), used to spot aliases that hide it. */
export function restrictedPrefixOf(name: string): string | undefined {
  return RESTRICTED_PREFIXES.find((prefix) => name.startsWith(prefix));
}

/** Admin elevation (ctx.asAdmin) lifts every ceiling except const_. */
export function zoneAllows(zone: Zone, operation: Operation, admin: boolean): boolean {
  if (admin && zone !== 'constant') return true;
  return ZONE_CEILINGS[zone].includes(operation);
}

export function describeCeiling(zone: Zone): string {
  const allowed = ZONE_CEILINGS[zone];
  return allowed.length === 0 ? 'nothing outside ctx.asAdmin' : allowed.join(', ');
}
