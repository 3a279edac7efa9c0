/** Segments that would reach into prototypes if user text became property access. */
const HOSTILE_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);
export const MAX_FIELD_LENGTH = 256;
export const MAX_FIELD_DEPTH = 32;

/** Returns why a dotted field path is unusable, or undefined when it is fine. */
export function fieldPathProblem(field: string): string | undefined {
  if (field.length === 0) return 'the field is empty';
  if (field.length > MAX_FIELD_LENGTH) return `the field is longer than ${MAX_FIELD_LENGTH} characters`;
  const segments = field.split('.');
  if (segments.length > MAX_FIELD_DEPTH) return `the field has more than ${MAX_FIELD_DEPTH} segments`;
  for (const segment of segments) {
    if (segment.length === 0) return `'${field}' has an empty segment (write 'a.b', not 'a..b' or '.a')`;
    if (HOSTILE_SEGMENTS.has(segment)) return `'${segment}' is not allowed as a path segment`;
    if (segment.includes('*')) return `'${field}' contains '*': audit fields name one concrete value, wildcards are not supported`;
  }
  return undefined;
}

export function isHostileName(name: string): boolean {
  return HOSTILE_SEGMENTS.has(name);
}

/**
 * Builds a reader for a dotted path into a plain value. Only own properties are read, so `toString` or inherited
 * getters never masquerade as call arguments.
 */
export function compileFieldReader(field: string): (source: unknown) => unknown {
  const segments = field.split('.');
  if (segments.length === 1) {
    const key = segments[0] as string;
    return (source) => (source !== null && typeof source === 'object' && Object.hasOwn(source, key) ? (source as Record<string, unknown>)[key] : undefined);
  }
  return (source) => {
    let current: unknown = source;
    for (let i = 0; i < segments.length; i++) {
      const key = segments[i] as string;
      if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
      current = (current as Record<string, unknown>)[key];
    }
    return current;
  };
}
