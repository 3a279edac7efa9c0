import { loadAuditRecipe } from '../../audit/index.js';
import { ruleInfo } from '../../lint/rules.js';
import type { Finding } from '../../lint/types.js';

/**
 * POP-A01: recipe entries no checked file declares a process for. Unnamed processes cannot be matched, so only
 * names are compared; the engine makes the same comparison at run time against what is actually registered.
 */
export function recipeFindings(recipeFile: string, shownAs: string, declared: Iterable<string | undefined>): Finding[] {
  const recipe = loadAuditRecipe(recipeFile, { file: shownAs });
  const names = new Set<string>();
  for (const name of declared) if (name !== undefined) names.add(name);
  const rule = ruleInfo('POP-A01');
  const findings: Finding[] = [];
  for (const entry of recipe.processes.values()) {
    if (names.has(entry.name)) continue;
    findings.push({
      file: shownAs,
      line: entry.location.line ?? 1,
      column: entry.location.column ?? 1,
      ruleId: rule.id,
      severity: rule.severity,
      message: `The audit recipe has rules for '${entry.name}', but no checked file declares a process of that name: they would never run.`,
      hint: rule.hint,
    });
  }
  return findings;
}
