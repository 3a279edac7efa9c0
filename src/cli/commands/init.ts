import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { CliUsageError } from '../errors.js';
import { pathKind, resolvePath, writeOutputFile } from '../files.js';
import { projectNameProblem } from '../init/project-name.js';
import { DEFAULT_TEMPLATE, TEMPLATE_DESCRIPTIONS, TEMPLATE_NAMES, renderTemplate, type TemplateName } from '../init/templates.js';
import { EXIT_OK, type CliRuntime } from '../io.js';
import { packageVersion } from '../package-info.js';

interface InitOptions {
  template: TemplateName;
  force?: boolean;
}

function templateTable(): string {
  const width = Math.max(...TEMPLATE_NAMES.map((n) => n.length));
  const rows = TEMPLATE_NAMES.map((name) => `  ${name.padEnd(width)}  ${TEMPLATE_DESCRIPTIONS[name]}${name === DEFAULT_TEMPLATE ? ' (default)' : ''}`);
  return ['', 'Templates:', ...rows, '', 'Dependencies are not installed: run npm install in the new directory.'].join('\n');
}

/** Generated projects accept this theus and its later compatible releases. */
function theusRange(): string {
  const version = packageVersion();
  return /^\d+\.\d+\.\d+/.test(version) ? `^${version}` : '*';
}

async function checkTarget(absolute: string, display: string, force: boolean): Promise<void> {
  const kind = await pathKind(absolute);
  if (kind === undefined) return;
  if (kind !== 'directory') throw new CliUsageError(`'${display}' exists and is not a directory; choose another project name.`, { path: display });
  const entries = await readdir(absolute);
  if (entries.length > 0 && !force) {
    throw new CliUsageError(`directory '${display}' exists and is not empty; choose another name, or pass --force to write the template files into it (files with the same names are overwritten).`, {
      path: display,
    });
  }
}

async function runInit(name: string, options: InitOptions, cli: CliRuntime): Promise<number> {
  const problem = projectNameProblem(name);
  if (problem !== undefined) throw new CliUsageError(`'${name}' cannot be a project name: ${problem}. Use a lowercase name such as 'my-app'.`);
  const target = resolvePath(cli.io.cwd, name);
  await checkTarget(target.absolute, target.display, options.force === true);
  const files = await renderTemplate(options.template, { name, theusRange: theusRange() });
  for (const file of files) await writeOutputFile(path.join(target.absolute, ...file.target.split('/')), file.content);
  cli.io.stdout.write(
    [
      `Created ${target.display}/ from the '${options.template}' template (${files.length} files).`,
      '',
      'Next steps:',
      `  cd ${name}`,
      '  npm install',
      '  npm start',
      '  npm test',
      '',
    ].join('\n'),
  );
  return EXIT_OK;
}

export function registerInitCommand(program: Command, cli: CliRuntime): void {
  program
    .command('init')
    .description('create a project from a template in ./<name> (does not install dependencies)')
    .argument('<name>', 'project name: the directory to create and the npm package name')
    .addOption(new Option('-t, --template <template>', 'project template').choices(TEMPLATE_NAMES).default(DEFAULT_TEMPLATE))
    .option('--force', 'write into a non-empty directory, overwriting files with the same names')
    .addHelpText('after', templateTable())
    .action(async (name: string, options: InitOptions) => {
      cli.exitCode = await runInit(name, options, cli);
    });
}
