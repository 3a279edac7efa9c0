import type { CompiledCondition } from './condition/compile.js';
import type { NodePosition } from './source/node.js';

/** Where a step was written: file, line, column and its path in the definition (`steps[2].do[0]`). */
export type StepPosition = NodePosition;

export interface ProcessStep {
  readonly kind: 'process';
  readonly name: string;
  /** The step's own `args:` mapping, merged over the workflow's args when the step runs. */
  readonly args: Readonly<Record<string, unknown>> | undefined;
  readonly at: StepPosition;
}

export interface IfStep {
  readonly kind: 'if';
  readonly condition: CompiledCondition;
  readonly then: readonly Step[];
  readonly else: readonly Step[];
  readonly at: StepPosition;
}

export interface WhileStep {
  readonly kind: 'while';
  readonly condition: CompiledCondition;
  readonly do: readonly Step[];
  readonly at: StepPosition;
}

export interface RunStep {
  readonly kind: 'run';
  readonly steps: readonly Step[];
  readonly at: StepPosition;
}

export type Step = ProcessStep | IfStep | WhileStep | RunStep;

/** A validated workflow: every condition compiled, every step positioned. Reusable across runs. */
export interface Workflow {
  readonly kind: 'workflow';
  readonly name: string | undefined;
  readonly description: string | undefined;
  readonly steps: readonly Step[];
  /** Suspicious but valid constructs (empty `do`, empty `run`…), the original's `[FLUX-WARN]` lines. */
  readonly warnings: readonly string[];
  readonly file: string;
}

const parsed = new WeakSet<object>();

/** Only workflows built by `parseWorkflow` are trusted as already validated. */
export function markParsed(workflow: Workflow): Workflow {
  parsed.add(Object.freeze(workflow));
  return workflow;
}

export function isParsedWorkflow(value: unknown): value is Workflow {
  return typeof value === 'object' && value !== null && parsed.has(value);
}

/** Every process step, depth first, in source order. */
export function* processSteps(steps: readonly Step[]): Generator<ProcessStep> {
  for (const step of steps) {
    switch (step.kind) {
      case 'process':
        yield step;
        break;
      case 'if':
        yield* processSteps(step.then);
        yield* processSteps(step.else);
        break;
      case 'while':
        yield* processSteps(step.do);
        break;
      case 'run':
        yield* processSteps(step.steps);
        break;
    }
  }
}
