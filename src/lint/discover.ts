import ts from 'typescript';
import { readContract, type ContractInfo } from './contract.js';
import type { ModuleBindings } from './module-bindings.js';
import { isFunctionLiteral, outermostWrapper, propertyNameText, unwrap, type FunctionNode } from './syntax.js';

/** One `process(contract, fn)` call found in a file. */
export interface ProcessDeclaration {
  call: ts.CallExpression;
  /** The registry name: `name:` in the contract, else the function's own name, else the variable it is assigned to. */
  name: string | undefined;
  /** Where findings about the name are reported. */
  nameNode: ts.Node;
  /** Undefined when the contract is not an object literal (or a const bound to one) in this file. */
  contract: ContractInfo | undefined;
  /** Undefined when the body is not a function literal (or a function declared in this file). */
  fn: FunctionNode | undefined;
}

/** Finds `const`/`let`/`var` initialisers and function declarations by name, anywhere in the file. */
class FileDeclarations {
  private readonly initializers = new Map<string, ts.Expression[]>();
  private readonly functions = new Map<string, ts.FunctionDeclaration[]>();

  constructor(sourceFile: ts.SourceFile) {
    const visit = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer !== undefined) {
        const list = this.initializers.get(node.name.text) ?? [];
        list.push(node.initializer);
        this.initializers.set(node.name.text, list);
      } else if (ts.isFunctionDeclaration(node) && node.name !== undefined && node.body !== undefined) {
        const list = this.functions.get(node.name.text) ?? [];
        list.push(node);
        this.functions.set(node.name.text, list);
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }

  /** The initialiser of the only declaration with that name; ambiguous names resolve to nothing. */
  initializer(name: string): ts.Expression | undefined {
    const list = this.initializers.get(name);
    return list?.length === 1 ? list[0] : undefined;
  }

  functionNamed(name: string): FunctionNode | undefined {
    const declared = this.functions.get(name);
    if (declared?.length === 1 && this.initializers.get(name) === undefined) return declared[0];
    const init = this.initializer(name);
    if (init !== undefined && this.functions.get(name) === undefined) {
      const e = unwrap(init);
      if (isFunctionLiteral(e)) return e;
    }
    return undefined;
  }
}

function isProcessReference(expression: ts.Expression, bindings: ModuleBindings): boolean {
  const e = unwrap(expression);
  if (ts.isIdentifier(e)) return bindings.processNames.has(e.text);
  if (ts.isPropertyAccessExpression(e) && (e.name.text === 'process' || e.name.text === 'defineProcess')) {
    const owner = unwrap(e.expression);
    return ts.isIdentifier(owner) && bindings.theusNamespaces.has(owner.text);
  }
  return false;
}

/** `process.for<AppContext>()`: the typed form returns a `process` function bound to a context type. */
function isFactoryCall(expression: ts.Expression, bindings: ModuleBindings): boolean {
  const e = unwrap(expression);
  return ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'for' && isProcessReference(e.expression.expression, bindings);
}

function variableNameOf(call: ts.CallExpression): ts.Identifier | undefined {
  const outer = outermostWrapper(call);
  const parent = outer.parent;
  if (ts.isVariableDeclaration(parent) && parent.initializer === outer && ts.isIdentifier(parent.name)) return parent.name;
  if (ts.isPropertyAssignment(parent) && parent.initializer === outer && ts.isIdentifier(parent.name)) return parent.name;
  return undefined;
}

export function discoverProcessCalls(sourceFile: ts.SourceFile, bindings: ModuleBindings): ProcessDeclaration[] {
  const declarations = new FileDeclarations(sourceFile);
  const factoryNames = new Set<string>();
  const findFactories = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer !== undefined && isFactoryCall(node.initializer, bindings)) {
      factoryNames.add(node.name.text);
    }
    ts.forEachChild(node, findFactories);
  };
  findFactories(sourceFile);

  const isProcessCallee = (callee: ts.Expression): boolean => {
    const e = unwrap(callee);
    if (isProcessReference(e, bindings) || isFactoryCall(e, bindings)) return true;
    return ts.isIdentifier(e) && factoryNames.has(e.text);
  };

  const found: ProcessDeclaration[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && isProcessCallee(node.expression)) {
      found.push(describeCall(node, bindings, declarations));
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

function describeCall(call: ts.CallExpression, bindings: ModuleBindings, declarations: FileDeclarations): ProcessDeclaration {
  const [contractArg, fnArg] = call.arguments;
  let contract: ContractInfo | undefined;
  if (contractArg !== undefined) {
    let literal = unwrap(contractArg);
    if (ts.isIdentifier(literal)) literal = unwrap(declarations.initializer(literal.text) ?? literal);
    if (ts.isObjectLiteralExpression(literal)) {
      contract = readContract(literal, {
        semanticTypeNames: bindings.semanticTypeNames,
        theusNamespaces: bindings.theusNamespaces,
        resolveConst: (name) => declarations.initializer(name),
      });
    }
  }
  let fn: FunctionNode | undefined;
  if (fnArg !== undefined) {
    const e = unwrap(fnArg);
    if (isFunctionLiteral(e)) fn = e;
    else if (ts.isIdentifier(e)) fn = declarations.functionNamed(e.text);
  }
  const variable = variableNameOf(call);
  const fnName = fn !== undefined && (ts.isFunctionExpression(fn) || ts.isFunctionDeclaration(fn)) && fn.name !== undefined ? fn.name : undefined;
  const name = contract?.name?.text ?? fnName?.text ?? (variable === undefined ? undefined : propertyNameText(variable));
  const nameNode = contract?.name?.node ?? fnName ?? variable ?? call;
  return { call, name, nameNode, contract, fn };
}
