import { readFile } from 'node:fs/promises';
import type { ProcessSkeletonInfo } from '../../audit/index.js';
import { collectSourceFiles } from '../../lint/collect-files.js';
import { loadLinter } from '../../lint/load-linter.js';
import { processNameProblem } from '../../lint/process-name.js';
import { CliCommandError } from '../errors.js';
import { displayPath } from '../files.js';
import { formatLocation } from '../../source/location.js';

export interface DiscoveredProcesses {
  processes: ProcessSkeletonInfo[];
  files: number;
  /** Processes the analysis could not name, as `file:line:column`. */
  unnamed: string[];
  /** Processes whose name the engine refuses (`'__proto__' at file:line:column (…)`). */
  unusable: string[];
}

/** Test files declare processes as fixtures; they are not part of the application. */
function isTestFile(file: string): boolean {
  return /\.(test|spec)\.[cm]?[jt]sx?$/.test(file);
}

/**
 * The processes declared under `absoluteDir`, found by static analysis (the linter's parser): user code is never
 * imported, so a module with side effects or missing dependencies cannot break `gen-spec`.
 */
export async function discoverProjectProcesses(absoluteDir: string, cwd: string): Promise<DiscoveredProcesses> {
  const { discoverProcesses } = await loadLinter();
  const files = (await collectSourceFiles([absoluteDir])).filter((file) => !isTestFile(file));
  const processes: ProcessSkeletonInfo[] = [];
  const seen = new Map<string, string>();
  const unnamed: string[] = [];
  const unusable: string[] = [];
  for (const file of files) {
    const shown = displayPath(cwd, file);
    for (const found of discoverProcesses(await readFile(file, 'utf8'), shown)) {
      const where = formatLocation({ file: shown, line: found.line, column: found.column });
      if (found.name === undefined) {
        unnamed.push(where);
        continue;
      }
      const problem = processNameProblem(found.name);
      if (problem !== undefined) {
        unusable.push(`'${found.name.slice(0, 40)}' at ${where} (the name ${problem})`);
        continue;
      }
      const first = seen.get(found.name);
      if (first !== undefined) {
        throw new CliCommandError(`two processes are named '${found.name}' (${first} and ${where}); the engine refuses duplicate names, so rename one (name: '…').`);
      }
      seen.set(found.name, where);
      processes.push({ name: found.name, inputs: found.inputs, outputs: found.outputs, sideEffects: found.sideEffects, errors: found.errors });
    }
  }
  return { processes, files: files.length, unnamed, unusable };
}
