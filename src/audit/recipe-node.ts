import type { YamlTreeNode } from '../source/positioned-yaml.js';
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

/** Wraps a positioned YAML tree; the tree itself already bounds alias expansion and depth. */
export function yamlRecipeNode(root: YamlTreeNode | null, file: string | undefined): RecipeNode {
  const wrap = (node: YamlTreeNode | null, keyPath: string, fallback: RecipeLocation): RecipeNode => {
    const location: RecipeLocation = node === null ? { ...fallback, keyPath } : { file, line: node.at.line, column: node.at.column, keyPath };
    if (node?.kind === 'map') {
      return {
        kind: 'map',
        value: undefined,
        location,
        entries: () =>
          node.entries.map((pair) => {
            const at: RecipeLocation = { file, line: pair.keyAt.line, column: pair.keyAt.column, keyPath };
            if (pair.key === undefined) throw new AuditRecipeError('every key must be a plain string.', at);
            const keyLocation = { ...at, keyPath: childPath(keyPath, pair.key) };
            return { key: pair.key, keyLocation, node: wrap(pair.value, keyLocation.keyPath, keyLocation) };
          }),
        items: () => [],
      };
    }
    if (node?.kind === 'seq') {
      return {
        kind: 'seq',
        value: undefined,
        location,
        entries: () => [],
        items: () => node.items.map((item, i) => wrap(item, childPath(keyPath, i), location)),
      };
    }
    // `key:` with nothing after it has no value node: it reads as null, located at the key.
    return { kind: 'scalar', value: node === null ? null : node.value, location, entries: () => [], items: () => [] };
  };
  return wrap(root, '', { file, line: 1, column: 1, keyPath: '' });
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
