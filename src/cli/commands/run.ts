import type { Command } from 'commander';
import { TheusError } from '../../errors.js';
import { CliCommandError, CliUsageError } from '../errors.js';
import { displayPath, pathKind, resolvePath, type ResolvedPath } from '../files.js';
import { EXIT_FAILURE, EXIT_OK, type CliRuntime } from '../io.js';
import { loadWorkflow, runOnce, type RunTargets } from '../run/run-once.js';
import { failureMessage, formatJsonOutcome, formatSummary } from '../run/summary.js';
import { watchTargets, type WatchTarget } from '../run/watch.js';
import type { ProgressSink } from '../run/progress.js';
import { DEFAULT_RECIPE_PATH } from './audit.js';

/** What `theus init` creates: the context `theus run` uses when --context is not given. */
export const DEFAULT_CONTEXT_PATH = 'specs/context.json';

interface RunOptions {
  processes: string;
  /** A path, `false` with --no-context (empty state), undefined to use specs/context.json. */
  context?: string | false;
  /** A path, `false` with --no-recipe, undefined to use specs/audit_recipe.yaml when it exists. */
  recipe?: string | false;
  watch?: boolean;
  json?: boolean;
}

async function resolveRecipe(option: string | false | undefined, cwd: string): Promise<ResolvedPath | undefined> {
  if (option === false) return undefined;
  const resolved = resolvePath(cwd, option ?? DEFAULT_RECIPE_PATH);
  const kind = await pathKind(resolved.absolute);
  if (option === undefined) return kind === 'file' ? resolved : undefined;
  if (kind !== 'file') throw new CliUsageError(`audit recipe '${option}' ${kind === undefined ? 'does not exist' : 'is not a file'} (looked for ${resolved.absolute}).`, { path: option });
  return resolved;
}

/**
 * The initial state: --context, else specs/context.json, else nothing — a workflow started on an empty state fails in
 * its first process with a TypeError that says nothing about the cause, so the missing file is reported instead.
 */
async function resolveContext(option: string | false | undefined, cwd: string): Promise<string | undefined> {
  if (option === false) return undefined;
  if (option !== undefined) return option;
  if ((await pathKind(resolvePath(cwd, DEFAULT_CONTEXT_PATH).absolute)) === 'file') return DEFAULT_CONTEXT_PATH;
  throw new CliUsageError(
    `no initial state: pass --context <file.json> with { "domain": {…}, "global": {…} }, create ${DEFAULT_CONTEXT_PATH} (used by default), or pass --no-context to start from an empty state.`,
  );
}

function progressSink(cli: CliRuntime, json: boolean): ProgressSink | undefined {
  if (json) return undefined;
  const { stdout } = cli.io;
  return { write: (text) => stdout.write(text), tty: stdout.isTTY === true, columns: stdout.columns ?? 80 };
}

/** One run: prints progress and the summary; returns whether it succeeded. */
async function runAndReport(targets: RunTargets, options: RunOptions, cli: CliRuntime, generation: number, signal: AbortSignal | undefined): Promise<boolean> {
  const json = options.json === true;
  const outcome = await runOnce(targets, progressSink(cli, json), generation, signal);
  if (json) cli.io.stdout.write(formatJsonOutcome(outcome));
  else cli.io.stdout.write(formatSummary(outcome));
  if (outcome.ok) return true;
  const message = failureMessage(outcome);
  if (json || options.watch === true) {
    cli.io.stderr.write(`theus: ${message}\n`);
    return false;
  }
  throw new CliCommandError(message, { cause: outcome.error });
}

/** The stop signal of a watch: the caller's (tests), or Ctrl-C. */
function stopSignal(cli: CliRuntime): { signal: AbortSignal; dispose: () => void } {
  if (cli.io.signal !== undefined) return { signal: cli.io.signal, dispose: () => undefined };
  const controller = new AbortController();
  const onInterrupt = () => controller.abort(new TheusError('ABORTED', 'interrupted'));
  process.once('SIGINT', onInterrupt);
  return { signal: controller.signal, dispose: () => process.removeListener('SIGINT', onInterrupt) };
}

