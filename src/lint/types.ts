export type Severity = 'error' | 'warning';

/** One problem the POP linter found, at a 1-based line and column (UTF-16 code units, like editors and ESLint). */
export interface Finding {
  file: string;
  line: number;
  column: number;
  ruleId: string;
  severity: Severity;
  message: string;
  hint: string;
}

export interface LintOptions {
  /**
   * Extra top-level context slots configured on the engine (`namespaces`). Contract paths and `ctx.<name>`
   * accesses on these roots are treated like `domain`; any other unknown root is reported as malformed.
   */
  namespaces?: readonly string[];
}

/**
 * A context path as the body uses it: the first segment is the root (`domain`, `global`, …); `null` stands for a
 * segment computed at run time (`ctx.domain.accounts[args.from]`), which may be any key.
 */
export type AccessPath = readonly (string | null)[];
