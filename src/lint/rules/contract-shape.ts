import { parseContractPath } from '../contract-path.js';
import { KNOWN_CONTRACT_KEYS } from '../contract.js';
import type { ProcessRule } from '../process-context.js';

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

/** `input` → `inputs`, `side_effects` → `sideEffects`. */
function suggestKey(key: string): string | undefined {
  const wanted = normalizeKey(key);
  return KNOWN_CONTRACT_KEYS.find((known) => {
    const candidate = normalizeKey(known);
    return candidate === wanted || candidate === `${wanted}s` || `${candidate}s` === wanted;
  });
}

/** T06 malformed contract literals and paths; T09 unknown keys. */
export const contractShapeRules: ProcessRule = (context, report) => {
  const contract = context.declaration.contract;
  if (contract === undefined) return;
  for (const problem of contract.problems) report('POP-T06', problem.node, `Contract of process '${context.displayName}': ${problem.message}.`);
  for (const list of [contract.inputs, contract.outputs]) {
    for (const entry of list.entries) {
      const parsed = parseContractPath(entry.text, context.roots);
      if (!parsed.ok) report('POP-T06', entry.node, `Contract path '${entry.text}' ${parsed.problem}.`);
    }
  }
  for (const key of contract.unknownKeys) {
    const suggestion = suggestKey(key.text);
    report('POP-T09', key.node, `Unknown contract key '${key.text}' in process '${context.displayName}'.`, suggestion === undefined ? undefined : `Did you mean '${suggestion}'?`);
  }
};
