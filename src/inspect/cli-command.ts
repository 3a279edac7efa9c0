/**
 * `theus inspect`: the CLI registers it with `registerInspectCommand(program, cli)` like its
 * other commands. Everything after `--` is the program to run.
 */
import type { Command } from 'commander';
import { TheusError } from '../errors.js';
import { runInspect } from './cli-inspect.js';

interface Runtime {
  io: { stderr: { write(text: string): unknown }; cwd: string };
  exitCode: number;
}

export function registerInspectCommand(program: Command, cli: Runtime): void {
  program
    .command('inspect')
    .description('run a Node program with the inspector page attached, without changing its code')
    .argument('<command...>', 'the program and its arguments, after --')
    .option('--port <port>', 'port to listen on (default: a free one)')
    .option('--host <host>', 'address to listen on (default: 127.0.0.1)')
    .option('--keep', 'keep the inspector open after the program finishes')
    .addHelpText('after', '\nExample:\n  theus inspect -- node app.js\n  theus inspect --port 7777 --keep -- npm start\n')
    .action(async (command: string[], o: { port?: string; host?: string; keep?: boolean }) => {
      const port = o.port === undefined ? undefined : /^\d{1,5}$/.test(o.port) ? Number(o.port) : Number.NaN;
      try {
        cli.exitCode = await runInspect(command, { ...(port === undefined ? {} : { port }), ...(o.host === undefined ? {} : { host: o.host }), keep: o.keep === true, cwd: cli.io.cwd });
      } catch (e) {
        if (!(e instanceof TheusError)) throw e;
        cli.io.stderr.write(`theus: ${e.message}\n`);
        cli.exitCode = 2;
      }
    });
}
