/** Where a CLI run reads and writes; tests pass their own, the binary passes the process's. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** The directory relative paths are resolved against. */
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** Shared by the program and every command of one run. */
export interface CliRuntime {
  io: CliIo;
  /** Set by a command's action; `main` returns it. */
  exitCode: number;
}

/** Exit codes: 0 success, 1 the command ran and found problems (or failed), 2 the command line was wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
