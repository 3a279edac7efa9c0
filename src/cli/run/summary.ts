import { TheusError } from '../../errors.js';
import type { RunOutcome } from './run-once.js';

function ms(value: number): string {
  return value < 1000 ? `${value.toFixed(1)} ms` : `${(value / 1000).toFixed(2)} s`;
}

function plural(n: number, word: string, words = `${word}s`): string {
  return `${n} ${n === 1 ? word : words}`;
}

/** How an error reads in a summary: a Theus error's message, or `Class: message` for a process's own error. */
export function describeError(error: unknown): { code: string | undefined; name: string; message: string } {
  if (error instanceof TheusError) return { code: error.code, name: error.name, message: error.message };
  if (error instanceof Error) return { code: (error as { code?: unknown }).code === undefined ? undefined : String((error as { code?: unknown }).code), name: error.name, message: error.message };
  return { code: undefined, name: typeof error, message: String(error) };
}

export function failureMessage(outcome: RunOutcome): string {
  const { name, message } = describeError(outcome.error);
  const where = outcome.steps.length === 0 ? 'at its first step' : `after ${plural(outcome.steps.length, 'committed step')} (last: ${outcome.steps.at(-1)?.name})`;
  const text = outcome.error instanceof TheusError ? message : `${name}: ${message}`;
  return `workflow ${outcome.workflow.file} failed ${where}: ${text}`;
}

/** The human summary printed after a run: result, state version, engine metrics, audit totals. */
export function formatSummary(outcome: RunOutcome): string {
  const { metrics } = outcome;
  const label = outcome.workflow.name === undefined ? outcome.workflow.file : `${outcome.workflow.name} (${outcome.workflow.file})`;
  const lines = [
    `${outcome.ok ? 'Finished' : 'FAILED'} ${label}: ${plural(outcome.steps.length, 'step')} in ${ms(outcome.durationMs)}`,
    `  state     version ${outcome.version}`,
    `  engine    ${plural(metrics.commits, 'commit')}, ${plural(metrics.rollbacks, 'rollback')}, ${plural(metrics.conflicts, 'conflict')}, ${plural(metrics.retries, 'retry', 'retries')}`,
  ];
  const perProcess = Object.entries(metrics.byProcess)
    .map(([name, c]) => `${name} ${c.commits}${c.rollbacks > 0 ? ` (${c.rollbacks} rolled back)` : ''}`)
    .join(', ');
  if (perProcess !== '') lines.push(`  commits   ${perProcess}`);
  if (outcome.audit === undefined) lines.push('  audit     no recipe');
  else {
    const t = outcome.audit.totals;
    lines.push(`  audit     ${plural(t.violations, 'violation')}, ${plural(t.warnings, 'warning')}, ${plural(t.blocks, 'block')}, ${plural(t.aborts, 'abort')}, ${plural(t.stops, 'stop')} (${outcome.recipe})`);
  }
  return `${lines.join('\n')}\n`;
}

/** `--json`: everything in the summary plus the steps and the final data, for scripts. */
export function formatJsonOutcome(outcome: RunOutcome): string {
  const { error, ...rest } = outcome;
  return `${JSON.stringify({ ...rest, error: outcome.ok ? undefined : { ...describeError(error), text: failureMessage(outcome) } }, null, 2)}\n`;
}
