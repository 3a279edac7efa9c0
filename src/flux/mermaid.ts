import { invalidArgument } from '../errors.js';
import { isStateMachine, machineFromSource } from './machine.js';
import type { StateMachine } from './machine.js';
import { workflowFromSource } from './parse.js';
import { loadSource } from './source/load.js';
import { isParsedWorkflow, processSteps } from './workflow.js';
import type { Step, Workflow } from './workflow.js';

/**
 * Renders a workflow as a Mermaid `flowchart TD` (process steps as boxes, `if`/`while` as
 * decisions with true/false edges) or a state machine as a `stateDiagram-v2` (`[*]` marks the
 * initial and final states). Accepts a parsed definition, YAML text, a YAML path or a plain object.
 * Node ids are generated; user text only ever appears inside quoted, entity-escaped labels.
 */
export function toMermaid(definition: unknown): string {
  if (isParsedWorkflow(definition)) return workflowChart(definition);
  if (isStateMachine(definition)) return machineDiagram(definition);
  if (definition === null || definition === undefined) throw invalidArgument('toMermaid needs a workflow or state-machine definition.');
  const root = loadSource(definition, 'definition');
  const isMachine = root.kind === 'map' && root.entries.some((e) => e.key === 'states');
  return isMachine ? machineDiagram(machineFromSource(root)) : workflowChart(workflowFromSource(root));
}

/** Everything outside a small safe set becomes a Mermaid entity (`#34;`), so labels cannot break out of their quotes. */
export function escapeLabel(text: string): string {
  let out = '';
  for (const ch of text.replace(/\s+/g, ' ')) {
    out += /^[A-Za-z0-9 _.,:'!?=+\-*/@$^~]$/.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  }
  return out;
}

function quoted(text: string): string {
  return `"${escapeLabel(text)}"`;
}

function frontMatter(title: string | undefined): string[] {
  return title === undefined ? [] : ['---', `title: ${JSON.stringify(escapeLabel(title))}`, '---'];
}

interface Exit {
  from: string;
  label?: string;
}

class FlowchartBuilder {
  readonly nodes: string[] = [];
  readonly edges: string[] = [];
  private counter = 0;

  id(prefix: string): string {
    return `${prefix}${++this.counter}`;
  }

  connect(exits: readonly Exit[], to: string): void {
    for (const exit of exits) this.edges.push(exit.label === undefined ? `  ${exit.from} --> ${to}` : `  ${exit.from} -->|${exit.label}| ${to}`);
  }

  steps(steps: readonly Step[], exits: Exit[], indent: string): Exit[] {
    let current = exits;
    for (const step of steps) current = this.step(step, current, indent);
    return current;
  }

  private step(step: Step, exits: Exit[], indent: string): Exit[] {
    switch (step.kind) {
      case 'process': {
        const id = this.id('p');
        this.nodes.push(`${indent}${id}[${quoted(step.name)}]`);
        this.connect(exits, id);
        return [{ from: id }];
      }
      case 'if': {
        const id = this.id('if');
        this.nodes.push(`${indent}${id}{${quoted(`if ${step.condition.source}`)}}`);
        this.connect(exits, id);
        return [...this.steps(step.then, [{ from: id, label: 'true' }], indent), ...this.steps(step.else, [{ from: id, label: 'false' }], indent)];
      }
      case 'while': {
        const id = this.id('while');
        this.nodes.push(`${indent}${id}{${quoted(`while ${step.condition.source}`)}}`);
        this.connect(exits, id);
        this.connect(this.steps(step.do, [{ from: id, label: 'true' }], indent), id);
        return [{ from: id, label: 'false' }];
      }
      case 'run': {
        if (step.steps.length === 0) return exits;
        const id = this.id('run');
        this.nodes.push(`${indent}subgraph ${id}["run"]`);
        const out = this.steps(step.steps, exits, `${indent}  `);
        this.nodes.push(`${indent}end`);
        return out;
      }
    }
  }
}

function workflowChart(workflow: Workflow): string {
  const chart = new FlowchartBuilder();
  chart.nodes.push('  flux_start(["start"])');
  const exits = chart.steps(workflow.steps, [{ from: 'flux_start' }], '  ');
  chart.nodes.push('  flux_end(["end"])');
  chart.connect(exits, 'flux_end');
  return [...frontMatter(workflow.name), 'flowchart TD', ...chart.nodes, ...chart.edges].join('\n') + '\n';
}

function entrySummary(workflow: Workflow): string {
  const names = [...processSteps(workflow.steps)].map((s) => s.name);
  const hasFlow = workflow.steps.some((s) => s.kind !== 'process');
  return `entry: ${names.join(', ')}${hasFlow ? ' (workflow)' : ''}`;
}

function machineDiagram(machine: StateMachine): string {
  const ids = new Map<string, string>();
  [...machine.states.keys()].forEach((name, i) => ids.set(name, `s${i}`));
  const id = (name: string): string => ids.get(name) as string;
  const lines = [...frontMatter(machine.name === 'machine' ? undefined : machine.name), 'stateDiagram-v2'];
  for (const state of machine.states.values()) {
    lines.push(`  state ${quoted(state.name)} as ${id(state.name)}`);
    if (state.entry !== undefined) lines.push(`  ${id(state.name)} : ${escapeLabel(entrySummary(state.entry))}`);
  }
  lines.push(`  [*] --> ${id(machine.initial)}`);
  for (const state of machine.states.values()) {
    for (const [topic, target] of state.events) lines.push(`  ${id(state.name)} --> ${id(target)} : ${escapeLabel(topic)}`);
    if (state.final) lines.push(`  ${id(state.name)} --> [*]`);
  }
  return lines.join('\n') + '\n';
}
