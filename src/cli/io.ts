/** Where a CLI run reads and writes; tests pass their own, the binary passes the process's. */
export interface CliIo {
  /** `isTTY` (as on `process.stdout`) turns on redrawn progress bars; `columns` bounds their width. */
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown };
  /** The directory relative paths are resolved against. */
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Ends long-running commands (`run --watch`) cleanly. Without it they stop on SIGINT; tests pass their own so
   * that nothing depends on signals sent to the test runner.
   */
  signal?: AbortSignal;
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
