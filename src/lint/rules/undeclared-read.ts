import { displayPath, overlaps } from '../contract-path.js';
import type { ProcessRule } from '../process-context.js';

/**
 * C01: a read outside inputs ∪ outputs. Reaching a parent on the way to a declared path (`ctx.domain` for
 * `domain.accounts`) is traversal, not a read of the parent. Each undeclared path is reported once.
 */
export const undeclaredReadRule: ProcessRule = (context, report) => {
  const { facts, inputs, outputs, displayName: name } = context;
  if (facts === undefined || inputs === undefined || outputs === undefined) return;
  const declared = [...inputs, ...outputs];
  const reported = new Set<string>();
  for (const access of facts.accesses) {
    if (access.kind !== 'read' || declared.some((path) => overlaps(path, access.path))) continue;
    const path = displayPath(access.path);
    if (reported.has(path)) continue;
    reported.add(path);
    report('POP-C01', access.node, `Process '${name}' reads '${path}', which is not declared in inputs or outputs.`, `Add '${path.replace(/\[\?\].*$/, '')}' to inputs.`);
  }
};
