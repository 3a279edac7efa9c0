import ts from 'typescript';
import { isCryptoModule, moduleCategory, RANDOM_CRYPTO_MEMBERS, type IoCategory } from './io-catalog.js';
import { bindingIdentifiers, propertyNameText, staticText, unwrap } from './syntax.js';

export type IoBinding = { kind: 'category'; category: IoCategory; module: string } | { kind: 'crypto-namespace'; module: string };

/** What the file's imports and top-level declarations bind, as far as the linter cares. */
export interface ModuleBindings {
  /** Local names of theus's factory (`import { defineProcess as def } from 'theus'`, or its first name `process`). */
  processNames: Set<string>;
  /** Local names of the whole theus module (`import * as theus from 'theus'`), so `theus.process(…)` is found. */
  theusNamespaces: Set<string>;
  /** Local names of `SemanticType`, so `semantic: SemanticType.PURE` is understood. */
  semanticTypeNames: Set<string>;
  io: Map<string, IoBinding>;
  /** Every name declared at module scope: imports, variables, functions, classes, enums. */
  topLevelNames: Set<string>;
}

export function isTheusModule(specifier: string): boolean {
  return specifier === 'theus' || specifier.startsWith('theus/');
}

function bindImported(bindings: ModuleBindings, module: string, importedName: string | undefined, localName: string): void {
  if (isTheusModule(module)) {
    if (importedName === undefined) bindings.theusNamespaces.add(localName);
    else if (importedName === 'process' || importedName === 'defineProcess') bindings.processNames.add(localName);
    else if (importedName === 'SemanticType') bindings.semanticTypeNames.add(localName);
    return;
  }
  if (isCryptoModule(module)) {
    if (importedName === undefined || importedName === 'default') bindings.io.set(localName, { kind: 'crypto-namespace', module });
    else if (RANDOM_CRYPTO_MEMBERS.has(importedName)) bindings.io.set(localName, { kind: 'category', category: 'nondeterminism', module });
    return;
  }
  const category = moduleCategory(module);
  if (category !== undefined) bindings.io.set(localName, { kind: 'category', category, module });
}

function recordImport(bindings: ModuleBindings, statement: ts.ImportDeclaration): void {
  const module = staticText(statement.moduleSpecifier as ts.Expression);
  const clause = statement.importClause;
  if (module === undefined || clause === undefined || clause.isTypeOnly) return;
  if (clause.name !== undefined) {
    bindings.topLevelNames.add(clause.name.text);
    bindImported(bindings, module, undefined, clause.name.text);
  }
  const named = clause.namedBindings;
  if (named === undefined) return;
  if (ts.isNamespaceImport(named)) {
    bindings.topLevelNames.add(named.name.text);
    bindImported(bindings, module, undefined, named.name.text);
    return;
  }
  for (const specifier of named.elements) {
    bindings.topLevelNames.add(specifier.name.text);
    if (specifier.isTypeOnly) continue;
    const imported = specifier.propertyName === undefined ? specifier.name.text : propertyNameText(specifier.propertyName as ts.PropertyName) ?? specifier.name.text;
    bindImported(bindings, module, imported, specifier.name.text);
  }
}

/** `require('x')` → `'x'`. */
export function requiredModule(expression: ts.Expression): string | undefined {
  const e = unwrap(expression);
  if (!ts.isCallExpression(e) || !ts.isIdentifier(e.expression) || e.expression.text !== 'require') return undefined;
  const first = e.arguments[0];
  return first === undefined ? undefined : staticText(first);
}

function recordRequire(bindings: ModuleBindings, declaration: ts.VariableDeclaration): void {
  if (declaration.initializer === undefined) return;
  const module = requiredModule(declaration.initializer);
  if (module === undefined) return;
  if (ts.isIdentifier(declaration.name)) {
    bindImported(bindings, module, undefined, declaration.name.text);
    return;
  }
  if (!ts.isObjectBindingPattern(declaration.name)) return;
  for (const element of declaration.name.elements) {
    if (!ts.isIdentifier(element.name) || element.dotDotDotToken !== undefined) continue;
    const imported = element.propertyName === undefined ? element.name.text : propertyNameText(element.propertyName);
    if (imported !== undefined) bindImported(bindings, module, imported, element.name.text);
  }
}

export function collectModuleBindings(sourceFile: ts.SourceFile): ModuleBindings {
  const bindings: ModuleBindings = {
    processNames: new Set(),
    theusNamespaces: new Set(),
    semanticTypeNames: new Set(),
    io: new Map(),
    topLevelNames: new Set(),
  };
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement)) {
      recordImport(bindings, statement);
    } else if (ts.isImportEqualsDeclaration(statement)) {
      bindings.topLevelNames.add(statement.name.text);
      const reference = statement.moduleReference;
      if (ts.isExternalModuleReference(reference) && !statement.isTypeOnly) {
        const module = staticText(reference.expression);
        if (module !== undefined) bindImported(bindings, module, undefined, statement.name.text);
      }
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        for (const id of bindingIdentifiers(declaration.name)) bindings.topLevelNames.add(id.text);
        recordRequire(bindings, declaration);
      }
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) && statement.name !== undefined) {
      bindings.topLevelNames.add(statement.name.text);
    }
  }
  return bindings;
}
