import { BUILTIN_ROOTS, isHostileKey, parseContractPath as parseGrammarPath } from '../contracts/grammar.js';
import type { AccessPath } from './types.js';

/** The roots every engine has; namespaces configured on the engine add more. */
export const CONTEXT_ROOTS: readonly string[] = BUILTIN_ROOTS;

export function isHostileSegment(segment: string): boolean {
  return isHostileKey(segment);
}

export type ParsedContractPath = { ok: true; segments: string[] } | { ok: false; problem: string };

/**
 * Parses a contract path with the engine's own grammar (`domain.items[0]` → `domain`, `items`, `0`; `items[*]`;
 * the same length limit and refused segments), so the linter accepts exactly what `register()` accepts.
 */
export function parseContractPath(text: string, roots: ReadonlySet<string>): ParsedContractPath {
  const parsed = parseGrammarPath(text, roots);
  return parsed.ok ? { ok: true, segments: [...parsed.segments] } : { ok: false, problem: parsed.problem };
}

/** A declared `*` matches any one segment; a computed segment in the body may be any key, so it matches too. */
function segmentMatches(declared: string, used: string | null): boolean {
  return declared === '*' || used === null || declared === used;
}

/** The declared path is the used path or one of its ancestors (`domain.accounts` covers `domain.accounts.alice`). */
export function covers(declared: readonly string[], used: AccessPath): boolean {
  if (declared.length > used.length) return false;
  return declared.every((segment, i) => segmentMatches(segment, used[i] ?? null));
}

/** The used path is a strict ancestor of the declared one: reaching `ctx.domain` to get to `domain.accounts`. */
export function isAncestorOf(used: AccessPath, declared: readonly string[]): boolean {
  if (used.length >= declared.length) return false;
  return used.every((segment, i) => segmentMatches(declared[i] ?? '', segment));
}

export function overlaps(declared: readonly string[], used: AccessPath): boolean {
  return covers(declared, used) || isAncestorOf(used, declared);
}

/** `domain.accounts[?]` — computed segments shown as `[?]`. */
export function displayPath(path: AccessPath): string {
  let out = '';
  for (const segment of path) {
    if (segment === null) out += '[?]';
    else if (/^\d+$/.test(segment)) out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}
