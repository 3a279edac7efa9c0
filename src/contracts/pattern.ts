import { ContractViolationError } from '../errors.js';
import type { Segment } from '../core/path.js';
import { WILDCARD, parseContractPath } from './grammar.js';

/** A contract path: dotted segments, `*` matching exactly one segment. */
export interface PathPattern {
  readonly text: string;
  readonly segments: readonly string[];
}

export { WILDCARD };

/** Parses a contract path with the one grammar; `where` prefixes the error ("process p inputs"). */
export function parsePattern(text: unknown, where: string): PathPattern {
  const parsed = parseContractPath(text);
  if (!parsed.ok) {
    const shown = typeof text === 'string' ? `'${text.length > 64 ? `${text.slice(0, 64)}…` : text}' ` : '';
    throw new ContractViolationError(`${where}: the path ${shown}${parsed.problem}.`, typeof text === 'string' ? { path: text.slice(0, 64) } : {});
  }
  return { text: text as string, segments: parsed.segments };
}

function segMatches(pattern: string, seg: Segment): boolean {
  return pattern === WILDCARD || pattern === String(seg);
}

/** The pattern covers the path: equal, or an ancestor of it. */
export function covers(p: PathPattern, path: readonly Segment[]): boolean {
  const ps = p.segments;
  if (ps.length > path.length) return false;
  for (let i = 0; i < ps.length; i++) if (!segMatches(ps[i]!, path[i]!)) return false;
  return true;
}

/** The path is a strict ancestor of something the pattern names (reading it is traversal). */
export function leadsTo(path: readonly Segment[], p: PathPattern): boolean {
  const ps = p.segments;
  if (path.length >= ps.length) return false;
  for (let i = 0; i < path.length; i++) if (!segMatches(ps[i]!, path[i]!)) return false;
  return true;
}

export function anyCovers(patterns: readonly PathPattern[], path: readonly Segment[]): boolean {
  for (const p of patterns) if (covers(p, path)) return true;
  return false;
}

export function anyLeadsTo(patterns: readonly PathPattern[], path: readonly Segment[]): boolean {
  for (const p of patterns) if (leadsTo(path, p)) return true;
  return false;
}
