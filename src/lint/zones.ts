import type { AccessPath } from './types.js';

/** Zones by path prefix (REFERENCE §2.3–2.4): the outermost matching segment decides. */
export type Zone = 'data' | 'signal' | 'meta' | 'heavy' | 'log' | 'constant' | 'private';

export type Operation = 'read' | 'update' | 'append' | 'delete';

export interface ZoneOfPath {
  zone: Zone;
  /** The segment whose name decided the zone (`log_history` in `domain.log_history.0`), or undefined for data. */
  segment: string | undefined;
}

/** Roots named like a zone (including namespaces called `sig`, `cmd` or `log`), as the engine resolves them. */
const ROOT_ZONES = new Map<string, Zone>([
  ['signal', 'signal'],
  ['sig', 'signal'],
  ['cmd', 'signal'],
  ['meta', 'meta'],
  ['heavy', 'heavy'],
  ['log', 'log'],
]);

function zoneOfSegment(segment: string): Zone | undefined {
  if (segment.startsWith('const_')) return 'constant';
  if (segment.startsWith('internal_')) return 'private';
  if (segment.startsWith('sig_') || segment.startsWith('cmd_')) return 'signal';
  if (segment.startsWith('meta_')) return 'meta';
  if (segment.startsWith('heavy_')) return 'heavy';
  if (segment.startsWith('log_') || segment.startsWith('audit_')) return 'log';
  return undefined;
}

export function zoneOf(path: AccessPath): ZoneOfPath {
  const root = path[0];
  const rootZone = root === null || root === undefined ? undefined : ROOT_ZONES.get(root);
  if (rootZone !== undefined) return { zone: rootZone, segment: root ?? undefined };
  for (const segment of path) {
    if (segment === null) continue;
    const zone = zoneOfSegment(segment);
    if (zone !== undefined) return { zone, segment };
  }
  return { zone: 'data', segment: undefined };
}

/** The restricted prefix a field name carries (`log_`, `meta_`…), used to spot aliases that hide it. */
export function restrictedPrefixOf(name: string): string | undefined {
  return ['log_', 'audit_', 'meta_', 'const_', 'internal_', 'sig_', 'cmd_'].find((prefix) => name.startsWith(prefix));
}

const CEILINGS: Record<Zone, readonly Operation[]> = {
  data: ['read', 'update', 'append', 'delete'],
  signal: ['read', 'append'],
  meta: ['read', 'update'],
  // Heavy buffers are shared memory written in place, and replacing or removing an entry is transactional.
  heavy: ['read', 'update', 'append', 'delete'],
  log: ['read', 'append'],
  constant: ['read'],
  private: [],
};

/** Admin elevation (ctx.asAdmin) lifts every ceiling except const_. */
export function zoneAllows(zone: Zone, operation: Operation, admin: boolean): boolean {
  if (admin && zone !== 'constant') return true;
  return CEILINGS[zone].includes(operation);
}

export function describeCeiling(zone: Zone): string {
  const allowed = CEILINGS[zone];
  return allowed.length === 0 ? 'nothing outside ctx.asAdmin' : allowed.join(', ');
}
