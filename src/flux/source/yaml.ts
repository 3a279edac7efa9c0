import { WorkflowSyntaxError } from '../../errors.js';
import { parsePositionedYaml, type YamlPosition, type YamlTreeNode } from '../../source/positioned-yaml.js';
import type { ConditionOrigin } from '../condition/origin.js';
import { childPath, MAX_DEFINITION_DEPTH, MAX_DEFINITION_NODES, syntaxError } from './node.js';
import type { ConditionText, MapEntry, NodePosition, SourceNode } from './node.js';

/** Parses YAML text into a {@link SourceNode} tree with line/column positions; YAML errors become `WorkflowSyntaxError`. */
export function sourceFromYaml(text: string, file = '<inline>'): SourceNode {
  const parsed = parsePositionedYaml(text, { maxNodes: MAX_DEFINITION_NODES, maxDepth: MAX_DEFINITION_DEPTH });
  if (!parsed.ok) {
    const { message, at } = parsed.problem;
    const yamlError = !/^the document (expands|nests)|^alias refers/.test(message);
    throw new WorkflowSyntaxError(yamlError ? `invalid YAML: ${message}` : message.replace(/^the document/, 'the definition'), { file, line: at.line, column: at.column });
  }
  if (parsed.root === null) return { kind: 'scalar', value: null, at: { file, line: 1, column: 1, path: '' }, toValue: () => null };
  return toSource(parsed.root, file, '');
}

function positionOf(at: YamlPosition, file: string, path: string): NodePosition {
  return { file, line: at.line, column: at.column, path };
}

function toSource(node: YamlTreeNode, file: string, path: string): SourceNode {
  const at = positionOf(node.at, file, path);
  const toValue = (): unknown => node.toJS();
  switch (node.kind) {
    case 'map': {
      const entries: MapEntry[] = [];
      for (const pair of node.entries) {
        const keyAt = positionOf(pair.keyAt, file, path);
        if (pair.key === undefined) throw syntaxError(keyAt, `mapping keys must be plain names, got ${pair.keyDescription}`);
        const valuePath = childPath(path, pair.key);
        const value: SourceNode = pair.value === null ? { kind: 'scalar', value: null, at: { ...keyAt, path: valuePath }, toValue: () => null } : toSource(pair.value, file, valuePath);
        entries.push({ key: pair.key, keyAt: { ...keyAt, path: valuePath }, value });
      }
      return { kind: 'map', entries, at, toValue };
    }
    case 'seq': {
      const items = node.items.map((item, i) =>
        item === null ? ({ kind: 'scalar', value: null, at: { ...at, path: childPath(path, i) }, toValue: () => null } as SourceNode) : toSource(item, file, childPath(path, i)),
      );
      return { kind: 'seq', items, at, toValue };
    }
    case 'scalar': {
      const value = node.value;
      if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
        const scalar = value as string | number | boolean | null;
        return { kind: 'scalar', value: scalar, at, toValue: () => scalar, condition: conditionText(node, at) };
      }
      return { kind: 'other', description: `a YAML ${node.tag ?? 'value'}`, at, toValue };
    }
  }
}

/**
 * Where the characters of a scalar's value sit in the file. Exact for plain, single-line quoted
 * (without escapes) and literal block scalars; otherwise only the scalar's start is known.
 */
function conditionText(scalar: Extract<YamlTreeNode, { kind: 'scalar' }>, at: NodePosition): ConditionText | undefined {
  const raw = scalar.raw;
  if (raw === '') return undefined;
  const value = scalar.value;
  const inexact: ConditionOrigin = { file: at.file, line: at.line, column: at.column, exact: false };
  if (typeof value === 'boolean') {
    // `condition: True` is a YAML boolean; the author meant the condition text they typed.
    return scalar.style === 'PLAIN' ? { text: raw, origin: { file: at.file, line: at.line, column: at.column } } : undefined;
  }
  if (typeof value !== 'string') return undefined;
  switch (scalar.style) {
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
