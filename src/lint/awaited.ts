import ts from 'typescript';
import { isFunctionBoundary, isReferenceIdentifier } from './syntax.js';

const PROMISE_COMBINATORS = new Set(['all', 'allSettled', 'race', 'any']);
const CHAIN_METHODS = new Set(['then', 'catch', 'finally']);

function isPromiseCombinatorCall(node: ts.Node): node is ts.CallExpression {
  return (
    ts.isCallExpression(node) &&
    ts.isPropertyAccessExpression(node.expression) &&
    PROMISE_COMBINATORS.has(node.expression.name.text) &&
    ts.isIdentifier(node.expression.expression) &&
    node.expression.expression.text === 'Promise'
  );
}

/**
 * Whether the process waits for (or hands back) the promise this expression produces, so work attached to it ends
 * before the transaction does: `await p`, `return p`, `await p.then(…)`, `await Promise.all([p])`, or a local
 * `const p = …` that is itself awaited or returned later in the same function.
 */
export function isAwaitedOrReturned(expression: ts.Expression, depth = 0): boolean {
  if (depth > 8) return false;
  let node: ts.Node = expression;
  for (;;) {
    const parent = node.parent;
    if (
      ts.isParenthesizedExpression(parent) ||
      ts.isAsExpression(parent) ||
      ts.isNonNullExpression(parent) ||
      ts.isSatisfiesExpression(parent) ||
      ts.isTypeAssertionExpression(parent)
    ) {
      node = parent;
      continue;
    }
    if (ts.isPropertyAccessExpression(parent) && parent.expression === node && CHAIN_METHODS.has(parent.name.text) && ts.isCallExpression(parent.parent) && parent.parent.expression === parent) {
      node = parent.parent;
      continue;
    }
    if (ts.isArrayLiteralExpression(parent) && isPromiseCombinatorCall(parent.parent)) {
      node = parent.parent;
      continue;
    }
    if (isPromiseCombinatorCall(parent) && parent.arguments.includes(node as ts.Expression)) {
      node = parent;
      continue;
    }
    if (ts.isAwaitExpression(parent) || ts.isReturnStatement(parent) || ts.isYieldExpression(parent)) return true;
    if (ts.isArrowFunction(parent) && parent.body === node) return true;
    if (ts.isVariableDeclaration(parent) && parent.initializer === node && ts.isIdentifier(parent.name)) {
      return isVariableAwaited(parent.name, depth);
    }
    return false;
  }
}

function isVariableAwaited(name: ts.Identifier, depth: number): boolean {
  let scope: ts.Node = name;
  while (!isFunctionBoundary(scope) && !ts.isSourceFile(scope)) scope = scope.parent;
  let awaited = false;
  const visit = (node: ts.Node): void => {
    if (awaited) return;
    if (ts.isIdentifier(node) && node !== name && node.text === name.text && isReferenceIdentifier(node) && isAwaitedOrReturned(node, depth + 1)) {
      awaited = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return awaited;
}
