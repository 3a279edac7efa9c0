import type { ProcessSummary } from './analyze-source.js';
import { ruleInfo } from './rules.js';
import type { Finding } from './types.js';
import { formatLocation } from '../source/location.js';

/** T07: every process after the first with the same name, pointing back at the first one. */
export function duplicateNameFindings(processes: readonly ProcessSummary[]): Finding[] {
  const rule = ruleInfo('POP-T07');
  const first = new Map<string, ProcessSummary>();
  const findings: Finding[] = [];
  for (const summary of processes) {
    if (summary.name === undefined) continue;
    const earlier = first.get(summary.name);
    if (earlier === undefined) {
      first.set(summary.name, summary);
      continue;
    }
    findings.push({
      file: summary.file,
      line: summary.line,
      column: summary.column,
      ruleId: rule.id,
      severity: rule.severity,
      message: `Process name '${summary.name}' is already used at ${formatLocation(earlier)}.`,
      hint: rule.hint,
    });
  }
  return findings;
}