async function watchLoop(targets: RunTargets, options: RunOptions, cli: CliRuntime): Promise<number> {
  const { signal, dispose } = stopSignal(cli);
  const { cwd } = cli.io;
  const watched: WatchTarget[] = [{ absolute: resolvePath(cwd, targets.workflow).absolute, kind: 'file' }];
  if ((await pathKind(targets.processes.absolute)) === 'directory') watched.push({ absolute: targets.processes.absolute, kind: 'directory' });
  if (targets.context !== undefined) watched.push({ absolute: resolvePath(cwd, targets.context).absolute, kind: 'file' });
  if (targets.recipe !== undefined) watched.push({ absolute: targets.recipe.absolute, kind: 'file' });

  let generation = 0;
  let running: Promise<void> | undefined;
  let again = false;
  const runGeneration = (): Promise<void> => {
    const current = generation++;
    return runAndReport(targets, options, cli, current, signal).then(
      () => undefined,
      (error: unknown) => {
        if (!signal.aborted) cli.io.stderr.write(`theus: ${error instanceof Error ? error.message : String(error)}\n`);
      },
    );
  };
  const trigger = (file: string) => {
    if (signal.aborted) return;
    if (running !== undefined) {
      again = true;
      return;
    }
    cli.io.stdout.write(`\nchange detected: ${displayPath(cwd, file)}; running again\n`);
    running = runGeneration().finally(() => {
      running = undefined;
      if (again && !signal.aborted) {
        again = false;
        trigger(file);
      }
    });
  };

  const shown = watched.map((t) => displayPath(cwd, t.absolute)).join(', ');
  const close = watchTargets(watched, trigger, (error) => cli.io.stderr.write(`theus: watching stopped for a path: ${error.message}\n`));
  try {
    running = runGeneration().finally(() => {
      running = undefined;
    });
    await running;
    if (!signal.aborted) cli.io.stdout.write(`\nwatching ${shown} (Ctrl-C to stop)\n`);
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    const last: Promise<void> | undefined = running;
    if (last !== undefined) await last;
    return EXIT_OK;
  } finally {
    close();
    dispose();
  }
}

async function runCommand(workflow: string, options: RunOptions, cli: CliRuntime): Promise<number> {
  const { cwd } = cli.io;
  const workflowPath = resolvePath(cwd, workflow);
  const kind = await pathKind(workflowPath.absolute);
  if (kind !== 'file') throw new CliUsageError(`workflow file '${workflow}' ${kind === undefined ? 'does not exist' : 'is not a file'} (looked for ${workflowPath.absolute}).`, { path: workflow });
  // A malformed workflow is the more specific problem: reported before a missing context.
  await loadWorkflow(cwd, workflow);
  const targets: RunTargets = {
    cwd,
    workflow,
    processes: resolvePath(cwd, options.processes),
    context: await resolveContext(options.context, cwd),
    recipe: await resolveRecipe(options.recipe, cwd),
  };
  if (options.watch === true) return watchLoop(targets, options, cli);
  return (await runAndReport(targets, options, cli, 0, cli.io.signal)) ? EXIT_OK : EXIT_FAILURE;
}

export function registerRunCommand(program: Command, cli: CliRuntime): void {
  program
    .command('run')
    .description('run a workflow on a fresh engine with live progress, then print the state version, metrics and audit summary')
    .argument('<workflow>', 'workflow YAML file (Flux: steps, flux: if / while / run)')
    .option('-p, --processes <dir>', 'directory whose modules export the processes (imported and registered)', 'src/processes')
    .option('-c, --context <file>', `initial state as JSON: { "domain": {…}, "global": {…} } (default: ${DEFAULT_CONTEXT_PATH} when it exists)`)
    .option('--no-context', 'start from an empty state')
    .option('-r, --recipe <file>', `audit recipe (default: ${DEFAULT_RECIPE_PATH} when it exists)`)
    .option('--no-recipe', 'run without an audit recipe')
    .option('-w, --watch', 'run again whenever the workflow, the processes, the context or the recipe change (Ctrl-C stops)')
    .option('--json', 'print the outcome as JSON (no progress)')
    .addHelpText(
      'after',
      [
        '',
        'Processes: every module under --processes (.js, .mjs, .cjs; TypeScript only under a loader such as tsx) is imported',
        'and each exported process registered.',
        'Progress: a redrawn bar on a terminal, one line per committed step otherwise.',
        'With --watch, edited process files are re-imported; modules they import themselves are not (restart for those).',
        'Exit codes: 0 the workflow finished, 1 a step failed or a file is malformed, 2 bad arguments or a missing file',
        '(including no context: neither --context, nor specs/context.json, nor --no-context).',
      ].join('\n'),
    )
    .action(async (workflow: string, options: RunOptions) => {
      cli.exitCode = await runCommand(workflow, options, cli);
    });
}
