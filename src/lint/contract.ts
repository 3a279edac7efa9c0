import ts from 'typescript';
import { processNameProblem } from './process-name.js';
import { propertyNameText, staticText, unwrap } from './syntax.js';

export type Semantic = 'pure' | 'effect' | 'guide';

export const KNOWN_CONTRACT_KEYS: readonly string[] = ['name', 'inputs', 'outputs', 'semantic', 'errors', 'sideEffects', 'parallel'];

export interface ContractEntry {
  text: string;
  node: ts.Node;
}

export interface ContractProblem {
  node: ts.Node;
  message: string;
}

/** A list-valued contract key (`inputs`, `outputs`, `sideEffects`, `errors`). */
export interface ContractList {
  entries: ContractEntry[];
  /** False when some entry (or the whole value) is computed, so the list cannot be trusted to be exhaustive. */
  complete: boolean;
  node: ts.Node | undefined;
}

export interface ContractInfo {
  node: ts.ObjectLiteralExpression;
  name: ContractEntry | undefined;
  inputs: ContractList;
  outputs: ContractList;
  sideEffects: ContractList;
  errors: ContractList;
  /** `undefined` when the value is computed; the engine's default is effect. */
  semantic: Semantic | undefined;
  semanticNode: ts.Node | undefined;
  unknownKeys: ContractEntry[];
  /** Things about the literal that are wrong whatever the paths are (non-string entries, unknown semantic…). */
  problems: ContractProblem[];
}

export interface ContractReadContext {
  semanticTypeNames: ReadonlySet<string>;
  theusNamespaces: ReadonlySet<string>;
  /** Resolves an identifier to the literal a `const` in this file initialises it with. */
  resolveConst: (name: string) => ts.Expression | undefined;
}

function readList(key: string, value: ts.Expression, context: ContractReadContext, problems: ContractProblem[]): ContractList {
  let e = unwrap(value);
  if (ts.isIdentifier(e)) {
    const resolved = context.resolveConst(e.text);
    if (resolved === undefined) return { entries: [], complete: false, node: value };
    e = unwrap(resolved);
  }
  if (!ts.isArrayLiteralExpression(e)) {
    const literal = ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isNumericLiteral(e) || ts.isObjectLiteralExpression(e);
    if (literal) problems.push({ node: value, message: `'${key}' must be an array of strings, not ${ts.isObjectLiteralExpression(e) ? 'an object' : 'a single value'}` });
    return { entries: [], complete: false, node: value };
  }
  const list: ContractList = { entries: [], complete: true, node: value };
  for (const element of e.elements) {
    const text = staticText(element);
    if (text !== undefined && !ts.isNumericLiteral(unwrap(element))) {
      list.entries.push({ text, node: element });
      continue;
    }
    const inner = unwrap(ts.isSpreadElement(element) ? element.expression : element);
    const literalOfWrongType =
      ts.isNumericLiteral(inner) ||
      ts.isObjectLiteralExpression(inner) ||
      ts.isArrayLiteralExpression(inner) ||
      inner.kind === ts.SyntaxKind.TrueKeyword ||
      inner.kind === ts.SyntaxKind.FalseKeyword ||
      inner.kind === ts.SyntaxKind.NullKeyword;
    if (literalOfWrongType && !ts.isSpreadElement(element)) problems.push({ node: element, message: `'${key}' entries must be strings` });
    list.complete = false;
  }
  return list;
}

function readSemantic(value: ts.Expression, context: ContractReadContext, problems: ContractProblem[]): Semantic | undefined {
  const e = unwrap(value);
  const text = staticText(e);
  if (text !== undefined) {
    if (text === 'pure' || text === 'effect' || text === 'guide') return text;
    problems.push({ node: value, message: `unknown semantic '${text}' (expected 'pure', 'effect' or 'guide')` });
    return undefined;
  }
  if (ts.isPropertyAccessExpression(e)) {
    const owner = unwrap(e.expression);
    const isSemanticType =
      (ts.isIdentifier(owner) && (context.semanticTypeNames.has(owner.text) || owner.text === 'SemanticType')) ||
      (ts.isPropertyAccessExpression(owner) && owner.name.text === 'SemanticType');
    if (!isSemanticType) return undefined;
    const member = e.name.text.toLowerCase();
    if (member === 'pure' || member === 'effect' || member === 'guide') return member;
    problems.push({ node: value, message: `unknown semantic 'SemanticType.${e.name.text}' (expected PURE, EFFECT or GUIDE)` });
  }
  return undefined;
}

