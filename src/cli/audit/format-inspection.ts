import { describeConditions, type AuditProcessInspection, type EffectiveAuditRule } from '../../audit/index.js';
import type { AuditLevel } from '../../audit/index.js';

const LEVEL_NAMES: Readonly<Record<AuditLevel, string>> = { S: 'S stop', A: 'A abort', B: 'B block', C: 'C count' };

/** Rows padded to their widest cell, so the columns line up in a terminal. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

function actsWhen(rule: { level: AuditLevel; maxThreshold: number }): string {
  if (rule.level === 'C') return 'never (counts)';
  return rule.maxThreshold === 0 ? '1st failure' : `failure #${rule.maxThreshold + 1}`;
}

function ruleRows(rules: readonly EffectiveAuditRule[]): string[][] {
  return rules.map((rule) => [
    rule.field,
    describeConditions(rule.conditions).join(' ') || '(none)',
    LEVEL_NAMES[rule.level],
    actsWhen(rule),
    rule.minThreshold > 0 ? `from #${rule.minThreshold}` : '-',
    rule.resetOnSuccess ? 'yes' : 'no',
    rule.message ?? '',
  ]);
}

function section(title: string, rules: readonly EffectiveAuditRule[]): string[] {
  if (rules.length === 0) return [title, '  (none)'];
  const rows = table(['field', 'condition', 'level', 'acts on', 'warns', 'reset', 'message'], ruleRows(rules));
  return [title, ...rows.map((r) => `  ${r}`)];
}

function list(title: string, items: readonly string[]): string {
  return `${title}: ${items.length === 0 ? '(none declared)' : items.join(', ')}`;
}

/** `theus audit inspect` text: the process's own failure counter, then its input and output rules. */
export function formatInspection(inspection: AuditProcessInspection): string {
  const lines = [
    `Process '${inspection.process}' (${inspection.source})`,
    `  when the process itself fails: ${LEVEL_NAMES[inspection.level]}, acts on ${actsWhen(inspection)}${inspection.resetOnSuccess ? ', counter reset on success' : ''}`,
    '',
    ...section('INPUT RULES (checked on the call args)', inspection.inputs),
    '',
    ...section('OUTPUT RULES (checked on the values the commit writes)', inspection.outputs),
    '',
    list('SIDE EFFECTS', inspection.sideEffects),
    list('EXPECTED ERRORS', inspection.errors),
  ];
  return `${lines.join('\n')}\n`;
}
