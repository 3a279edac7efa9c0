import type { SourcePosition } from '../../errors.js';

/**
 * Where a condition's first character sits in its file, so errors inside the condition can point
 * at the YAML line and column. `indent` is the column (0-based count of spaces) at which the
 * condition's continuation lines start (block scalars); `exact: false` means the YAML scalar was
 * folded or escaped, so only the scalar's own position is known.
 */
export interface ConditionOrigin {
  file?: string | undefined;
  line: number;
  column: number;
  indent?: number | undefined;
  exact?: boolean | undefined;
}

/** A position inside the condition text itself, both 1-based. */
export interface LocalPosition {
  line: number;
  column: number;
}

export const DEFAULT_ORIGIN: ConditionOrigin = { line: 1, column: 1 };

/** Maps a position inside the condition onto the file; a plain `compileCondition` call uses the condition's own coordinates. */
export function absolutePosition(origin: ConditionOrigin, local: LocalPosition): SourcePosition {
  if (origin.exact === false) return { file: origin.file, line: origin.line, column: origin.column };
  if (local.line === 1) return { file: origin.file, line: origin.line, column: origin.column + local.column - 1 };
  return { file: origin.file, line: origin.line + local.line - 1, column: (origin.indent ?? 0) + local.column };
}

/** When the mapping is inexact, the message carries the condition-relative location instead. */
export function localSuffix(origin: ConditionOrigin, local: LocalPosition): string {
  return origin.exact === false ? ` (condition line ${local.line}, column ${local.column})` : '';
}
