import { markParsed } from './workflow.js';
import type { Workflow } from './workflow.js';
import { isNull, parseStepList, rejectUnknownKeys, workflowFromSource } from './parse.js';
import { loadSource } from './source/load.js';
import { describeNode, entry, syntaxError } from './source/node.js';
import type { NodePosition, SourceNode } from './source/node.js';

type MapNode = Extract<SourceNode, { kind: 'map' }>;

/** Internal events fed back when a state's entry action finishes, as in the original `WorkflowManager`. */
export const CHAIN_DONE = 'EVT_CHAIN_DONE';
export const CHAIN_FAIL = 'EVT_CHAIN_FAIL';
export const DEFAULT_INITIAL_STATE = 'IDLE';

export interface MachineState {
  readonly name: string;
  /** The entry action as a workflow (a process name and a list of names are one-step and linear workflows). */
  readonly entry: Workflow | undefined;
  /** Signal topic → next state. */
  readonly events: ReadonlyMap<string, string>;
  readonly final: boolean;
  readonly at: NodePosition;
}

export interface StateMachine {
  readonly kind: 'machine';
  readonly name: string;
  readonly initial: string;
  readonly states: ReadonlyMap<string, MachineState>;
  readonly file: string;
}

const MACHINE_KEYS = ['name', 'description', 'initial', 'states'];
const STATE_KEYS = ['entry', 'process', 'events', 'on', 'transitions', 'final', 'description'];
const parsedMachines = new WeakSet<object>();

export function isStateMachine(value: unknown): value is StateMachine {
  return typeof value === 'object' && value !== null && parsedMachines.has(value);
}

/**
 * Reads a state machine in the original orchestrator format (REFERENCE §10.1): `states:` with
 * `entry` (alias `process`), `events` (aliases `on`, `transitions`) and `final`, plus `initial`
 * (default `IDLE`) and `name`. Every target state must exist; problems are `WorkflowSyntaxError`s.
 */
export function parseStateMachine(definition: unknown): StateMachine {
  if (isStateMachine(definition)) return definition;
  return machineFromSource(loadSource(definition, 'state machine'));
}

export function machineFromSource(root: SourceNode): StateMachine {
  if (root.kind !== 'map') throw syntaxError(root.at, `a state machine must be a mapping with 'states', got ${describeNode(root)}`);
  rejectUnknownKeys(root, MACHINE_KEYS, 'at the top of a state machine');
  const statesField = entry(root, 'states');
  if (statesField === undefined || statesField.value.kind !== 'map' || statesField.value.entries.length === 0) {
    throw syntaxError(statesField?.value.at ?? root.at, "a state machine needs a non-empty 'states' mapping (STATE_NAME: { entry, events, final })");
  }
  const name = stringField(root, 'name') ?? 'machine';
  const names = statesField.value.entries.map((e) => e.key);
  const states = new Map<string, MachineState>();
  for (const stateEntry of statesField.value.entries) {
    states.set(stateEntry.key, parseState(stateEntry.key, stateEntry.value, names, name));
  }
  const initialField = entry(root, 'initial');
  const initial = stringField(root, 'initial') ?? DEFAULT_INITIAL_STATE;
  if (!states.has(initial)) {
    const at = initialField?.value.at ?? statesField.value.at;
    throw syntaxError(
      at,
      initialField === undefined
        ? `no initial state: add 'initial: <STATE>' (there is no ${DEFAULT_INITIAL_STATE} state); states: ${names.join(', ')}`
        : `initial state '${initial}' is not defined; states: ${names.join(', ')}`,
    );
  }
  const machine: StateMachine = { kind: 'machine', name, initial, states, file: root.at.file };
  parsedMachines.add(Object.freeze(machine));
  return machine;
}

