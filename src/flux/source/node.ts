import { WorkflowSyntaxError } from '../../errors.js';
import type { ConditionOrigin } from '../condition/origin.js';

/**
 * A definition (workflow or state machine) as a tree that remembers where each node came from,
 * whether it was YAML text or a JavaScript object. The validators work on this tree only, so both
 * inputs get the same checks and the same messages.
 */
export interface NodePosition {
  /** The YAML file, `<inline>` for YAML text, `<object>` for a JavaScript object. */
  file: string;
  /** 1-based; 0 when the definition was an object (no text to point into). */
  line: number;
  column: number;
  /** Where the node sits in the definition, e.g. `steps[2].do[0].condition`. */
  path: string;
}

export type ScalarValue = string | number | boolean | null | undefined;

export interface MapEntry {
  key: string;
  keyAt: NodePosition;
  value: SourceNode;
}

export type SourceNode =
  | { kind: 'map'; entries: MapEntry[]; at: NodePosition; toValue(): unknown }
  | { kind: 'seq'; items: SourceNode[]; at: NodePosition; toValue(): unknown }
  | { kind: 'scalar'; value: ScalarValue; at: NodePosition; toValue(): unknown; condition?: ConditionText }
  | { kind: 'other'; description: string; at: NodePosition; toValue(): unknown };

/** The text a user wrote for a condition and where it starts, for column-exact errors. */
export interface ConditionText {
  text: string;
  origin: ConditionOrigin;
}

/** Definitions deeper than this are refused before a validator recurses into them. */
export const MAX_DEFINITION_DEPTH = 64;
/** Upper bound on nodes built from one definition, so YAML alias expansion cannot explode. */
export const MAX_DEFINITION_NODES = 100_000;

export function syntaxError(at: NodePosition, message: string, cause?: unknown): WorkflowSyntaxError {
  return new WorkflowSyntaxError(at.path === '' ? message : `${at.path}: ${message}`, at, cause === undefined ? {} : { cause });
}

export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const safe = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
  if (parent === '') return safe;
  return safe === key ? `${parent}.${key}` : `${parent}[${safe}]`;
}

export function describeNode(node: SourceNode): string {
  switch (node.kind) {
    case 'map':
      return 'a mapping';
    case 'seq':
      return 'a list';
    case 'other':
      return node.description;
    case 'scalar':
      if (node.value === null || node.value === undefined) return 'nothing (null)';
      return typeof node.value === 'string' ? `the string ${JSON.stringify(node.value)}` : `${typeof node.value} ${String(node.value)}`;
  }
}

export function entry(node: Extract<SourceNode, { kind: 'map' }>, key: string): MapEntry | undefined {
  return node.entries.find((e) => e.key === key);
}
