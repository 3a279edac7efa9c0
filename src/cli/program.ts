import { Command } from 'commander';
import { registerCheckCommand } from './commands/check.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerInitCommand } from './commands/init.js';
import { registerRunCommand } from './commands/run.js';
import { registerSchemaCommand } from './commands/schema.js';
import { registerInspectCommand } from '../inspect/cli-command.js';
import type { CliRuntime } from './io.js';
import { packageVersion } from './package-info.js';

/**
 * Each command lives in `commands/<name>.ts` and exports a `register…Command(program, cli)` function; adding a
 * command is writing that file and listing the function here.
 */
export type CommandRegistrar = (program: Command, cli: CliRuntime) => void;

const COMMANDS: readonly CommandRegistrar[] = [registerInitCommand, registerCheckCommand, registerRunCommand, registerAuditCommand, registerSchemaCommand, registerInspectCommand];

/** Commander prints `error: unknown option '--x'`; every CLI error reads `theus: …`. */
function formatCommanderError(text: string): string {
  return text.replace(/^error: /, 'theus: ');
}

export function createProgram(cli: CliRuntime): Command {
  const program = new Command('theus');
  program
    .description('Process-Oriented Programming for Node.js: contracts, MVCC transactions, supervisor proxies.')
    .version(packageVersion(), '-v, --version', 'print the theus version')
    .option('--debug', 'print stack traces with errors (or set THEUS_DEBUG=1)')
    .helpOption('-h, --help', 'show help for a command')
    // Settings made before .command() are inherited by every subcommand.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => cli.io.stdout.write(text),
      writeErr: (text) => cli.io.stderr.write(text),
      outputError: (text, write) => write(formatCommanderError(text)),
    })
    .showHelpAfterError('(add --help for usage)')
    .allowExcessArguments(false);
  for (const register of COMMANDS) register(program, cli);
  return program;
}
