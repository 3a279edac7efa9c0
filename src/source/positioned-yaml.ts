import { createRequire } from 'node:module';
import type { Document, LineCounter, Node as YamlNode, Scalar } from 'yaml';

/**
 * YAML parsed once into a tree that keeps, for every node, where it starts in the text. Audit recipes, Flux workflows
 * and schema files are all read through it; each caller turns problems into its own typed error.
 */

type YamlLibrary = typeof import('yaml');
let library: YamlLibrary | undefined;

/**
 * The `yaml` package, loaded on first use (synchronously: recipes and workflows are read inside constructors and
 * `parseWorkflow`), so `import 'theus'` does not pay for a YAML parser an application may never use.
 */
export function yamlLibrary(): YamlLibrary {
  library ??= createRequire(import.meta.url)('yaml') as YamlLibrary;
  return library;
}

export interface YamlPosition {
  /** Character offset of the node's first character. */
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

export type YamlScalarStyle = 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED' | undefined;

export interface YamlEntry {
  /** The key when it is a plain string; undefined for complex or non-string keys (see `keyDescription`). */
  readonly key: string | undefined;
  readonly keyDescription: string;
  readonly keyAt: YamlPosition;
  /** Null for `key:` with nothing after it. */
  readonly value: YamlTreeNode | null;
}

export type YamlTreeNode =
  | { readonly kind: 'map'; readonly at: YamlPosition; readonly entries: readonly YamlEntry[]; toJS(): unknown }
  | { readonly kind: 'seq'; readonly at: YamlPosition; readonly items: readonly (YamlTreeNode | null)[]; toJS(): unknown }
  | {
      readonly kind: 'scalar';
      readonly at: YamlPosition;
      readonly value: unknown;
      readonly style: YamlScalarStyle;
      /** The scalar exactly as written (quotes and block indicators included). */
      readonly raw: string;
      readonly tag: string | undefined;
      toJS(): unknown;
    };

export interface YamlProblem {
  readonly message: string;
  readonly at: YamlPosition;
}

export interface PositionedYamlOptions {
  /** Refuse duplicate keys (YAML allows them; later ones would silently win). Default true. */
  uniqueKeys?: boolean;
  /** Nodes built, aliases counted each time they are used: bounds alias expansion ("billion laughs"). */
  maxNodes?: number;
  /** Nesting depth; a recursive alias stops here. */
  maxDepth?: number;
}

export type PositionedYaml =
  | { readonly ok: true; readonly root: YamlTreeNode | null; position(offset: number | undefined): YamlPosition }
  | { readonly ok: false; readonly problem: YamlProblem };

const DEFAULT_MAX_NODES = 100_000;
const DEFAULT_MAX_DEPTH = 64;
/** Same cap as the tree budget, for values materialised with toJS(). */
const MAX_ALIAS_COUNT = 100;

class TreeLimit extends Error {
  constructor(
    readonly problem: string,
    readonly offset: number | undefined,
  ) {
    super(problem);
  }
}

/** Parses `text`; a syntax error or a tree over the limits is returned as a positioned problem, never thrown. */
export function parsePositionedYaml(text: string, options: PositionedYamlOptions = {}): PositionedYaml {
  const yaml = yamlLibrary();
  const lineCounter: LineCounter = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: options.uniqueKeys ?? true });
  const position = (offset: number | undefined): YamlPosition => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { offset: offset ?? 0, line, column: col };
  };
  const first = doc.errors[0];
  if (first !== undefined) {
    const message = first.message.split('\n')[0] ?? first.message;
    return { ok: false, problem: { message, at: position(first.pos[0]) } };
  }
  const builder = new TreeBuilder(yaml, doc, text, position, options.maxNodes ?? DEFAULT_MAX_NODES, options.maxDepth ?? DEFAULT_MAX_DEPTH);
  try {
    const root = doc.contents === null ? null : builder.node(doc.contents as YamlNode, 0);
    return { ok: true, root, position };
  } catch (error) {
    if (error instanceof TreeLimit) return { ok: false, problem: { message: error.problem, at: position(error.offset) } };
    throw error;
  }
}

class TreeBuilder {
  private nodes = 0;

  constructor(
    private readonly yaml: YamlLibrary,
    private readonly doc: Document,
    private readonly text: string,
    private readonly position: (offset: number | undefined) => YamlPosition,
    private readonly maxNodes: number,
    private readonly maxDepth: number,
  ) {}

  node(yamlNode: YamlNode, depth: number): YamlTreeNode {
    const { yaml } = this;
    const offset = yamlNode.range?.[0];
    if (++this.nodes > this.maxNodes) throw new TreeLimit(`the document expands to more than ${this.maxNodes} values (repeated aliases?)`, offset);
    if (depth > this.maxDepth) throw new TreeLimit(`the document nests deeper than ${this.maxDepth} levels (or an alias refers to itself)`, offset);
    if (yaml.isAlias(yamlNode)) {
      const target = yamlNode.resolve(this.doc) as YamlNode | undefined;
      if (target === undefined) throw new TreeLimit('alias refers to an unknown anchor', offset);
      // The alias is reported where it is used, not where its anchor is.
      return { ...this.node(target, depth + 1), at: this.position(offset) };
    }
    const at = this.position(offset);
    const toJS = (): unknown => yamlNode.toJS(this.doc, { maxAliasCount: MAX_ALIAS_COUNT });
    if (yaml.isMap(yamlNode)) {
      const entries: YamlEntry[] = [];
      for (const pair of yamlNode.items) {
        const keyNode = pair.key as YamlNode | null;
        const keyAt = this.position(keyNode?.range?.[0] ?? offset);
        const isStringKey = yaml.isScalar(keyNode) && typeof keyNode.value === 'string';
        const keyDescription = isStringKey ? (keyNode.value as string) : yaml.isScalar(keyNode) ? JSON.stringify(keyNode.value) ?? String(keyNode.value) : 'a complex key';
        const valueNode = pair.value as YamlNode | null;
        entries.push({ key: isStringKey ? (keyNode.value as string) : undefined, keyDescription, keyAt, value: valueNode === null ? null : this.node(valueNode, depth + 1) });
      }
      return { kind: 'map', at, entries, toJS };
    }
    if (yaml.isSeq(yamlNode)) {
      const items = yamlNode.items.map((item) => (item === null ? null : this.node(item as YamlNode, depth + 1)));
      return { kind: 'seq', at, items, toJS };
    }
    const scalar = yamlNode as Scalar;
    const range = scalar.range;
    return {
      kind: 'scalar',
      at,
      value: scalar.value,
      style: scalar.type as YamlScalarStyle,
      raw: range === undefined || range === null ? '' : this.text.slice(range[0], range[1]),
      tag: scalar.tag,
      toJS: () => scalar.value,
    };
  }
}
