import { TheusError, WorkflowError, invalidArgument } from '../errors.js';
import type { ConditionScope } from './condition/compile.js';
import { truthy } from './condition/values.js';
import { abortedError } from './errors.js';
import type { FluxHost } from './host.js';
import { parseWorkflow } from './parse.js';
import { processSteps } from './workflow.js';
import type { IfStep, ProcessStep, Step, StepPosition, WhileStep, Workflow } from './workflow.js';
import { formatLocation } from '../source/location.js';
import { publishStep } from './step-events.js';

export const DEFAULT_MAX_ITERATIONS = 10_000;

export interface RunWorkflowOptions {
  /** Reaches conditions as `args` and every process as its arguments (a step's own `args:` win on conflicts). */
  args?: Record<string, unknown> | undefined;
  /** Stops the workflow before its next step; passed to the running process too. */
  signal?: AbortSignal | undefined;
  /** Cap on `while` condition evaluations across the whole run (default 10 000). */
  maxIterations?: number | undefined;
  /** Called after each process step commits. An exception thrown here stops the workflow. */
  onStep?: ((report: StepReport) => void) | undefined;
}

export interface StepReport {
  /** The process that ran. */
  name: string;
  /** Where the step is in the definition (`steps[2].do[0]`). */
  path: string;
  /** The committed version right after the step. */
  version: number;
  durationMs: number;
}

export interface WorkflowResult {
  /** Every process step that ran, in order. */
  steps: StepReport[];
  /** How many `while` conditions were evaluated. */
  iterations: number;
  durationMs: number;
  /** The committed version when the workflow finished. */
  version: number;
}

/**
 * Runs a workflow against a host. Steps run one at a time, each process in its own transaction;
 * the runner yields to the event loop (`setImmediate`) before every process step and every loop
 * iteration, so synchronous processes cannot starve timers and I/O. A failing process stops the
 * workflow and its error is rethrown unchanged (business errors and audit errors keep their class);
 * the steps that ran before it stay committed.
 */
export async function runWorkflow(host: FluxHost, definition: unknown, options: RunWorkflowOptions = {}): Promise<WorkflowResult> {
  assertHost(host);
  const { args, maxIterations, signal } = checkOptions(options);
  const workflow = parseWorkflow(definition);
  assertProcessesExist(host, workflow);
  const runner = new Runner(host, args, maxIterations, signal, options.onStep, workflow.name ?? (workflow.file || 'workflow'));
  const started = performance.now();
  if (signal?.aborted === true) throw abortedError(signal, 'before its first step');
  await runner.steps(workflow.steps);
  return { steps: runner.reports, iterations: runner.iterations, durationMs: performance.now() - started, version: host.version() };
}

/** Every unknown process is reported at once, before any step runs, with where it was written. */
export function assertProcessesExist(host: FluxHost, workflow: Workflow): void {
  const missing = [...processSteps(workflow.steps)].filter((step) => !host.hasProcess(step.name));
  if (missing.length === 0) return;
  const list = missing.map((step) => `'${step.name}' at ${where(step.at)}`).join('; ');
  throw new TheusError('UNKNOWN_PROCESS', `Unknown process ${list}. Register ${missing.length === 1 ? 'it' : 'them'} with the engine before running the workflow.`);
}

/** What conditions see as `signal`/`cmd` once the latch they would read has outlived its step. */
const NO_SIGNALS: Readonly<Record<string, unknown>> = Object.freeze({});

class Runner {
  readonly reports: StepReport[] = [];
  iterations = 0;
  /**
   * The version whose signal latch a process step has already consumed. A step that commits
   * nothing leaves the engine's version (and its latch) in place; the latch still belongs to a
   * commit made before that step, so conditions after it must not see those signals again
   * ("one tick": the original creates a new, empty-latched version on every execute).
   */
  private spentLatch: number | undefined;

  constructor(
    private readonly host: FluxHost,
    private readonly args: Record<string, unknown> | undefined,
    private readonly maxIterations: number,
    private readonly signal: AbortSignal | undefined,
    private readonly onStep: ((report: StepReport) => void) | undefined,
    /** How step events name this workflow. */
    private readonly name: string,
  ) {}

