import path from 'node:path';
import type { Command } from 'commander';
import { generateRecipeSkeleton, inspectRecipe, loadAuditRecipe, mergeRecipeSkeleton } from '../../audit/index.js';
import { TheusError } from '../../errors.js';
import { discoverProjectProcesses } from '../audit/discover.js';
import { formatInspection } from '../audit/format-inspection.js';
import { CliCommandError, CliUsageError } from '../errors.js';
import { displayPath, pathKind, readInputFile, resolvePath, writeOutputFile } from '../files.js';
import { locateProject } from '../project.js';
import { EXIT_OK, type CliRuntime } from '../io.js';

export const DEFAULT_RECIPE_PATH = 'specs/audit_recipe.yaml';

interface GenSpecOptions {
  out?: string;
  force?: boolean;
  json?: boolean;
}

interface InspectOptions {
  recipe: string;
  json?: boolean;
}

async function runGenSpec(dir: string, options: GenSpecOptions, cli: CliRuntime): Promise<number> {
  const { cwd } = cli.io;
  const source = resolvePath(cwd, dir);
  const kind = await pathKind(source.absolute);
  if (kind !== 'directory') {
    throw new CliUsageError(`${kind === undefined ? 'directory' : 'path'} '${dir}' ${kind === undefined ? 'does not exist' : 'is not a directory'}; pass the directory holding your processes, e.g. 'theus audit gen-spec src'.`, { path: dir });
  }
  const project = await locateProject(source.absolute, cwd);
  const scanned = project.scan === source.absolute ? source : resolvePath(cwd, project.scan);
  const found = await discoverProjectProcesses(scanned.absolute, cwd);
  for (const where of found.unnamed) cli.io.stderr.write(`theus: warning: skipped a process with no name at ${where} (assign it to a const or give it name: '…').\n`);
  for (const what of found.unusable) cli.io.stderr.write(`theus: warning: skipped process ${what}; rename it.\n`);
  if (found.processes.length === 0) {
    throw new CliCommandError(`no processes found in '${scanned.display}' (${found.files} source files read). Processes are declared with process({ inputs, outputs }, fn).`, { path: dir });
  }
  // The recipe belongs to the project that was scanned, wherever the command runs from; --out is the user's own path.
  const outGiven = options.out ?? displayPath(cwd, path.join(project.root, DEFAULT_RECIPE_PATH));
  const out = resolvePath(cwd, outGiven);
  const outKind = await pathKind(out.absolute);
  if (outKind !== undefined && outKind !== 'file') throw new CliUsageError(`'${outGiven}' exists and is not a file; choose another --out path.`, { path: outGiven });
  const merging = outKind === 'file' && options.force !== true;
  let text: string;
  let added: string[];
  if (merging) {
    const existing = await readInputFile(cwd, outGiven, 'audit recipe');
    ({ text, added } = mergeRecipeSkeleton(existing.text, found.processes, { file: out.display }));
  } else {
    text = generateRecipeSkeleton(found.processes);
    added = found.processes.map((p) => p.name);
  }
  if (added.length > 0) {
    await writeOutputFile(out.absolute, text);
    // The written file must be a recipe the engine accepts; failing here beats failing at engine start-up.
    loadAuditRecipe(out.absolute, { file: out.display });
  }
  const processes = found.processes.map((p) => p.name);
  if (options.json === true) {
    cli.io.stdout.write(`${JSON.stringify({ path: out.display, created: !merging, added, processes }, null, 2)}\n`);
  } else if (added.length === 0) {
    cli.io.stdout.write(`${out.display}: no new processes (all ${processes.length} already have an entry).\n`);
  } else {
    const verb = merging ? 'Added skeletons for' : 'Wrote a recipe skeleton for';
    cli.io.stdout.write(`${verb} ${added.length} process${added.length === 1 ? '' : 'es'} (${added.join(', ')}):\n${out.display}\n`);
  }
  return EXIT_OK;
}

async function runInspect(processName: string, options: InspectOptions, cli: CliRuntime): Promise<number> {
  const file = resolvePath(cli.io.cwd, options.recipe);
  const kind = await pathKind(file.absolute);
  if (kind === undefined) {
    throw new CliUsageError(`no audit recipe at '${options.recipe}' (looked for ${file.absolute}); pass --recipe <file>, or create one with 'theus audit gen-spec'.`, { path: options.recipe });
  }
  const recipe = loadAuditRecipe(file.absolute, { file: file.display });
  const inspection = inspectRecipe(recipe, processName);
  if (inspection === undefined) {
    const names = [...recipe.processes.keys()];
    throw new TheusError('UNKNOWN_PROCESS', `process '${processName}' is not in ${file.display} (it has: ${names.length === 0 ? 'no processes' : names.join(', ')}).`, { path: processName });
  }
  cli.io.stdout.write(options.json === true ? `${JSON.stringify(inspection, null, 2)}\n` : formatInspection(inspection));
  return EXIT_OK;
}

export function registerAuditCommand(program: Command, cli: CliRuntime): void {
  const audit = program.command('audit').description('generate and inspect audit recipes (rules checked on every process call)');
  audit
    .command('gen-spec')
    .description(`write a recipe skeleton for every process found under [dir] (merged into an existing recipe)`)
    .argument('[dir]', 'directory to scan for processes (static analysis: nothing is imported); a project directory means its src/', 'src')
    .option('-o, --out <file>', `recipe file to write or extend (default: ${DEFAULT_RECIPE_PATH} in the project holding [dir])`)
    .option('--force', 'replace an existing recipe instead of adding the missing processes to it')
    .option('--json', 'print { path, created, added, processes } as JSON')
    .addHelpText(
      'after',
      [
        '',
        'The project is the nearest directory at or above [dir] with a package.json (else the working directory, or [dir]',
        'itself when it lies outside it). Existing entries, comments and order are kept; only processes missing from the',
        'recipe are added.',
        'Exit codes: 0 written (or nothing to add), 1 no processes or a malformed recipe, 2 bad arguments.',
      ].join('\n'),
    )
    .action(async (dir: string, options: GenSpecOptions) => {
      cli.exitCode = await runGenSpec(dir, options, cli);
    });
  audit
    .command('inspect')
    .description('print the effective rules of one process (inherited levels and thresholds resolved)')
    .argument('<process>', 'process name, as in the recipe')
    .option('-r, --recipe <file>', 'audit recipe', DEFAULT_RECIPE_PATH)
    .option('--json', 'print the rules as JSON')
    .addHelpText('after', '\nExit codes: 0 printed, 1 unknown process or malformed recipe, 2 bad arguments or no recipe.')
    .action(async (processName: string, options: InspectOptions) => {
      cli.exitCode = await runInspect(processName, options, cli);
    });
}
