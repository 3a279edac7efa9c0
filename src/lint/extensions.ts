/** Extensions the linter reads (kept apart from the parser so that listing files does not load TypeScript). */
export const SOURCE_EXTENSIONS: readonly string[] = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs'];
