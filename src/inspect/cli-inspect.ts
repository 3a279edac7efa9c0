/**
 * `theus inspect [--port N] [--host H] [--keep] -- <command…>`: runs the command (any Node program,
 * `node app.js`, `npm start`, `npx tsx app.ts`) with the inspector preloaded through NODE_OPTIONS,
 * and exits with its exit code.
 */
import { spawn } from 'node:child_process';
import { invalidArgument } from '../errors.js';

export interface InspectCommandOptions {
  port?: number;
  host?: string;
  /** Keep the inspector open after the application finishes. */
  keep?: boolean;
  /** The preload module (default: the one shipped next to this file). */
  preload?: string;
  /** Extra environment for the child. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function preloadUrl(): string {
  return new URL('./preload.js', import.meta.url).href;
}

/** Resolves with the command's exit code (128 + signal number when killed by a signal). */
export function runInspect(command: readonly string[], options: InspectCommandOptions = {}): Promise<number> {
  if (!Array.isArray(command) || command.length === 0 || command.some((a) => typeof a !== 'string') || command[0] === '') {
    throw invalidArgument('Usage: theus inspect [--port N] [--host H] [--keep] -- <command> [args…]  (for example: theus inspect -- node app.js)');
  }
  if (options.port !== undefined && (typeof options.port !== 'number' || !Number.isInteger(options.port) || options.port < 0 || options.port > 65535)) throw invalidArgument('--port must be an integer from 0 to 65535.');
  if (options.host !== undefined && !/^[A-Za-z0-9.:-]{1,253}$/.test(options.host)) throw invalidArgument('--host must be a host name or IP address.');
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  const importFlag = `--import=${options.preload ?? preloadUrl()}`;
  env.NODE_OPTIONS = env.NODE_OPTIONS ? `${env.NODE_OPTIONS} ${importFlag}` : importFlag;
  env.THEUS_INSPECT_IMPORT = importFlag; // the preload removes exactly this flag for the program's own children
  if (options.port !== undefined) env.THEUS_INSPECT_PORT = String(options.port);
  if (options.host !== undefined) env.THEUS_INSPECT_HOST = options.host;
  if (options.keep) env.THEUS_INSPECT_KEEP = '1';
  const [file, ...args] = command as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: 'inherit', env, ...(options.cwd === undefined ? {} : { cwd: options.cwd }) });
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const done = () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    };
    child.once('error', (e) => {
      done();
      reject(invalidArgument(`theus inspect: cannot run '${file}': ${e.message}`));
    });
    child.once('exit', (code, signal) => {
      done();
      const n = signal ? 128 + (({ SIGINT: 2, SIGTERM: 15, SIGKILL: 9 } as Record<string, number>)[signal] ?? 1) : (code ?? 1);
      resolve(n);
    });
  });
}
