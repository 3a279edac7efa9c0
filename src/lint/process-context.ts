import type ts from 'typescript';
import type { BodyFacts } from './body-facts.js';
import { parseContractPath } from './contract-path.js';
import type { ContractList, Semantic } from './contract.js';
import type { ProcessDeclaration } from './discover.js';
import type { RuleId } from './rules.js';

/** The valid paths of an `inputs`/`outputs` list, or undefined when the list cannot be trusted to be complete. */
export type DeclaredPaths = readonly (readonly string[])[] | undefined;

/** Everything a rule needs to judge one process. */
export interface ProcessContext {
  declaration: ProcessDeclaration;
  /** For messages: the registry name, or `<anonymous>`. */
  displayName: string;
  /** `undefined` when the semantic is computed (or the contract is not a literal): pure-only rules stay quiet. */
  semantic: Semantic | undefined;
  inputs: DeclaredPaths;
  outputs: DeclaredPaths;
  /** The static entries of `sideEffects`, or undefined when the list is computed. */
  sideEffects: readonly string[] | undefined;
  facts: BodyFacts | undefined;
  roots: ReadonlySet<string>;
}

export type Report = (ruleId: RuleId, node: ts.Node, message: string, hint?: string) => void;

export type ProcessRule = (context: ProcessContext, report: Report) => void;

function declaredPaths(list: ContractList | undefined, roots: ReadonlySet<string>): DeclaredPaths {
  if (list === undefined || !list.complete) return undefined;
  const paths: string[][] = [];
  for (const entry of list.entries) {
    const parsed = parseContractPath(entry.text, roots);
    if (parsed.ok) paths.push(parsed.segments);
  }
  return paths;
}

export function buildProcessContext(declaration: ProcessDeclaration, facts: BodyFacts | undefined, roots: ReadonlySet<string>): ProcessContext {
  const contract = declaration.contract;
  return {
    declaration,
    displayName: declaration.name ?? '<anonymous>',
    semantic: contract?.semantic,
    inputs: declaredPaths(contract?.inputs, roots),
    outputs: declaredPaths(contract?.outputs, roots),
    sideEffects: contract === undefined || !contract.sideEffects.complete ? undefined : contract.sideEffects.entries.map((entry) => entry.text),
    facts,
    roots,
  };
}
