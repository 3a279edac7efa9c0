import type { ESLint, Linter, Rule } from 'eslint';
import { packageVersion } from '../cli/package-info.js';
import { loadLinter } from '../lint/load-linter.js';
import { RULES, type RuleInfo } from '../lint/rules.js';
import type { Finding, LintOptions } from '../lint/types.js';

/**
 * The POP linter as an ESLint 10 flat-config plugin. Each ESLint rule reports the findings of one linter rule; the
 * analysis runs once per file (cached on the SourceCode object) on the file's text, so the rules are not written
 * twice and work with any parser (espree for JavaScript, typescript-eslint's for TypeScript).
 *
 * Settings: `settings: { theus: { namespaces: ['orders'] } }` declares engine namespaces.
 * Duplicate process names are checked within one file here; `theus check` also checks across files.
 */

// ESLint rules are synchronous, so the parser is loaded when ESLint loads the plugin (a missing `typescript` package
// fails there, with an install hint).
const { lintSource } = await loadLinter();

const analyses = new WeakMap<object, Finding[]>();

function namespacesFrom(settings: Record<string, unknown> | undefined): LintOptions {
  const theus = settings?.['theus'];
  if (theus === undefined || theus === null || typeof theus !== 'object') return {};
  const namespaces = (theus as { namespaces?: unknown }).namespaces;
  return namespaces === undefined ? {} : { namespaces: namespaces as string[] };
}

function findingsFor(context: Rule.RuleContext): Finding[] {
  const sourceCode = context.sourceCode;
  let findings = analyses.get(sourceCode);
  if (findings === undefined) {
    const text = sourceCode.text;
    // Files that never mention theus cannot declare processes; skipping them keeps the plugin free for the rest.
    findings = text.includes('theus') ? lintSource(text, context.filename, namespacesFrom(context.settings)) : [];
    analyses.set(sourceCode, findings);
  }
  return findings;
}

function eslintRule(info: RuleInfo): Rule.RuleModule {
  return {
    meta: {
      type: info.severity === 'error' ? 'problem' : 'suggestion',
      docs: { description: info.description, recommended: true },
      schema: [],
    },
    create(context) {
      return {
        Program() {
          for (const finding of findingsFor(context)) {
            if (finding.ruleId !== info.id) continue;
            context.report({
              loc: { line: finding.line, column: finding.column - 1 },
              message: `${finding.message} (${finding.ruleId}) Hint: ${finding.hint}`,
            });
          }
        },
      };
    },
  };
}

/**
 * X01 is left out: ESLint's own parser reports syntax errors, and a file that does not parse never reaches rules. A01
 * compares a whole project with its audit recipe, which a per-file rule cannot see.
 */
const PLUGIN_RULES = RULES.filter((rule) => rule.id !== 'POP-X01' && rule.id !== 'POP-A01');

const rules: Record<string, Rule.RuleModule> = Object.fromEntries(PLUGIN_RULES.map((rule) => [rule.name, eslintRule(rule)]));

/** `export default [theus.configs.recommended]` in eslint.config.js: every rule at the linter's own severity. */
const recommended: Linter.Config = {
  name: 'theus/recommended',
  rules: Object.fromEntries(PLUGIN_RULES.map((rule) => [`theus/${rule.name}`, rule.severity === 'error' ? 'error' : 'warn'])),
};

const plugin = {
  meta: { name: 'theus', version: packageVersion() },
  rules,
  configs: { recommended },
} satisfies ESLint.Plugin;

// The config refers back to the plugin object, as flat configs require; set after both exist.
recommended.plugins = { theus: plugin };

export default plugin;
export { rules };
