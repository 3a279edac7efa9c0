import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node as YamlNode } from 'yaml';
import { AuditRecipeError, type RecipeLocation } from './audit-recipe-error.js';

/**
 * A uniform read-only view of a recipe value, whether it came from YAML (with line/column) or from a plain object
 * (located by key path). The validator walks this view only, so both inputs get identical checks and messages.
 */
export interface RecipeNode {
  readonly kind: 'map' | 'seq' | 'scalar';
  /** The JS value for scalars (string, number, boolean, null); undefined for maps and sequences. */
  readonly value: unknown;
  readonly location: RecipeLocation;
  /** Map entries in source order; each key carries its own location (used for "unknown key" errors). */
  entries(): RecipeEntry[];
  items(): RecipeNode[];
}

export interface RecipeEntry {
  readonly key: string;
  readonly keyLocation: RecipeLocation;
  readonly node: RecipeNode;
}

/** Caps the work a recipe can cause (YAML aliases can otherwise expand exponentially). */
const MAX_NODES = 100_000;

export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

class Budget {
  private used = 0;
  spend(location: RecipeLocation): void {
    if (++this.used > MAX_NODES) {
      throw new AuditRecipeError(`the recipe expands to more than ${MAX_NODES} values (repeated aliases?); simplify it.`, location);
    }
  }
}

// ---- YAML ----------------------------------------------------------------------------------------------------

export function yamlRecipeNode(doc: Document, lineCounter: LineCounter, file: string | undefined): RecipeNode {
  const budget = new Budget();
  const locate = (node: YamlNode | null | undefined, keyPath: string, fallback: RecipeLocation): RecipeLocation => {
    const offset = node?.range?.[0];
    if (offset === undefined) return { ...fallback, keyPath };
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, column: pos.col, keyPath };
  };

  const wrap = (raw: unknown, keyPath: string, fallback: RecipeLocation): RecipeNode => {
    let node = raw as YamlNode | null | undefined;
    const location = locate(node, keyPath, fallback);
    budget.spend(location);
    if (isAlias(node)) node = node.resolve(doc) as YamlNode | undefined;
    if (isMap(node)) {
      const map = node;
      return {
        kind: 'map',
        value: undefined,
        location,
        entries: () =>
          map.items.map((pair) => {
            if (!isPair(pair) || !isScalar(pair.key) || typeof pair.key.value !== 'string') {
              const at = locate(isPair(pair) ? (pair.key as YamlNode) : undefined, keyPath, location);
              throw new AuditRecipeError('every key must be a plain string.', at);
            }
            const key = pair.key.value;
            const keyLocation = locate(pair.key, childPath(keyPath, key), location);
            return { key, keyLocation, node: wrap(pair.value, childPath(keyPath, key), keyLocation) };
          }),
        items: () => [],
      };
    }
    if (isSeq(node)) {
      const seq = node;
      return {
        kind: 'seq',
        value: undefined,
        location,
        entries: () => [],
        items: () => seq.items.map((item, i) => wrap(item, childPath(keyPath, i), location)),
      };
    }
    // `key:` with nothing after it has no value node: it reads as null, located at the key.
    const value = isScalar(node) ? node.value : node === null || node === undefined ? null : node;
    return { kind: 'scalar', value, location, entries: () => [], items: () => [] };
  };

  return wrap(doc.contents, '', { file, line: 1, column: 1, keyPath: '' });
}

// ---- plain objects -------------------------------------------------------------------------------------------

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export function objectRecipeNode(root: unknown): RecipeNode {
  // No cycle guard is needed: the validator only descends through the recipe's fixed key structure (a few levels),
  // and any non-plain value there is reported as a wrong type.
  const budget = new Budget();
  const wrap = (value: unknown, keyPath: string): RecipeNode => {
    const location: RecipeLocation = { keyPath };
    budget.spend(location);
    if (Array.isArray(value)) {
      const list: readonly unknown[] = value;
      return {
        kind: 'seq',
        value: undefined,
        location,
        entries: () => [],
        items: () => list.map((item, i) => wrap(item, childPath(keyPath, i))),
      };
    }
    if (isPlainObject(value)) {
      const record = value;
      return {
        kind: 'map',
        value: undefined,
        location,
        entries: () =>
          Object.keys(record).map((key) => {
            const path = childPath(keyPath, key);
            return { key, keyLocation: { keyPath: path }, node: wrap(record[key], path) };
          }),
        items: () => [],
      };
    }
    return { kind: 'scalar', value: value === undefined ? null : value, location, entries: () => [], items: () => [] };
  };
  return wrap(root, '');
}
