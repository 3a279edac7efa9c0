/** A place in a source file. Lines and columns are 1-based; a missing or 0 line means "no text to point into". */
export interface SourceLocation {
  readonly file?: string | undefined;
  readonly line?: number | undefined;
  readonly column?: number | undefined;
}

/** The file name used for YAML or code handed over as text. */
export const INLINE_FILE = '<inline>';

/**
 * `file:line:column`, the form editors and terminals turn into links. Without a line (a JavaScript object has no
 * text) only the file; without a column, column 1.
 */
export function formatLocation(location: SourceLocation): string {
  const file = location.file ?? INLINE_FILE;
  if (location.line === undefined || location.line <= 0) return file;
  return `${file}:${location.line}:${location.column ?? 1}`;
}
