import type { AuditConditions, AuditDefaults, AuditLevel, AuditProcessInspection, AuditProcessRecipe, AuditRecipe, AuditRuleSpec, EffectiveAuditRule } from './recipe-types.js';

interface Inheritable {
  readonly level?: AuditLevel;
  readonly minThreshold?: number;
  readonly maxThreshold?: number;
  readonly resetOnSuccess?: boolean;
}

export interface ResolvedSettings {
  readonly level: AuditLevel;
  readonly minThreshold: number;
  readonly maxThreshold: number;
  readonly resetOnSuccess: boolean;
}

/**
 * Rule settings fall back to the process entry, then to the globals. The global `threshold_max` is the Block
 * threshold (as in the original): an S or A rule without a threshold of its own (rule or process) acts on the first
 * failure, which is what INC-012 pins (`p_critical` stops at once although the global threshold is 100).
 */
export function resolveSettings(own: Inheritable, process: Inheritable | undefined, defaults: AuditDefaults): ResolvedSettings {
  const level = own.level ?? process?.level ?? defaults.level;
  const explicitMax = own.maxThreshold ?? process?.maxThreshold;
  return {
    level,
    minThreshold: own.minThreshold ?? process?.minThreshold ?? defaults.minThreshold,
    maxThreshold: explicitMax ?? (level === 'S' || level === 'A' ? 0 : defaults.maxThreshold),
    resetOnSuccess: own.resetOnSuccess ?? process?.resetOnSuccess ?? defaults.resetOnSuccess,
  };
}

export function effectiveRule(spec: AuditRuleSpec, process: AuditProcessRecipe, defaults: AuditDefaults): EffectiveAuditRule {
  return Object.freeze({
    id: spec.id,
    direction: spec.direction,
    field: spec.field,
    conditions: spec.conditions,
    ...resolveSettings(spec, process, defaults),
    message: spec.message,
    source: spec.source,
  });
}

/** A process's rules with every inherited setting resolved; undefined when the recipe has no entry for it. */
export function inspectRecipe(recipe: AuditRecipe, processName: string): AuditProcessInspection | undefined {
  const process = recipe.processes.get(processName);
  if (process === undefined) return undefined;
  return Object.freeze({
    process: processName,
    source: process.source,
    ...resolveSettings({}, process, recipe.defaults),
    inputs: Object.freeze(process.inputs.map((r) => effectiveRule(r, process, recipe.defaults))),
    outputs: Object.freeze(process.outputs.map((r) => effectiveRule(r, process, recipe.defaults))),
    sideEffects: process.sideEffects,
    errors: process.errors,
  });
}

const RECIPE_KEY_OF: Readonly<Record<keyof AuditConditions, string>> = { min: 'min', max: 'max', eq: 'eq', neq: 'neq', minLen: 'min_len', maxLen: 'max_len', regex: 'regex' };

/** A rule's conditions as `key=value` texts in the recipe's own spelling (`min_len=2`), for `theus audit inspect`. */
export function describeConditions(conditions: AuditConditions): string[] {
  return (Object.keys(RECIPE_KEY_OF) as (keyof AuditConditions)[])
    .filter((key) => conditions[key] !== undefined)
    .map((key) => `${RECIPE_KEY_OF[key]}=${typeof conditions[key] === 'string' ? JSON.stringify(conditions[key]) : String(conditions[key])}`);
}
