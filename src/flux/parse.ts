import { compileCondition } from './condition/compile.js';
import type { CompiledCondition } from './condition/compile.js';
import { isForbiddenMemberName } from './condition/ast.js';
import { loadSource } from './source/load.js';
import { describeNode, entry, MAX_DEFINITION_DEPTH, syntaxError } from './source/node.js';
import type { MapEntry, NodePosition, SourceNode } from './source/node.js';
import { isParsedWorkflow, markParsed } from './workflow.js';
import type { Step, Workflow } from './workflow.js';
import { formatLocation } from '../source/location.js';

type MapNode = Extract<SourceNode, { kind: 'map' }>;

const TOP_LEVEL_KEYS = ['steps', 'name', 'description', 'version'];
const STEP_KEYS: Readonly<Record<string, readonly string[]>> = {
  process: ['process', 'args'],
  if: ['flux', 'condition', 'then', 'else'],
  while: ['flux', 'condition', 'do'],
  run: ['flux', 'steps'],
};

/**
 * Reads a workflow in the original Flux format (REFERENCE §9) from a YAML path, YAML text or a
 * plain object, validates every step and compiles every condition. Problems are
 * `WorkflowSyntaxError`s with file, line and column. A workflow already returned by this function
 * is returned unchanged, so callers can parse once and run many times.
 */
export function parseWorkflow(definition: unknown): Workflow {
  if (isParsedWorkflow(definition)) return definition;
  return workflowFromSource(loadSource(definition, 'workflow'));
}

export function workflowFromSource(root: SourceNode): Workflow {
  if (root.kind !== 'map') {
    throw syntaxError(root.at, `a workflow must be a mapping with a 'steps' list, got ${describeNode(root)}`);
  }
  if (entry(root, 'states') !== undefined) {
    throw syntaxError(root.at, "this definition has 'states': it is a state machine; run it with orchestrate(), not as a workflow");
  }
  const legacy = entry(root, 'nodes');
  if (legacy !== undefined) {
    throw syntaxError(legacy.keyAt, "legacy 'nodes' graphs (the original's simulate()) are not supported; list the steps under 'steps'");
  }
  rejectUnknownKeys(root, TOP_LEVEL_KEYS, 'at the top of a workflow');
  const warnings: string[] = [];
  const steps = entry(root, 'steps');
  const workflow: Workflow = {
    kind: 'workflow',
    name: optionalString(root, 'name'),
    description: optionalString(root, 'description'),
    steps: steps === undefined || isNull(steps.value) ? [] : parseStepList(steps.value, 'steps', 1, warnings),
    warnings,
    file: root.at.file,
  };
  return markParsed(workflow);
}

/** A list of steps (a workflow's `steps`, a `do`/`then`/`else` block, a state's entry list). */
export function parseStepList(node: SourceNode, field: string, depth: number, warnings: string[]): Step[] {
  if (node.kind !== 'seq') throw syntaxError(node.at, `'${field}' must be a list of steps, got ${describeNode(node)}`);
  if (depth > MAX_DEFINITION_DEPTH) throw syntaxError(node.at, `steps nest deeper than ${MAX_DEFINITION_DEPTH} levels`);
  return node.items.map((item) => parseStep(item, depth, warnings));
}

function parseStep(node: SourceNode, depth: number, warnings: string[]): Step {
  if (node.kind === 'scalar' && typeof node.value === 'string') return { kind: 'process', name: processName(node), args: undefined, at: node.at };
  if (node.kind !== 'map') {
    throw syntaxError(node.at, `invalid step: expected a process name or a mapping with 'process' or 'flux', got ${describeNode(node)}`);
  }
  const process = entry(node, 'process');
  const flux = entry(node, 'flux');
  if (process !== undefined && flux !== undefined) throw syntaxError(flux.keyAt, "a step has both 'process' and 'flux'; split it into two steps");
  if (process !== undefined) {
    rejectUnknownKeys(node, STEP_KEYS.process as readonly string[], 'in a process step');
    return { kind: 'process', name: processName(process.value), args: stepArgs(node), at: node.at };
  }
  if (flux === undefined) {
    const keys = node.entries.map((e) => `'${e.key}'`).join(', ') || 'none';
    throw syntaxError(node.at, `unknown step format: a mapping step needs 'process' or 'flux' (keys found: ${keys})`);
  }
  if (flux.value.kind !== 'scalar' || typeof flux.value.value !== 'string') {
    throw syntaxError(flux.value.at, `'flux' must be a string (if, while or run), got ${describeNode(flux.value)}`);
  }
  const kind = flux.value.value;
  const allowed = STEP_KEYS[kind];
  if (allowed === undefined || kind === 'process') {
    throw syntaxError(flux.value.at, `unknown flux type '${kind}'; use if, while or run`);
  }
  rejectUnknownKeys(node, allowed, `in a 'flux: ${kind}' step`);
  switch (kind) {
    case 'if': {
      const test = condition(node, kind);
      const then = blockOf(node, 'then', depth, warnings);
      const otherwise = blockOf(node, 'else', depth, warnings);
      if (then.length === 0 && otherwise.length === 0) warnings.push(warning(node.at, "'flux: if' has neither 'then' nor 'else' steps; it does nothing"));
      return { kind: 'if', condition: test, then, else: otherwise, at: node.at };
    }
    case 'while': {
      const test = condition(node, kind);
      const body = entry(node, 'do');
      if (body === undefined || isNull(body.value)) throw syntaxError(node.at, "'flux: while' requires a 'do' block (a list of steps)");
      const steps = parseStepList(body.value, 'do', depth + 1, warnings);
      if (steps.length === 0) warnings.push(warning(node.at, "'flux: while' has an empty 'do' block; it can only stop through its condition or the loop limit"));
      return { kind: 'while', condition: test, do: steps, at: node.at };
    }
    default: {
      const body = entry(node, 'steps');
      if (body === undefined || isNull(body.value)) throw syntaxError(node.at, "'flux: run' requires a 'steps' block (a list of steps)");
      const steps = parseStepList(body.value, 'steps', depth + 1, warnings);
      if (steps.length === 0) warnings.push(warning(node.at, "'flux: run' has an empty 'steps' block"));
      return { kind: 'run', steps, at: node.at };
    }
  }
}

