import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { TheusError } from '../../errors.js';
import { isLintableFile } from '../../lint/collect-files.js';
import { SOURCE_EXTENSIONS } from '../../lint/extensions.js';
import { loadLinter } from '../../lint/load-linter.js';
import { validateOptions } from '../../lint/options.js';
import { RULES } from '../../lint/rules.js';
import { recipeFindings } from '../audit/recipe-findings.js';
import { CliUsageError } from '../errors.js';
import { pathKind, resolvePath, type ResolvedPath } from '../files.js';
import { locateProject } from '../project.js';
import { DEFAULT_RECIPE_PATH } from './audit.js';
import { formatJson, formatText } from '../format-findings.js';
import { EXIT_FAILURE, EXIT_OK, type CliRuntime } from '../io.js';

interface CheckOptions {
  format: 'text' | 'json';
  namespace?: string[];
  /** A path, `false` with --no-recipe, undefined for specs/audit_recipe.yaml of the project when it exists. */
  recipe?: string | false;
}

/** The recipe to compare with the declared processes: only when a directory is checked (one file is not a project). */
async function recipeToCompare(option: string | false | undefined, target: string, cwd: string): Promise<ResolvedPath | undefined> {
  if (option === false) return undefined;
  if (option !== undefined) {
    const given = resolvePath(cwd, option);
    const kind = await pathKind(given.absolute);
    if (kind !== 'file') throw new CliUsageError(`audit recipe '${option}' ${kind === undefined ? 'does not exist' : 'is not a file'} (looked for ${given.absolute}).`, { path: option });
    return given;
  }
  if ((await pathKind(target)) !== 'directory') return undefined;
  const project = await locateProject(target, cwd);
  const fallback = resolvePath(cwd, path.join(project.root, DEFAULT_RECIPE_PATH));
  return (await pathKind(fallback.absolute)) === 'file' ? fallback : undefined;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function ruleTable(): string {
  const rows = RULES.map((rule) => `  ${rule.id}  ${rule.severity.padEnd(7)}  ${rule.name}`);
  return ['', 'Rules:', ...rows, '', 'Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 bad arguments or missing path.'].join('\n');
}

async function resolveTarget(target: string, cwd: string): Promise<string> {
  const absolute = path.resolve(cwd, target);
  let info;
  try {
    info = await stat(absolute);
  } catch {
    throw new CliUsageError(`path '${target}' does not exist (looked for ${absolute}). Pass a file or directory to lint, e.g. 'theus check src'.`, { path: target });
  }
  if (!info.isDirectory() && !isLintableFile(absolute)) {
    throw new CliUsageError(`'${target}' is not a source file theus can lint (supported: ${SOURCE_EXTENSIONS.join(', ')}).`, { path: target });
  }
  return absolute;
}

async function runCheck(target: string, options: CheckOptions, cli: CliRuntime): Promise<number> {
  try {
    validateOptions({ namespaces: options.namespace ?? [] });
  } catch (error) {
    if (error instanceof TheusError) throw new CliUsageError(error.message.replace('options.namespaces', '--namespace'));
    throw error;
  }
  const absolute = await resolveTarget(target, cli.io.cwd);
  const recipe = await recipeToCompare(options.recipe, absolute, cli.io.cwd);
  const { lintProject } = await loadLinter();
  const { findings, files, processes } = await lintProject([absolute], { namespaces: options.namespace ?? [], relativeTo: cli.io.cwd });
  if (recipe !== undefined) {
    findings.push(...recipeFindings(recipe.absolute, recipe.display.split(path.sep).join('/'), processes.map((p) => p.name)));
  }
  cli.io.stdout.write(options.format === 'json' ? formatJson(findings) : formatText(findings, files.length));
  return findings.some((finding) => finding.severity === 'error') ? EXIT_FAILURE : EXIT_OK;
}

export function registerCheckCommand(program: Command, cli: CliRuntime): void {
  program
    .command('check')
    .description('run the POP linter on a file or a directory (walked for .ts .tsx .mts .cts .js .mjs)')
    .argument('[path]', 'file or directory to lint', '.')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--namespace <name>', 'an engine namespace to accept as a context root (repeatable)', collect)
    .option('-r, --recipe <file>', `audit recipe whose process names are compared with the declared processes (default: ${DEFAULT_RECIPE_PATH} of the project, when a directory is checked)`)
    .option('--no-recipe', 'do not compare with an audit recipe')
    .addHelpText('after', ruleTable())
    .action(async (target: string, options: CheckOptions) => {
      cli.exitCode = await runCheck(target, options, cli);
    });
}
