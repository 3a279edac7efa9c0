import { invalidArgument } from '../errors.js';
import { formatValue } from './format-value.js';
import { compileLinearRegex, MAX_REGEX_SUBJECT } from './linear-regex.js';
import type { AuditConditions } from './recipe-types.js';

/** Returns a description of the first failed condition, or undefined when the value passes. */
export type RuleCheck = (value: unknown) => string | undefined;

function lengthOf(value: unknown): number | undefined {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (value instanceof Map || value instanceof Set) return value.size;
  if (ArrayBuffer.isView(value)) return (value as unknown as { length?: number }).length ?? value.byteLength;
  if (value !== null && typeof value === 'object') return Object.keys(value).length;
  return undefined;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

/**
 * Compiles a rule's conditions into one closure, checked in the original's order (min, max, eq, neq, min_len,
 * max_len, regex). Message strings are only built on failure, so a passing value allocates nothing.
 *
 * Differences from the original, on purpose: a numeric bound on a non-number, a length bound on a value without a
 * length, and a regex on a non-string are violations (the original skipped them silently); `eq`/`neq` compare
 * strings and booleans too (the original only compared numbers).
 */
export function compileRuleCheck(conditions: AuditConditions): RuleCheck {
  const checks: RuleCheck[] = [];
  const { min, max, eq, neq, minLen, maxLen, regex } = conditions;
  if (min !== undefined) {
    checks.push((v) => {
      const n = asNumber(v);
      if (n === undefined || Number.isNaN(n)) return `Value ${formatValue(v)} is not a number (min ${min})`;
      return n < min ? `Value ${formatValue(v)} < min ${min}` : undefined;
    });
  }
  if (max !== undefined) {
    checks.push((v) => {
      const n = asNumber(v);
      if (n === undefined || Number.isNaN(n)) return `Value ${formatValue(v)} is not a number (max ${max})`;
      return n > max ? `Value ${formatValue(v)} > max ${max}` : undefined;
    });
  }
  if (eq !== undefined) checks.push((v) => (v === eq ? undefined : `Value ${formatValue(v)} != ${formatValue(eq)}`));
  if (neq !== undefined) checks.push((v) => (v === neq ? `Value ${formatValue(v)} == ${formatValue(neq)} (forbidden)` : undefined));
  if (minLen !== undefined || maxLen !== undefined) {
    checks.push((v) => {
      const length = lengthOf(v);
      if (length === undefined) return `Value ${formatValue(v)} has no length`;
      if (minLen !== undefined && length < minLen) return `Length ${length} < min_len ${minLen}`;
      if (maxLen !== undefined && length > maxLen) return `Length ${length} > max_len ${maxLen}`;
      return undefined;
    });
  }
  if (regex !== undefined) {
    // Anchored at the start of the string like Python's re.match; linear time whatever the pattern and the value.
    const compiled = compileLinearRegex(regex);
    if (compiled.regex === undefined) throw invalidArgument(`regex '${regex}' is refused: ${compiled.problem}.`);
    const re = compiled.regex;
    checks.push((v) => {
      if (typeof v !== 'string') return `Value ${formatValue(v)} is not a string (regex '${regex}')`;
      if (v.length > MAX_REGEX_SUBJECT) return `Value of length ${v.length} is too long to match regex '${regex}' (limit ${MAX_REGEX_SUBJECT})`;
      return re.test(v) ? undefined : `Value ${formatValue(v)} failed regex '${regex}'`;
    });
  }
  if (checks.length === 1) return checks[0] as RuleCheck;
  return (v) => {
    for (let i = 0; i < checks.length; i++) {
      const failure = (checks[i] as RuleCheck)(v);
      if (failure !== undefined) return failure;
    }
    return undefined;
  };
}
