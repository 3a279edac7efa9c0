import { parseContractPath } from '../contract-path.js';
import type { ProcessRule } from '../process-context.js';
import { zoneOf, type Zone } from '../zones.js';

const FORBIDDEN_INPUT_ZONES: readonly Zone[] = ['signal', 'meta'];
const FORBIDDEN_OUTPUT_ZONES: readonly Zone[] = ['signal', 'meta', 'heavy'];

/** T08: the semantic firewall for pure contracts, checked before the engine's register() would refuse them. */
export const pureFirewallRule: ProcessRule = (context, report) => {
  const contract = context.declaration.contract;
  if (contract === undefined || context.semantic !== 'pure') return;
  const check = (kind: 'input' | 'output', forbidden: readonly Zone[], entries: typeof contract.inputs.entries): void => {
    for (const entry of entries) {
      const parsed = parseContractPath(entry.text, context.roots);
      if (!parsed.ok) continue;
      const { zone } = zoneOf(parsed.segments);
      if (forbidden.includes(zone)) report('POP-T08', entry.node, `Pure process '${context.displayName}' declares the ${kind} '${entry.text}' in the ${zone} zone.`);
    }
  };
  check('input', FORBIDDEN_INPUT_ZONES, contract.inputs.entries);
  check('output', FORBIDDEN_OUTPUT_ZONES, contract.outputs.entries);
  if (contract.sideEffects.entries.length > 0 && contract.sideEffects.node !== undefined) {
    report('POP-T08', contract.sideEffects.node, `Pure process '${context.displayName}' declares sideEffects, which a pure process cannot have.`);
  }
};
