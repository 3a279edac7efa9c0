import { ContractViolationError } from '../errors.js';
import { isHostileKey, type Segment } from '../core/path.js';

/** A contract path: dotted segments, `*` matching exactly one segment. */
export interface PathPattern {
  readonly text: string;
  readonly segments: readonly string[];
}

export const WILDCARD = '*';

export function parsePattern(text: unknown, where: string): PathPattern {
  if (typeof text !== 'string') throw new ContractViolationError(`${where}: a path must be a string, got ${text === null ? 'null' : typeof text}.`);
  if (text.length === 0) throw new ContractViolationError(`${where}: empty path.`, { path: text });
  if (text.length > 512) throw new ContractViolationError(`${where}: path longer than 512 characters.`, { path: text.slice(0, 64) });
  const normalized = text.replace(/\[(\d+|\*)\]/g, '.$1');
  const segments = normalized.split('.');
  for (const seg of segments) {
    if (seg.length === 0) throw new ContractViolationError(`${where}: path '${text}' has an empty segment.`, { path: text });
    if (isHostileKey(seg) || seg.startsWith('__')) throw new ContractViolationError(`${where}: path '${text}' uses the refused segment '${seg}'.`, { path: text });
    if (/[\s[\]'"`]/.test(seg)) throw new ContractViolationError(`${where}: path '${text}' has a malformed segment '${seg}'.`, { path: text });
    if (seg.includes(WILDCARD) && seg !== WILDCARD) throw new ContractViolationError(`${where}: in '${text}', '*' must stand alone as a whole segment.`, { path: text });
  }
  return { text, segments };
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
