import { loadAuditRecipe, type AuditRecipe, type AuditStats } from '../../audit/index.js';
import { TheusEngine, TheusError, type EngineMetrics, type Workflow } from '../../index.js';
import type { StepReport } from '../../flux/index.js';
import { workflowFromSource } from '../../flux/parse.js';
import { processSteps } from '../../flux/workflow.js';
import { sourceFromYaml } from '../../flux/source/yaml.js';
import { CliUsageError } from '../errors.js';
import { pathKind, readInputFile, type ResolvedPath } from '../files.js';
import { parseJson } from '../json.js';
import { registerProcesses } from './load-processes.js';
import { RunProgress, linearPlan, type ProgressSink } from './progress.js';

export interface RunTargets {
  cwd: string;
  workflow: string;
  processes: ResolvedPath;
  context: string | undefined;
  recipe: ResolvedPath | undefined;
}

export interface RunOutcome {
  workflow: { name: string | undefined; file: string };
  ok: boolean;
  error: unknown;
  steps: StepReport[];
  iterations: number | undefined;
  durationMs: number;
  version: number;
  processes: string[];
  metrics: EngineMetrics;
  /** Undefined when no recipe was used. */
  audit: AuditStats | undefined;
  recipe: string | undefined;
  /** The committed data roots at the end (domain, global, namespaces); heavy and meta are left out. */
  state: Record<string, unknown>;
}

/** Reads and validates the workflow file; syntax errors carry `file:line:column` as the user wrote the path. */
export async function loadWorkflow(cwd: string, given: string): Promise<Workflow> {
  const input = await readInputFile(cwd, given, 'workflow file');
  return workflowFromSource(sourceFromYaml(input.text, input.display));
}

async function loadContext(cwd: string, given: string | undefined): Promise<Record<string, unknown>> {
  if (given === undefined) return { domain: {}, global: {} };
  const input = await readInputFile(cwd, given, 'context file');
  const value = parseJson(input.text, input.display);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TheusError('INVALID_ARGUMENT', `${input.display}: the context must be a JSON object such as { "domain": {…}, "global": {…} }.`, { path: given });
  }
  return value as Record<string, unknown>;
}

function createEngine(context: Record<string, unknown>, recipe: AuditRecipe | undefined, contextName: string | undefined): TheusEngine {
  try {
    // A recipe loaded here (positions relative to the working directory) is used as is by the engine; the option's
    // declared type does not list AuditRecipe yet, hence the cast.
    return new TheusEngine(context, recipe === undefined ? {} : { auditRecipe: recipe as unknown as Record<string, unknown> });
  } catch (error) {
    if (error instanceof TheusError && contextName !== undefined) throw new TheusError(error.code, `${contextName}: ${error.message}`, { cause: error, path: error.path });
    throw error;
  }
}

function dataRoots(engine: TheusEngine): Record<string, unknown> {
  const { heavy: _heavy, meta: _meta, ...data } = engine.state.toJSON();
  return data;
}

/**
 * Builds a fresh engine (context, audit recipe, processes), runs the workflow once with live progress, and reports
 * what happened. A failing step does not throw: the outcome carries the error with the steps that did commit.
 * Problems found before the first step (a missing file, malformed YAML or JSON, an unknown process) throw.
 */
export async function runOnce(targets: RunTargets, sink: ProgressSink | undefined, generation: number, signal: AbortSignal | undefined): Promise<RunOutcome> {
  const workflow = await loadWorkflow(targets.cwd, targets.workflow);
  const context = await loadContext(targets.cwd, targets.context);
  const recipe = targets.recipe === undefined ? undefined : loadAuditRecipe(targets.recipe.absolute, { file: targets.recipe.display });
  const engine = createEngine(context, recipe, targets.context);
  try {
    const kind = await pathKind(targets.processes.absolute);
    const stepNames = [...processSteps(workflow.steps)].map((step) => step.name);
    const needsProcesses = stepNames.length > 0;
    if (kind !== 'directory' && needsProcesses) {
      throw new CliUsageError(`processes directory '${targets.processes.display}' ${kind === undefined ? 'does not exist' : 'is not a directory'}; pass --processes <dir> (the directory whose modules export your processes).`, {
        path: targets.processes.display,
      });
    }
    const processes = kind === 'directory' ? await registerProcesses(engine, targets.processes.absolute, generation) : [];
    const steps: StepReport[] = [];
    const progress = sink === undefined ? undefined : new RunProgress(sink, linearPlan(workflow.steps), stepNames);
    const started = performance.now();
    let error: unknown;
    let iterations: number | undefined;
    try {
      const result = await engine.executeWorkflow(workflow, {
        ...(signal === undefined ? {} : { signal }),
        onStep: (report) => {
          steps.push(report);
          progress?.step(report);
        },
      });
      iterations = result.iterations;
    } catch (thrown) {
      // Before the first step (unknown process names, bad options) the workflow never ran: that is a usage problem.
      if (steps.length === 0 && thrown instanceof TheusError && thrown.code === 'UNKNOWN_PROCESS') throw thrown;
      error = thrown;
    } finally {
      progress?.finish();
    }
    return {
      workflow: { name: workflow.name, file: workflow.file },
      ok: error === undefined,
      error,
      steps,
      iterations,
      durationMs: performance.now() - started,
      version: engine.state.version,
      processes,
      metrics: engine.metrics(),
      audit: recipe === undefined ? undefined : engine.audit.stats(),
      recipe: targets.recipe?.display,
      state: dataRoots(engine),
    };
  } finally {
    await engine.close();
  }
}
