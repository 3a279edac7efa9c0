import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TheusError, invalidArgument } from '../errors.js';
import { analyzeSource, compareFindings, type ProcessSummary } from './analyze-source.js';
import { collectSourceFiles } from './collect-files.js';
import { duplicateNameFindings } from './duplicate-names.js';
import { validateOptions } from './options.js';
import type { Finding, LintOptions } from './types.js';

export interface LintFilesOptions extends LintOptions {
  /** Report files (and the locations in duplicate-name messages) relative to this directory, with `/` separators. */
  relativeTo?: string;
}

export interface ProjectLint {
  findings: Finding[];
  /** The files that were read, in the order they were linted. */
  files: string[];
  processes: ProcessSummary[];
}

/** Lints files and directories together, so duplicate process names are found across files. */
export async function lintProject(paths: readonly string[], options?: LintFilesOptions): Promise<ProjectLint> {
  const checked = validateOptions(options);
  const relativeTo = options?.relativeTo;
  if (relativeTo !== undefined && (typeof relativeTo !== 'string' || relativeTo.length === 0)) throw invalidArgument('options.relativeTo must be a directory path.');
  const display = (file: string): string => (relativeTo === undefined ? file : path.relative(relativeTo, path.resolve(file)).split(path.sep).join('/') || path.basename(file));
  const files = await collectSourceFiles(paths);
  const findings: Finding[] = [];
  const processes: ProcessSummary[] = [];
  for (const file of files) {
    let code: string;
    try {
      code = await readFile(file, 'utf8');
    } catch (cause) {
      throw new TheusError('INVALID_ARGUMENT', `Cannot read '${file}': ${(cause as Error).message}`, { path: file, cause });
    }
    const analysis = analyzeSource(code, display(file), checked);
    findings.push(...analysis.findings);
    processes.push(...analysis.processes);
  }
  findings.push(...duplicateNameFindings(processes));
  findings.sort(compareFindings);
  return { findings, files, processes };
}

export async function lintFiles(paths: readonly string[], options?: LintFilesOptions): Promise<Finding[]> {
  return (await lintProject(paths, options)).findings;
}
