import type { AccessPath } from './types.js';

/** The roots every engine has; namespaces configured on the engine add more. */
export const CONTEXT_ROOTS: readonly string[] = ['domain', 'global', 'heavy', 'signal', 'meta'];

const HOSTILE_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

export function isHostileSegment(segment: string): boolean {
  return HOSTILE_SEGMENTS.has(segment);
}

export type ParsedContractPath = { ok: true; segments: string[] } | { ok: false; problem: string };

/**
 * Parses a contract path the way the engine will (`domain.items[0]` → `domain`, `items`, `0`) and says, in words a
 * user can act on, what is wrong with a malformed one.
 */
export function parseContractPath(text: string, roots: ReadonlySet<string>): ParsedContractPath {
  if (text.length === 0) return { ok: false, problem: 'is empty' };
  if (text.length > 1024) return { ok: false, problem: `is ${text.length} characters long (at most 1024)` };
  if (/\s/.test(text)) return { ok: false, problem: 'contains whitespace' };
  const segments: string[] = [];
  for (const raw of text.split('.')) {
    const head = /^[^[\]]*/.exec(raw)?.[0] ?? '';
    if (head === '' && !raw.startsWith('[')) return { ok: false, problem: 'has an empty segment (check for a leading, trailing or doubled dot)' };
    if (head !== '') segments.push(head);
    let rest = raw.slice(head.length);
    while (rest.length > 0) {
      const index = /^\[(\d+)\]/.exec(rest);
      if (index === null) return { ok: false, problem: `has a malformed index '${rest}' (use name[0] or name.key)` };
      segments.push(index[1] ?? '');
      rest = rest.slice(index[0].length);
    }
  }
  for (const segment of segments) {
    if (isHostileSegment(segment)) return { ok: false, problem: `uses the segment '${segment}', which would reach the prototype chain` };
    if (segment.includes('*') && segment !== '*') return { ok: false, problem: `uses '*' inside the segment '${segment}' ('*' must be a whole segment)` };
  }
  const root = segments[0] ?? '';
  if (root === '*') return { ok: false, problem: "starts with '*' (the root must be named)" };
  if (!roots.has(root)) {
    return { ok: false, problem: `has the unknown root '${root}' (expected ${[...roots].join(', ')})` };
  }
  return { ok: true, segments };
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
