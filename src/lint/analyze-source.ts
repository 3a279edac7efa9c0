import ts from 'typescript';
import { analyzeBody } from './analyze-body.js';
import { CONTEXT_ROOTS } from './contract-path.js';
import type { Semantic } from './contract.js';
import { discoverProcessCalls } from './discover.js';
import { collectModuleBindings } from './module-bindings.js';
import { buildProcessContext, type ProcessRule, type Report } from './process-context.js';
import { contractShapeRules } from './rules/contract-shape.js';
import { escapingCtxRule } from './rules/escaping-ctx.js';
import { ioRules } from './rules/io.js';
import { outerStateRule } from './rules/outer-state.js';
import { pureFirewallRule } from './rules/pure-firewall.js';
import { pureReturnRule } from './rules/pure-return.js';
import { restrictedAliasRule } from './rules/restricted-alias.js';
import { undeclaredReadRule } from './rules/undeclared-read.js';
import { writeRules } from './rules/writes.js';
import { zonePhysicsRule } from './rules/zone-physics.js';
import { ruleInfo, type RuleId } from './rules.js';
import { parseSource, positionAt, positionOf, syntaxErrorsOf } from './source-file.js';
import type { Finding, LintOptions } from './types.js';

/** A process found in a file, as `theus audit gen-spec` and the duplicate-name check need it. */
export interface ProcessSummary {
  /** Undefined when neither `name:`, the function nor a variable gives one. */
  name: string | undefined;
  file: string;
  line: number;
  column: number;
  semantic: Semantic | undefined;
  inputs: string[];
  outputs: string[];
  sideEffects: string[];
  errors: string[];
}

export interface SourceAnalysis {
  findings: Finding[];
  processes: ProcessSummary[];
}

const PROCESS_RULES: readonly ProcessRule[] = [
  contractShapeRules,
  pureFirewallRule,
  pureReturnRule,
  undeclaredReadRule,
  writeRules,
  zonePhysicsRule,
  restrictedAliasRule,
  outerStateRule,
  escapingCtxRule,
  ioRules,
];

export function rootsFor(options: LintOptions): ReadonlySet<string> {
  return new Set([...CONTEXT_ROOTS, ...(options.namespaces ?? [])]);
}

export function makeFinding(file: string, sourceFile: ts.SourceFile, ruleId: RuleId, node: ts.Node, message: string, hint?: string): Finding {
  const rule = ruleInfo(ruleId);
  const { line, column } = positionOf(sourceFile, node);
  return { file, line, column, ruleId, severity: rule.severity, message, hint: hint ?? rule.hint };
}

export function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.column - b.column || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);
}

/** Every rule except the duplicate-name check, which needs all the files at once. */
export function analyzeSource(code: string, fileName: string, options: LintOptions = {}): SourceAnalysis {
  try {
    return analyzeParsed(code, fileName, options);
  } catch (error) {
    // The TypeScript parser and the walker recurse per nesting level; absurdly deep code overflows the stack.
    // One such file must not abort a whole project check, so it becomes a finding.
    if (!(error instanceof RangeError && /call stack/i.test(error.message))) throw error;
    const rule = ruleInfo('POP-X01');
    const message = 'The file is nested too deeply to parse (the parser ran out of stack); it was not analysed.';
    return { findings: [{ file: fileName, line: 1, column: 1, ruleId: rule.id, severity: rule.severity, message, hint: 'Split the deeply nested code into smaller functions.' }], processes: [] };
  }
}

function analyzeParsed(code: string, fileName: string, options: LintOptions): SourceAnalysis {
  const sourceFile = parseSource(code, fileName);
  const roots = rootsFor(options);
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const push = (finding: Finding): void => {
    const key = `${finding.ruleId}:${finding.line}:${finding.column}:${finding.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    findings.push(finding);
  };

  const [syntaxError] = syntaxErrorsOf(sourceFile);
  if (syntaxError !== undefined) {
    // Later syntax errors usually cascade from the first one; reporting it alone keeps the output readable.
    const rule = ruleInfo('POP-X01');
    const { line, column } = positionAt(sourceFile, syntaxError.start);
    const text = ts.flattenDiagnosticMessageText(syntaxError.messageText, ' ');
    push({ file: fileName, line, column, ruleId: rule.id, severity: rule.severity, message: `Syntax error: ${text}`, hint: rule.hint });
  }

  const bindings = collectModuleBindings(sourceFile);
  const processes: ProcessSummary[] = [];
  for (const declaration of discoverProcessCalls(sourceFile, bindings)) {
    const facts = declaration.fn === undefined ? undefined : analyzeBody(declaration.fn, bindings, roots);
    const context = buildProcessContext(declaration, facts, roots);
    const report: Report = (ruleId, node, message, hint) => push(makeFinding(fileName, sourceFile, ruleId, node, message, hint));
    for (const rule of PROCESS_RULES) rule(context, report);
    const contract = declaration.contract;
    const position = positionOf(sourceFile, declaration.nameNode);
    processes.push({
      name: declaration.name,
      file: fileName,
      line: position.line,
      column: position.column,
      semantic: contract === undefined ? undefined : contract.semantic,
      inputs: contract?.inputs.entries.map((entry) => entry.text) ?? [],
      outputs: contract?.outputs.entries.map((entry) => entry.text) ?? [],
      sideEffects: contract?.sideEffects.entries.map((entry) => entry.text) ?? [],
      errors: contract?.errors.entries.map((entry) => entry.text) ?? [],
    });
  }
  findings.sort(compareFindings);
  return { findings, processes };
}
