import { childPath, MAX_DEFINITION_DEPTH, syntaxError } from './node.js';
import type { MapEntry, NodePosition, SourceNode } from './node.js';

const OBJECT_FILE = '<object>';

/**
 * Wraps a JavaScript definition object in the same tree the YAML reader builds. There is no text,
 * so positions are the path inside the object (`steps[2].condition`) with line and column 0, and
 * conditions report their column within the condition itself.
 */
export function sourceFromObject(value: unknown): SourceNode {
  return node(value, '', 0);
}

function node(value: unknown, path: string, depth: number): SourceNode {
  const at: NodePosition = { file: OBJECT_FILE, line: 0, column: 0, path };
  if (depth > MAX_DEFINITION_DEPTH) throw syntaxError(at, `the definition nests deeper than ${MAX_DEFINITION_DEPTH} levels (or is cyclic)`);
  const toValue = (): unknown => value;
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    const condition =
      typeof value === 'string' || typeof value === 'boolean'
        ? { text: typeof value === 'string' ? value : String(value), origin: { file: `${OBJECT_FILE} ${path}`, line: 1, column: 1 } }
        : undefined;
    return { kind: 'scalar', value, at, toValue, condition };
  }
  if (Array.isArray(value)) {
    return { kind: 'seq', items: value.map((item, i) => node(item, childPath(path, i), depth + 1)), at, toValue };
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto === Object.prototype || proto === null) {
      const entries: MapEntry[] = Object.keys(value).map((key) => {
        const keyPath = childPath(path, key);
        return { key, keyAt: { ...at, path: keyPath }, value: node((value as Record<string, unknown>)[key], keyPath, depth + 1) };
      });
      return { kind: 'map', entries, at, toValue };
    }
  }
  const description = typeof value === 'object' ? `an instance of ${(value as object).constructor?.name ?? 'an unknown class'}` : `a ${typeof value}`;
  return { kind: 'other', description, at, toValue };
}
