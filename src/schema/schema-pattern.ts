import { invalidArgument } from '../errors.js';

/** The engine's zones; namespaces are added through `SchemaGate` options. */
export const DEFAULT_SCHEMA_ROOTS: readonly string[] = Object.freeze(['domain', 'global', 'heavy', 'signal', 'meta']);
const HOSTILE = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_SEGMENTS = 32;
const MAX_SEGMENT_LENGTH = 128;

/**
 * Parses a schema pattern: `root`, `root.key.sub`, with `*` standing for exactly one segment (`domain.accounts.*`).
 * Throws `INVALID_ARGUMENT` for an unknown root, an empty or hostile segment, or a partial wildcard (`acc*`).
 */
export function parseSchemaPattern(pattern: string, roots: ReadonlySet<string>): readonly string[] {
  if (typeof pattern !== 'string' || pattern.length === 0) throw invalidArgument('A schema pattern must be a non-empty string.');
  const segments = pattern.split('.');
  if (segments.length > MAX_SEGMENTS) throw invalidArgument(`Schema pattern '${pattern}' has more than ${MAX_SEGMENTS} segments.`, pattern);
  const root = segments[0] as string;
  if (!roots.has(root)) {
    throw invalidArgument(`Schema pattern '${pattern}' starts with '${root}', which is not a state root. Use one of: ${[...roots].join(', ')}.`, pattern);
  }
  for (const segment of segments) {
    if (segment.length === 0) throw invalidArgument(`Schema pattern '${pattern}' has an empty segment (write 'a.b', not 'a..b').`, pattern);
    if (segment.length > MAX_SEGMENT_LENGTH) throw invalidArgument(`Schema pattern '${pattern}' has a segment longer than ${MAX_SEGMENT_LENGTH} characters.`, pattern);
    if (HOSTILE.has(segment)) throw invalidArgument(`Schema pattern '${pattern}' uses '${segment}', which is not allowed as a path segment.`, pattern);
    if (segment !== '*' && segment.includes('*')) {
      throw invalidArgument(`Schema pattern '${pattern}': '*' must be a whole segment (it stands for one key), not part of '${segment}'.`, pattern);
    }
  }
  return Object.freeze(segments);
}

export function isHostileSegment(segment: string): boolean {
  return HOSTILE.has(segment);
}
