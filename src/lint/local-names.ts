import ts from 'typescript';
import { bindingIdentifiers } from './syntax.js';

/**
 * Every name declared anywhere inside a function (its parameters, variables, nested functions and classes, catch
 * bindings). Scoping is flattened on purpose: a name declared somewhere inside is never taken for an outer one,
 * trading a few missed reports for no false "outer variable" reports.
 */
export function collectLocalNames(fn: ts.Node): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) || ts.isParameter(node)) {
      for (const id of bindingIdentifiers(node.name)) names.add(id.text);
    } else if ((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isClassDeclaration(node) || ts.isClassExpression(node)) && node.name !== undefined) {
      names.add(node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(fn);
  return names;
}