function parseState(name: string, node: SourceNode, names: readonly string[], machine: string): MachineState {
  if (isNull(node)) return { name, entry: undefined, events: new Map(), final: false, at: node.at };
  if (node.kind !== 'map') throw syntaxError(node.at, `state '${name}' must be a mapping (entry, events, final), got ${describeNode(node)}`);
  rejectUnknownKeys(node, STATE_KEYS, `in state '${name}'`);
  const entryFields = ['entry', 'process'].filter((k) => entry(node, k) !== undefined);
  const eventFields = ['events', 'on', 'transitions'].filter((k) => entry(node, k) !== undefined);
  if (entryFields.length > 1) throw syntaxError(node.at, `state '${name}' has both 'entry' and 'process'; keep one`);
  if (eventFields.length > 1) throw syntaxError(node.at, `state '${name}' has ${eventFields.map((k) => `'${k}'`).join(' and ')}; keep one (events)`);
  const events = parseEvents(name, eventFields[0] === undefined ? undefined : entry(node, eventFields[0])?.value, names);
  const finalField = entry(node, 'final');
  let final = false;
  if (finalField !== undefined && !isNull(finalField.value)) {
    if (finalField.value.kind !== 'scalar' || typeof finalField.value.value !== 'boolean') {
      throw syntaxError(finalField.value.at, `'final' must be true or false, got ${describeNode(finalField.value)}`);
    }
    final = finalField.value.value;
  }
  if (final && events.size > 0) throw syntaxError(node.at, `final state '${name}' cannot have events: the machine stops when it gets there`);
  const entryNode = entryFields[0] === undefined ? undefined : entry(node, entryFields[0])?.value;
  return { name, entry: entryNode === undefined ? undefined : parseEntry(entryNode, `${machine}.${name}`), events, final, at: node.at };
}

function parseEvents(state: string, node: SourceNode | undefined, names: readonly string[]): Map<string, string> {
  const events = new Map<string, string>();
  if (node === undefined || isNull(node)) return events;
  if (node.kind !== 'map') throw syntaxError(node.at, `the events of state '${state}' must be a mapping TOPIC: NEXT_STATE, got ${describeNode(node)}`);
  for (const e of node.entries) {
    const target = e.value;
    if (target.kind !== 'scalar' || typeof target.value !== 'string') {
      throw syntaxError(target.at, `event '${e.key}' must name the next state, got ${describeNode(target)}`);
    }
    if (!names.includes(target.value)) {
      throw syntaxError(target.at, `event '${e.key}' of state '${state}' goes to unknown state '${target.value}'; states: ${names.join(', ')}`);
    }
    events.set(e.key, target.value);
  }
  return events;
}

/** `entry: p` or `entry: { process: p, args }` → one step; `entry: [p, q, {flux: …}]` → those steps; `entry: { steps: … }` → a workflow. */
function parseEntry(node: SourceNode, name: string): Workflow | undefined {
  if (isNull(node)) return undefined;
  if (node.kind === 'map' && entry(node, 'steps') === undefined && (entry(node, 'process') !== undefined || entry(node, 'flux') !== undefined)) {
    return linear(name, parseStepList({ kind: 'seq', items: [node], at: node.at, toValue: () => [node.toValue()] }, 'entry', 1, []), node.at.file);
  }
  if (node.kind === 'map') return workflowFromSource(node);
  if (node.kind === 'scalar' && typeof node.value === 'string') {
    return linear(name, parseStepList({ kind: 'seq', items: [node], at: node.at, toValue: () => [node.value] }, 'entry', 1, []), node.at.file);
  }
  if (node.kind === 'seq') {
    const warnings: string[] = [];
    return linear(name, parseStepList(node, 'entry', 1, warnings), node.at.file, warnings);
  }
  throw syntaxError(node.at, `'entry' must be a process name, a list of steps or a workflow mapping with 'steps', got ${describeNode(node)}`);
}

function linear(name: string, steps: Workflow['steps'], file: string, warnings: string[] = []): Workflow {
  return markParsed({ kind: 'workflow', name, description: undefined, steps, warnings, file });
}

function stringField(node: MapNode, key: string): string | undefined {
  const field = entry(node, key);
  if (field === undefined || isNull(field.value)) return undefined;
  if (field.value.kind !== 'scalar' || typeof field.value.value !== 'string') {
    throw syntaxError(field.value.at, `'${key}' must be a string, got ${describeNode(field.value)}`);
  }
  return field.value.value;
}
