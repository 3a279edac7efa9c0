import { covers, displayPath, overlaps } from '../contract-path.js';
import type { ProcessRule } from '../process-context.js';

/**
 * E05 any state mutation in a pure process; for effect/guide processes, T01 mutation of a path declared only as an
 * input and T02 a write no output covers (each undeclared path reported once).
 */
export const writeRules: ProcessRule = (context, report) => {
  const { facts, semantic, inputs, outputs, displayName: name } = context;
  if (facts === undefined) return;
  const reportedUndeclared = new Set<string>();
  for (const access of facts.accesses) {
    if (access.kind !== 'write') continue;
    const path = displayPath(access.path);
    if (semantic === 'pure') {
      report('POP-E05', access.node, `Pure process '${name}' mutates '${path}' (${access.how}).`);
      continue;
    }
    if (outputs === undefined || outputs.some((output) => covers(output, access.path))) continue;
    const broader = outputs.find((output) => overlaps(output, access.path));
    if (inputs !== undefined && inputs.some((input) => overlaps(input, access.path))) {
      report('POP-T01', access.node, `Process '${name}' mutates '${path}' (${access.how}), but it is declared only as an input.`);
      continue;
    }
    if (reportedUndeclared.has(path)) continue;
    reportedUndeclared.add(path);
    const detail = broader === undefined ? 'which no output covers' : `which is broader than the output '${displayPath(broader)}'`;
    report('POP-T02', access.node, `Process '${name}' writes '${path}' (${access.how}), ${detail}.`, `Add '${path.replace(/\[\?\].*$/, '')}' (or a parent of it) to outputs.`);
  }
};
