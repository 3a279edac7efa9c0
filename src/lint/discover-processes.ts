import { invalidArgument } from '../errors.js';
import { analyzeSource, type ProcessSummary } from './analyze-source.js';
import { validateOptions } from './options.js';
import type { LintOptions } from './types.js';

/** The processes declared in a file's text, with their literal contracts (for `theus audit gen-spec`, docs, tools). */
export function discoverProcesses(code: string, fileName: string, options?: LintOptions): ProcessSummary[] {
  if (typeof code !== 'string') throw invalidArgument('discoverProcesses: code must be a string.');
  if (typeof fileName !== 'string' || fileName.length === 0) throw invalidArgument('discoverProcesses: fileName must be a non-empty string.');
  return analyzeSource(code, fileName, validateOptions(options)).processes;
}
