export { lintSource } from './lint-source.js';
export { lintFiles, lintProject, type LintFilesOptions, type ProjectLint } from './lint-files.js';
export { discoverProcesses } from './discover-processes.js';
export { collectSourceFiles } from './collect-files.js';
export { RULES, ruleInfo, type RuleInfo, type RuleId } from './rules.js';
export type { Finding, LintOptions, Severity } from './types.js';
export type { ProcessSummary } from './analyze-source.js';