/** Reads a contract object literal without evaluating anything; computed parts are marked incomplete. */
export function readContract(node: ts.ObjectLiteralExpression, context: ContractReadContext): ContractInfo {
  const info: ContractInfo = {
    node,
    name: undefined,
    inputs: { entries: [], complete: true, node: undefined },
    outputs: { entries: [], complete: true, node: undefined },
    sideEffects: { entries: [], complete: true, node: undefined },
    errors: { entries: [], complete: true, node: undefined },
    semantic: 'effect',
    semanticNode: undefined,
    unknownKeys: [],
    problems: [],
  };
  for (const property of node.properties) {
    if (ts.isSpreadAssignment(property)) {
      // `...base` may bring any key: nothing about the lists can be trusted to be exhaustive.
      info.inputs.complete = false;
      info.outputs.complete = false;
      info.sideEffects.complete = false;
      info.errors.complete = false;
      info.semantic = undefined;
      continue;
    }
    const key = property.name === undefined ? undefined : propertyNameText(property.name);
    if (key === undefined) continue;
    if (!KNOWN_CONTRACT_KEYS.includes(key)) {
      info.unknownKeys.push({ text: key, node: property.name ?? property });
      continue;
    }
    if (!ts.isPropertyAssignment(property)) {
      if (ts.isShorthandPropertyAssignment(property)) {
        const resolved = context.resolveConst(property.name.text);
        if (resolved !== undefined) applyValue(info, key, resolved, context);
        else markComputed(info, key, property);
      }
      continue;
    }
    applyValue(info, key, property.initializer, context);
  }
  return info;
}

function markComputed(info: ContractInfo, key: string, node: ts.Node): void {
  if (key === 'inputs') info.inputs = { entries: [], complete: false, node };
  else if (key === 'outputs') info.outputs = { entries: [], complete: false, node };
  else if (key === 'sideEffects') info.sideEffects = { entries: [], complete: false, node };
  else if (key === 'errors') info.errors = { entries: [], complete: false, node };
  else if (key === 'semantic') {
    info.semantic = undefined;
    info.semanticNode = node;
  }
}

function applyValue(info: ContractInfo, key: string, value: ts.Expression, context: ContractReadContext): void {
  switch (key) {
    case 'inputs':
      info.inputs = readList(key, value, context, info.problems);
      return;
    case 'outputs':
      info.outputs = readList(key, value, context, info.problems);
      return;
    case 'sideEffects':
      info.sideEffects = readList(key, value, context, info.problems);
      return;
    case 'errors':
      info.errors = readList(key, value, context, info.problems);
      return;
    case 'semantic':
      info.semantic = readSemantic(value, context, info.problems);
      info.semanticNode = value;
      return;
    case 'name': {
      const text = staticText(value);
      const e = unwrap(value);
      if (text !== undefined && !ts.isNumericLiteral(e)) {
        const problem = processNameProblem(text);
        if (text.trim() === '') info.problems.push({ node: value, message: "'name' must be a non-empty string" });
        else {
          info.name = { text, node: value };
          if (problem !== undefined) info.problems.push({ node: value, message: `the process name '${text.slice(0, 40)}' ${problem}, so register() refuses it` });
        }
      } else if (ts.isNumericLiteral(e) || ts.isObjectLiteralExpression(e) || ts.isArrayLiteralExpression(e)) {
        info.problems.push({ node: value, message: "'name' must be a string" });
      }
      return;
    }
    default:
      return;
  }
}
