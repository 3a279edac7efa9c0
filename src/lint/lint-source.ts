import { invalidArgument } from '../errors.js';
import { analyzeSource, compareFindings } from './analyze-source.js';
import { duplicateNameFindings } from './duplicate-names.js';
import type { Finding, LintOptions } from './types.js';

export function validateOptions(options: LintOptions | undefined): LintOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw invalidArgument('Lint options must be an object such as { namespaces: [\'orders\'] }.');
  const namespaces = options.namespaces;
  if (namespaces !== undefined) {
    if (!Array.isArray(namespaces)) throw invalidArgument('options.namespaces must be an array of namespace names.');
    for (const name of namespaces) {
      if (typeof name !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(name) || ['__proto__', 'constructor', 'prototype'].includes(name)) {
        throw invalidArgument(`options.namespaces contains ${JSON.stringify(name)}, which is not a valid namespace name (use an identifier such as 'orders').`);
      }
    }
  }
  return options;
}

/** Lints one file's text. Duplicate process names are checked within this file only; use lintFiles for a project. */
export function lintSource(code: string, fileName: string, options?: LintOptions): Finding[] {
  if (typeof code !== 'string') throw invalidArgument(`lintSource: code must be a string, got ${code === null ? 'null' : typeof code}.`);
  if (typeof fileName !== 'string' || fileName.length === 0) throw invalidArgument('lintSource: fileName must be a non-empty string (it picks the parser: .ts, .tsx, .js…).');
  const { findings, processes } = analyzeSource(code, fileName, validateOptions(options));
  return [...findings, ...duplicateNameFindings(processes)].sort(compareFindings);
}
