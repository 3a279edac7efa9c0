export { AuditSystem, EXCEPTION_RULE, DEFAULT_LOG_CAPACITY, UNKNOWN_PROCESS_WARNING } from './audit-system.js';
export type { AuditSystemOptions, AuditStats, AuditProcessStats, AuditRuleStats } from './audit-system.js';
export type { AuditAction, AuditLogEntry, AuditLogFilter } from './audit-log.js';
export { AuditRecipeError, formatLocation } from './audit-recipe-error.js';
export type { RecipeLocation } from './audit-recipe-error.js';
export { loadAuditRecipe, parseAuditRecipe, isAuditRecipe, DEFAULT_AUDIT_SETTINGS } from './recipe-loader.js';
export type { LoadAuditRecipeOptions } from './recipe-loader.js';
export { inspectRecipe, describeConditions } from './effective-rules.js';
export { parseAuditLevel } from './levels.js';
export { MAX_REGEX_LENGTH, MAX_REGEX_PROGRAM, MAX_REGEX_SUBJECT } from './linear-regex.js';
export { generateRecipeSkeleton, mergeRecipeSkeleton } from './recipe-skeleton.js';
export type { ProcessSkeletonInfo } from './recipe-skeleton.js';
export type {
  AuditLevel,
  AuditScalar,
  AuditConditions,
  AuditDirection,
  AuditRuleSpec,
  AuditDefaults,
  AuditProcessRecipe,
  AuditRecipe,
  EffectiveAuditRule,
  AuditProcessInspection,
} from './recipe-types.js';
