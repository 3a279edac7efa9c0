import { invalidArgument } from '../errors.js';
import { analyzeSource, compareFindings } from './analyze-source.js';
import { duplicateNameFindings } from './duplicate-names.js';
import { validateOptions } from './options.js';
import type { Finding, LintOptions } from './types.js';

export { validateOptions };

/** Lints one file's text. Duplicate process names are checked within this file only; use lintFiles for a project. */
export function lintSource(code: string, fileName: string, options?: LintOptions): Finding[] {
  if (typeof code !== 'string') throw invalidArgument(`lintSource: code must be a string, got ${code === null ? 'null' : typeof code}.`);
  if (typeof fileName !== 'string' || fileName.length === 0) throw invalidArgument('lintSource: fileName must be a non-empty string (it picks the parser: .ts, .tsx, .js…).');
  const { findings, processes } = analyzeSource(code, fileName, validateOptions(options));
  return [...findings, ...duplicateNameFindings(processes)].sort(compareFindings);
}
