import { loadLinter } from './load-linter.js';

// Importing `theus/lint` loads TypeScript's parser here, once; without the package it fails with MISSING_DEPENDENCY
// and an install hint instead of Node's bare module-not-found error.
const linter = await loadLinter();

export const lintSource: typeof linter.lintSource = linter.lintSource;
export const lintFiles: typeof linter.lintFiles = linter.lintFiles;
export const lintProject: typeof linter.lintProject = linter.lintProject;
export const discoverProcesses: typeof linter.discoverProcesses = linter.discoverProcesses;
export { loadLinter, TYPESCRIPT_MISSING } from './load-linter.js';
export type { LintFilesOptions, ProjectLint } from './lint-files.js';
export { collectSourceFiles } from './collect-files.js';
export { RULES, ruleInfo, type RuleInfo, type RuleId } from './rules.js';
export type { Finding, LintOptions, Severity } from './types.js';
export type { ProcessSummary } from './analyze-source.js';
