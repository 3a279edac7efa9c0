import { LineCounter, parseDocument, isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, Node as YamlNode, Scalar } from 'yaml';
import { WorkflowSyntaxError } from '../../errors.js';
import type { ConditionOrigin } from '../condition/origin.js';
import { childPath, MAX_DEFINITION_DEPTH, MAX_DEFINITION_NODES, syntaxError } from './node.js';
import type { ConditionText, MapEntry, NodePosition, SourceNode } from './node.js';

/** Parses YAML text into a {@link SourceNode} tree with line/column positions; YAML errors become `WorkflowSyntaxError`. */
export function sourceFromYaml(text: string, file = '<inline>'): SourceNode {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const problem = doc.errors[0];
  if (problem !== undefined) {
    const pos = problem.linePos?.[0] ?? lineCounter.linePos(problem.pos[0]);
    const firstLine = problem.message.split('\n')[0] ?? problem.message;
    throw new WorkflowSyntaxError(`invalid YAML: ${firstLine}`, { file, line: pos.line, column: pos.col }, { cause: problem });
  }
  return new YamlReader(text, file, lineCounter, doc).read();
}

class YamlReader {
  private nodes = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly lines: LineCounter,
    private readonly doc: Document,
  ) {}

  read(): SourceNode {
    const root = this.doc.contents;
    if (root === null) {
      const at = { file: this.file, line: 1, column: 1, path: '' };
      return { kind: 'scalar', value: null, at, toValue: () => null };
    }
    return this.node(root, '', 0);
  }

  private position(offset: number | undefined, path: string): NodePosition {
    const { line, col } = this.lines.linePos(offset ?? 0);
    return { file: this.file, line, column: col, path };
  }

  private node(yamlNode: YamlNode, path: string, depth: number): SourceNode {
    const at = this.position(yamlNode.range?.[0], path);
    if (++this.nodes > MAX_DEFINITION_NODES) throw syntaxError(at, `the definition has more than ${MAX_DEFINITION_NODES} nodes`);
    if (depth > MAX_DEFINITION_DEPTH) throw syntaxError(at, `the definition nests deeper than ${MAX_DEFINITION_DEPTH} levels`);
    // Aliases reuse an anchored node; a recursive anchor stops at the depth limit above.
    if (isAlias(yamlNode)) return this.node(yamlNode.resolve(this.doc) ?? missingAnchor(at), path, depth + 1);
    const toValue = (): unknown => yamlNode.toJS(this.doc, { maxAliasCount: 100 });
    if (isMap(yamlNode)) {
      const entries: MapEntry[] = [];
      for (const pair of yamlNode.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as YamlNode | null;
        const keyAt = this.position(keyNode?.range?.[0], path);
        if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
          throw syntaxError(keyAt, `mapping keys must be plain names, got ${isScalar(keyNode) ? JSON.stringify(keyNode.value) : 'a complex key'}`);
        }
        const key = keyNode.value;
        const valuePath = childPath(path, key);
        const valueNode = pair.value as YamlNode | null;
        const value: SourceNode =
          valueNode === null ? { kind: 'scalar', value: null, at: { ...keyAt, path: valuePath }, toValue: () => null } : this.node(valueNode, valuePath, depth + 1);
        entries.push({ key, keyAt: { ...keyAt, path: valuePath }, value });
      }
      return { kind: 'map', entries, at, toValue };
    }
    if (isSeq(yamlNode)) {
      const items = yamlNode.items.map((item, i) =>
        item === null
          ? ({ kind: 'scalar', value: null, at: { ...at, path: childPath(path, i) }, toValue: () => null } as SourceNode)
          : this.node(item as YamlNode, childPath(path, i), depth + 1),
      );
      return { kind: 'seq', items, at, toValue };
    }
    if (isScalar(yamlNode)) {
      const value = yamlNode.value;
      if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
        const scalar = value as string | number | boolean | null;
        return { kind: 'scalar', value: scalar, at, toValue: () => scalar, condition: this.conditionText(yamlNode, at) };
      }
      return { kind: 'other', description: `a YAML ${yamlNode.tag ?? 'value'}`, at, toValue };
    }
    return { kind: 'other', description: 'an unsupported YAML node', at, toValue };
  }

  /**
   * Where the characters of a scalar's value sit in the file. Exact for plain, single-line quoted
   * (without escapes) and literal block scalars; otherwise only the scalar's start is known.
   */
  private conditionText(scalar: Scalar, at: NodePosition): ConditionText | undefined {
    const range = scalar.range;
    if (range === undefined || range === null) return undefined;
    const raw = this.text.slice(range[0], range[1]);
    const value = scalar.value;
    const inexact: ConditionOrigin = { file: at.file, line: at.line, column: at.column, exact: false };
    if (typeof value === 'boolean') {
      // `condition: True` is a YAML boolean; the author meant the condition text they typed.
      return scalar.type === 'PLAIN' ? { text: raw, origin: { file: at.file, line: at.line, column: at.column } } : undefined;
    }
    if (typeof value !== 'string') return undefined;
    switch (scalar.type) {
      case 'PLAIN':
        return { text: value, origin: raw === value ? { file: at.file, line: at.line, column: at.column } : inexact };
      case 'QUOTE_DOUBLE':
      case 'QUOTE_SINGLE': {
        const inner = raw.slice(1, -1);
        const exact = inner === value && !inner.includes('\n');
        return { text: value, origin: exact ? { file: at.file, line: at.line, column: at.column + 1 } : inexact };
      }
      default:
        return { text: value, origin: blockOrigin(raw, value, at) ?? inexact };
    }
  }
}

/** A literal block (`|`): each value line is a source line minus a fixed indentation. */
function blockOrigin(raw: string, value: string, at: NodePosition): ConditionOrigin | undefined {
  const sourceLines = raw.split('\n').slice(1);
  const valueLines = value.replace(/\n+$/, '').split('\n');
  const first = sourceLines.find((l) => l.trim() !== '');
  if (first === undefined) return undefined;
  const indent = first.length - first.trimStart().length;
  for (let i = 0; i < valueLines.length; i++) {
    const sourceLine = sourceLines[i];
    if (sourceLine === undefined || sourceLine.slice(indent) !== valueLines[i]) return undefined;
  }
  return { file: at.file, line: at.line + 1, column: indent + 1, indent };
}

function missingAnchor(at: NodePosition): never {
  throw syntaxError(at, 'alias refers to an unknown anchor');
}
