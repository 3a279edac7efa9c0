import { displayPath } from '../contract-path.js';
import type { ProcessRule } from '../process-context.js';
import { describeCeiling, zoneAllows, zoneOf } from '../zones.js';

const ZONE_HINTS: Record<string, string> = {
  signal: 'sig_/cmd_ and signal paths are append-only: push new entries, never replace, reorder or delete.',
  log: 'log_/audit_ fields are append-only history: push new entries, never replace, reorder or delete.',
  meta: 'meta_ values can be overwritten but not appended to or deleted from.',
  constant: 'const_ fields are read-only for every process, including ctx.asAdmin.',
  private: 'internal_ fields are invisible outside the view ctx.asAdmin((admin) => …) passes: reads give undefined, writes throw.',
};

/** E07: what the zone of a path forbids, whatever the contract says (pure writes are already E05). */
export const zonePhysicsRule: ProcessRule = (context, report) => {
  const { facts, semantic } = context;
  if (facts === undefined) return;
  for (const access of facts.accesses) {
    if (access.kind === 'write' && semantic === 'pure') continue;
    const { zone, segment } = zoneOf(access.path);
    if (zoneAllows(zone, access.operation, access.admin)) continue;
    const path = displayPath(access.path);
    const message =
      access.kind === 'read'
        ? `Reading '${path}' outside ctx.asAdmin gives undefined: '${segment ?? ''}' is private (internal_).`
        : `${access.how} on '${path}' is not allowed: '${segment ?? ''}' is in the ${zone} zone (allows ${describeCeiling(zone)}).`;
    report('POP-E07', access.node, message, ZONE_HINTS[zone]);
  }
};