function blockOf(node: MapNode, field: 'then' | 'else', depth: number, warnings: string[]): Step[] {
  const block = entry(node, field);
  return block === undefined || isNull(block.value) ? [] : parseStepList(block.value, field, depth + 1, warnings);
}

function condition(node: MapNode, kind: string): CompiledCondition {
  const field = entry(node, 'condition');
  if (field === undefined || isNull(field.value)) throw syntaxError(node.at, `'flux: ${kind}' requires a 'condition' (a quoted expression, e.g. "domain.count < 10")`);
  const value = field.value;
  const text = value.kind === 'scalar' && (typeof value.value === 'string' || typeof value.value === 'boolean') ? value.condition : undefined;
  if (text === undefined) {
    throw syntaxError(value.at, `'condition' must be a string expression (quote it), got ${describeNode(value)}`);
  }
  return compileCondition(text.text, text.origin);
}

function processName(node: SourceNode): string {
  if (node.kind !== 'scalar' || typeof node.value !== 'string') throw syntaxError(node.at, `'process' must be a process name (a string), got ${describeNode(node)}`);
  if (node.value.trim() === '') throw syntaxError(node.at, 'a process name cannot be empty');
  return node.value;
}

function stepArgs(node: MapNode): Readonly<Record<string, unknown>> | undefined {
  const args = entry(node, 'args');
  if (args === undefined || isNull(args.value)) return undefined;
  if (args.value.kind !== 'map') throw syntaxError(args.value.at, `'args' must be a mapping of argument names to values, got ${describeNode(args.value)}`);
  rejectHostileKeys(args.value);
  let copy: Record<string, unknown>;
  try {
    copy = structuredClone(args.value.toValue()) as Record<string, unknown>;
  } catch (error) {
    throw syntaxError(args.value.at, `'args' must be plain data (structured-cloneable): ${(error as Error).message}`, error);
  }
  return deepFreeze(copy);
}

/** Step args are shared by every run of the workflow, so no process may change them for the next one. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** Argument names become property names in the process's `args` object, so prototype names are refused. */
function rejectHostileKeys(node: SourceNode): void {
  if (node.kind === 'map') {
    for (const e of node.entries) {
      if (isForbiddenMemberName(e.key)) throw syntaxError(e.keyAt, `argument name '${e.key}' is refused: it would reach prototype machinery`);
      rejectHostileKeys(e.value);
    }
  } else if (node.kind === 'seq') {
    node.items.forEach(rejectHostileKeys);
  }
}

export function rejectUnknownKeys(node: MapNode, allowed: readonly string[], where: string): void {
  const unknown: MapEntry | undefined = node.entries.find((e) => !allowed.includes(e.key));
  if (unknown !== undefined) {
    throw syntaxError(unknown.keyAt, `unknown key '${unknown.key}' ${where}; allowed keys: ${allowed.join(', ')}`);
  }
}

function optionalString(node: MapNode, key: string): string | undefined {
  const field = entry(node, key);
  if (field === undefined || isNull(field.value)) return undefined;
  const value = field.value;
  if (value.kind !== 'scalar' || (typeof value.value !== 'string' && typeof value.value !== 'number')) {
    throw syntaxError(value.at, `'${key}' must be a string, got ${describeNode(value)}`);
  }
  return String(value.value);
}

export function isNull(node: SourceNode): boolean {
  return node.kind === 'scalar' && (node.value === null || node.value === undefined);
}

function warning(at: NodePosition, message: string): string {
  return `${formatLocation(at)}: ${at.path}: ${message}`;
}
