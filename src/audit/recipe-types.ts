import type { RecipeLocation } from './audit-recipe-error.js';

/**
 * Audit levels, from the original: S = Stop (halts the engine until reset), A = Abort (rolls back and aborts the
 * running workflow), B = Block (rolls back this transaction), C = Count (only counts and logs).
 */
export type AuditLevel = 'S' | 'A' | 'B' | 'C';

export type AuditScalar = string | number | boolean | null;

/** The conditions one rule checks, evaluated in this order; the first failing one is reported. */
export interface AuditConditions {
  readonly min?: number;
  readonly max?: number;
  readonly eq?: AuditScalar;
  readonly neq?: AuditScalar;
  readonly minLen?: number;
  readonly maxLen?: number;
  /** Source text of a regular expression matched at the start of the string (like Python's `re.match`). */
  readonly regex?: string;
}

export type AuditDirection = 'input' | 'output';

/** A rule as written in the recipe: settings it does not give are inherited from its process, then the globals. */
export interface AuditRuleSpec {
  /** Counter key: `input:amount`, `output:domain.balance`; a second rule on the same field gets `#2`, and so on. */
  readonly id: string;
  readonly direction: AuditDirection;
  /** Inputs: a dotted path into the call's args. Outputs: a context path such as `domain.balance`. */
  readonly field: string;
  readonly conditions: AuditConditions;
  readonly level?: AuditLevel;
  readonly minThreshold?: number;
  readonly maxThreshold?: number;
  readonly resetOnSuccess?: boolean;
  readonly message?: string;
  /** Where the rule is declared (`file:line:column (key path)` or the key path). */
  readonly source: string;
}

export interface AuditDefaults {
  readonly level: AuditLevel;
  /** Block threshold: a B rule acts when its failure count exceeds this. Default 3. */
  readonly maxThreshold: number;
  /** Warning threshold: from this count on, a failure that does not act is logged as `warned`. 0 = never. */
  readonly minThreshold: number;
  readonly resetOnSuccess: boolean;
}

export interface AuditProcessRecipe {
  readonly name: string;
  /** Where the process entry is declared, formatted for messages. */
  readonly source: string;
  readonly location: RecipeLocation;
  readonly level?: AuditLevel;
  readonly minThreshold?: number;
  readonly maxThreshold?: number;
  readonly resetOnSuccess?: boolean;
  readonly inputs: readonly AuditRuleSpec[];
  readonly outputs: readonly AuditRuleSpec[];
  /** Informational only (shown by `theus audit inspect`). */
  readonly sideEffects: readonly string[];
  /** Informational only (shown by `theus audit inspect`). */
  readonly errors: readonly string[];
}

/** A validated, immutable audit recipe, as returned by `loadAuditRecipe`. */
export interface AuditRecipe {
  readonly file: string | undefined;
  readonly defaults: AuditDefaults;
  readonly processes: ReadonlyMap<string, AuditProcessRecipe>;
  /** `strict: true` under `audit:`: rules for a process the engine does not register fail the first execute. */
  readonly strict: boolean;
}

/** A rule with every inherited setting resolved: what the audit system actually enforces. */
export interface EffectiveAuditRule {
  readonly id: string;
  /** `process` only for the `<exception>` counter of a process's own failures. */
  readonly direction: AuditDirection | 'process';
  readonly field: string;
  readonly conditions: AuditConditions;
  readonly level: AuditLevel;
  readonly minThreshold: number;
  /** The rule acts when its count exceeds this (S and A without an explicit threshold: 0, i.e. on the first failure). */
  readonly maxThreshold: number;
  readonly resetOnSuccess: boolean;
  readonly message: string | undefined;
  readonly source: string;
}

export interface AuditProcessInspection {
  readonly process: string;
  readonly source: string;
  /** Settings of the process-level failure counter (a process that throws). */
  readonly level: AuditLevel;
  readonly minThreshold: number;
  readonly maxThreshold: number;
  readonly resetOnSuccess: boolean;
  readonly inputs: readonly EffectiveAuditRule[];
  readonly outputs: readonly EffectiveAuditRule[];
  readonly sideEffects: readonly string[];
  readonly errors: readonly string[];
  /**
   * Whether a process of this name is registered with the engine using the recipe: undefined until the engine has
   * reported its processes (first execute), false for rules that would never run.
   */
  readonly registered?: boolean;
}
