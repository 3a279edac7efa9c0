import { TheusError } from '../errors.js';
import { formatLocation as formatSourceLocation } from '../source/location.js';

/** Where a recipe problem is: a YAML position (file, line, column) and/or the key path inside the recipe. */
export interface RecipeLocation {
  readonly file?: string | undefined;
  readonly line?: number | undefined;
  readonly column?: number | undefined;
  /** Dotted/indexed key path inside the recipe, e.g. `process_recipes.transfer.inputs[0].level`. */
  readonly keyPath: string;
}

export function formatLocation(location: RecipeLocation): string {
  if (location.line === undefined) return location.keyPath === '' ? '<recipe root>' : location.keyPath;
  const where = formatSourceLocation(location);
  return location.keyPath === '' ? where : `${where} (${location.keyPath})`;
}

/** A malformed audit recipe: unknown key, bad level, bad regex, thresholds out of order, wrong type, unknown process. */
export class AuditRecipeError extends TheusError {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly keyPath: string;

  constructor(problem: string, location: RecipeLocation, options: { cause?: unknown } = {}) {
    super('AUDIT_RECIPE', `Audit recipe error at ${formatLocation(location)}: ${problem}`, { path: location.keyPath, cause: options.cause });
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
    this.keyPath = location.keyPath;
  }
}
