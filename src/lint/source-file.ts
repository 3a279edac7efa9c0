import ts from 'typescript';

export { SOURCE_EXTENSIONS } from './extensions.js';

/** The script kind follows the extension so JSX and type syntax parse correctly. */
function scriptKindOf(fileName: string): ts.ScriptKind {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (lower.endsWith('.ts') || lower.endsWith('.mts') || lower.endsWith('.cts')) return ts.ScriptKind.TS;
  if (lower.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (lower.endsWith('.js') || lower.endsWith('.mjs') || lower.endsWith('.cjs')) return ts.ScriptKind.JS;
  // Unknown extension (editor buffers, ESLint virtual files): TypeScript parses a superset of JavaScript.
  return ts.ScriptKind.TS;
}

export function parseSource(code: string, fileName: string): ts.SourceFile {
  const text = code.charCodeAt(0) === 0xfeff ? code.slice(1) : code;
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, scriptKindOf(fileName));
}

export interface Position {
  line: number;
  column: number;
}

/** 1-based line and column of a node's first token (comments and whitespace before it skipped). */
export function positionOf(sourceFile: ts.SourceFile, node: ts.Node): Position {
  return positionAt(sourceFile, node.getStart(sourceFile));
}

export function positionAt(sourceFile: ts.SourceFile, offset: number): Position {
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(offset);
  return { line: line + 1, column: character + 1 };
}

/**
 * The parser's syntax errors. `createSourceFile` never throws: it recovers and records them on the (internal but
 * long-stable) `parseDiagnostics` field; a type checker would be the only public way to get them.
 */
export function syntaxErrorsOf(sourceFile: ts.SourceFile): readonly ts.DiagnosticWithLocation[] {
  const diagnostics = (sourceFile as unknown as { parseDiagnostics?: readonly ts.DiagnosticWithLocation[] }).parseDiagnostics;
  return Array.isArray(diagnostics) ? diagnostics : [];
}
