import { CommanderError } from 'commander';
import { TheusError } from '../errors.js';
import { CliUsageError } from './errors.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CliIo, type CliRuntime } from './io.js';
import { createProgram } from './program.js';

function resolveIo(io: Partial<CliIo>): CliIo {
  return {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    cwd: io.cwd ?? process.cwd(),
    env: io.env ?? process.env,
    ...(io.signal === undefined ? {} : { signal: io.signal }),
  };
}

function reportError(error: unknown, io: CliIo, debug: boolean): void {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof TheusError) io.stderr.write(`theus: ${message}\n`);
  else io.stderr.write(`theus: unexpected error: ${message}\n${debug ? '' : '(run again with --debug for the stack trace)\n'}`);
  if (debug && error instanceof Error && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
}

/**
 * Runs the `theus` command line in-process and resolves to its exit code: 0 success, 1 problems found or a
 * command failed, 2 a usage error (unknown command or option, missing path, bad option value).
 * `argv` holds the user's arguments only (`['check', 'src']`), as in `process.argv.slice(2)`.
 */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const resolved = resolveIo(io);
  if (!Array.isArray(argv) || argv.some((arg) => typeof arg !== 'string')) {
    resolved.stderr.write('theus: internal usage error: main(argv) expects an array of strings (process.argv.slice(2)).\n');
    return EXIT_USAGE;
  }
  const cli: CliRuntime = { io: resolved, exitCode: EXIT_OK };
  const program = createProgram(cli);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return cli.exitCode;
  } catch (error) {
    // Commander has already printed its own message (help, version or a usage error) through configureOutput.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    const debug = argv.includes('--debug') || resolved.env['THEUS_DEBUG'] === '1' || program.opts<{ debug?: boolean }>().debug === true;
    reportError(error, resolved, debug);
    return error instanceof CliUsageError ? EXIT_USAGE : EXIT_FAILURE;
  }
}
