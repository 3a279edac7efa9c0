import type { Finding } from '../lint/types.js';
import { formatLocation } from '../source/location.js';

export interface FindingCounts {
  errorCount: number;
  warningCount: number;
}

export function countFindings(findings: readonly Finding[]): FindingCounts {
  let errorCount = 0;
  for (const finding of findings) if (finding.severity === 'error') errorCount++;
  return { errorCount, warningCount: findings.length - errorCount };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `file:line:col  severity  ruleId  message`, an indented hint line, then a one-line summary. */
export function formatText(findings: readonly Finding[], fileCount: number): string {
  const lines: string[] = [];
  for (const finding of findings) {
    lines.push(`${formatLocation(finding)}  ${finding.severity.padEnd(7)}  ${finding.ruleId}  ${finding.message}`);
    lines.push(`    hint: ${finding.hint}`);
  }
  const { errorCount, warningCount } = countFindings(findings);
  const checked = `${plural(fileCount, 'file')} checked`;
  if (findings.length === 0) lines.push(`No problems found (${checked}).`);
  else lines.push('', `${plural(findings.length, 'problem')} (${plural(errorCount, 'error')}, ${plural(warningCount, 'warning')}) in ${checked}.`);
  return `${lines.join('\n')}\n`;
}

export function formatJson(findings: readonly Finding[]): string {
  return `${JSON.stringify({ findings, ...countFindings(findings) }, null, 2)}\n`;
}