  async steps(steps: readonly Step[]): Promise<void> {
    for (const step of steps) {
      this.checkAbort(`before ${where(step.at)}`);
      switch (step.kind) {
        case 'process':
          await this.process(step);
          break;
        case 'if':
          await this.steps(this.decide(step) ? step.then : step.else);
          break;
        case 'while':
          await this.loop(step);
          break;
        case 'run':
          await this.steps(step.steps);
          break;
      }
    }
  }

  private async process(step: ProcessStep): Promise<void> {
    await yieldToEventLoop();
    this.checkAbort(`before ${where(step.at)}`);
    this.host.beginStep?.();
    const started = performance.now();
    const versionBefore = this.host.version();
    const stepArgs = this.args === undefined && step.args === undefined ? {} : { ...this.args, ...step.args };
    publishStep(this.host, this.name, 'workflow', step.name, 'start');
    try {
      await this.host.execute(step.name, stepArgs, this.signal === undefined ? {} : { signal: this.signal });
    } catch (error) {
      publishStep(this.host, this.name, 'workflow', step.name, 'failed', error);
      if (this.signal?.aborted === true) {
        throw error instanceof TheusError && error.code === 'ABORTED' ? error : abortedError(this.signal, `during process '${step.name}' at ${where(step.at)}`);
      }
      throw error;
    }
    publishStep(this.host, this.name, 'workflow', step.name, 'done');
    const version = this.host.version();
    if (version === versionBefore) this.spentLatch = version;
    const report: StepReport = { name: step.name, path: step.at.path, version, durationMs: performance.now() - started };
    this.reports.push(report);
    this.onStep?.(report);
  }

  private async loop(step: WhileStep): Promise<void> {
    for (;;) {
      // Every evaluation counts, so a loop with an empty body still reaches the limit (workflow/INC-021).
      if (++this.iterations > this.maxIterations) {
        throw new WorkflowError(
          `Flux Safety Trip: 'while' conditions were evaluated more than ${this.maxIterations} times (maxIterations) at ${where(step.at)}. ` +
            'Check the loop for a condition that never becomes false, or raise maxIterations.',
        );
      }
      if (!this.decide(step)) return;
      await this.steps(step.do);
      await yieldToEventLoop();
      this.checkAbort(`before the next iteration of ${where(step.at)}`);
    }
  }

  private decide(step: IfStep | WhileStep): boolean {
    return truthy(step.condition(this.scope()));
  }

  /** Read fresh for every evaluation, so a condition sees what the previous step committed. */
  private scope(): ConditionScope {
    const roots = this.host.conditionScope();
    if (this.spentLatch !== undefined && this.host.version() === this.spentLatch) {
      return { domain: roots.domain, global: roots.global, signal: NO_SIGNALS, cmd: NO_SIGNALS, meta: roots.meta, args: this.args };
    }
    return { domain: roots.domain, global: roots.global, signal: roots.signal, cmd: roots.cmd ?? roots.signal, meta: roots.meta, args: this.args };
  }

  private checkAbort(when: string): void {
    if (this.signal?.aborted === true) throw abortedError(this.signal, when);
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function where(at: StepPosition): string {
  const file = formatLocation(at);
  return at.path === '' ? file : `${file} (${at.path})`;
}

export function assertHost(host: unknown): asserts host is FluxHost {
  const h = host as Partial<FluxHost> | null;
  for (const method of ['hasProcess', 'execute', 'conditionScope', 'version'] as const) {
    if (h === null || typeof h !== 'object' || typeof h[method] !== 'function') {
      throw invalidArgument(`The Flux host must implement ${method}(); got ${h === null ? 'null' : typeof h}.`);
    }
  }
}

function checkOptions(options: RunWorkflowOptions): { args: Record<string, unknown> | undefined; maxIterations: number; signal: AbortSignal | undefined } {
  if (options === null || typeof options !== 'object') throw invalidArgument('runWorkflow options must be an object.');
  const { args, maxIterations = DEFAULT_MAX_ITERATIONS, signal, onStep } = options;
  if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
    throw invalidArgument('Workflow args must be a plain object, e.g. { orderId: 42 }.', 'args');
  }
  if (!Number.isSafeInteger(maxIterations) || maxIterations < 1) {
    throw invalidArgument(`maxIterations must be a positive integer, got ${String(maxIterations)}.`, 'maxIterations');
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalidArgument('signal must be an AbortSignal.', 'signal');
  if (onStep !== undefined && typeof onStep !== 'function') throw invalidArgument('onStep must be a function.', 'onStep');
  return { args, maxIterations, signal };
}
