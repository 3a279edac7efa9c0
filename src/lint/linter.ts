/**
 * The parts of the linter that parse code, and so need the `typescript` package. Loaded only through
 * {@link loadLinter}, never imported statically by the CLI, the plugin or the package entry.
 */
export { lintSource } from './lint-source.js';
export { lintFiles, lintProject } from './lint-files.js';
export { discoverProcesses } from './discover-processes.js';
