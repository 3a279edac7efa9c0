import { TheusError } from '../errors.js';

/** A command line the CLI cannot act on (missing path, bad option value): exit code 2, no stack trace. */
export class CliUsageError extends TheusError {
  constructor(message: string, options: { path?: string } = {}) {
    super('CLI_USAGE', message, options);
  }
}

/** A command that ran and failed (a workflow step threw, nothing to generate): exit code 1, no stack trace. */
export class CliCommandError extends TheusError {
  constructor(message: string, options: { path?: string; cause?: unknown } = {}) {
    super('CLI_FAILED', message, options);
  }
}
