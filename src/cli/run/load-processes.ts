import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TheusError, isProcess, type TheusEngine } from '../../index.js';

/** The extensions `engine.scanAndRegister` imports: JavaScript, and TypeScript where a loader handles it. */
function moduleExtensions(): Set<string> {
  const extensions = ['.js', '.mjs', '.cjs'];
  const features = process.features as { typescript?: unknown };
  if (features.typescript || process.env['VITEST'] || process.env['TSX']) extensions.push('.ts', '.mts', '.cts');
  return new Set(extensions);
}

async function moduleFiles(dir: string, extensions: ReadonlySet<string>, out: string[], depth = 0): Promise<void> {
  if (depth > 32) return;
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await moduleFiles(full, extensions, out, depth + 1);
    else if (entry.isFile() && extensions.has(extname(entry.name)) && !/\.d\.[cm]?ts$/.test(entry.name) && !/\.(test|spec)\./.test(entry.name)) out.push(full);
  }
}

/**
 * Registers every process exported under `dir`. The first load is `engine.scanAndRegister`; later loads (`run
 * --watch`) import each file under a new URL query, because ES modules are cached by URL for the life of the
 * process and an edited file would otherwise never be seen. Modules that the process files import themselves are
 * still served from the cache.
 */
export async function registerProcesses(engine: TheusEngine, dir: string, generation: number): Promise<string[]> {
  if (generation === 0) return engine.scanAndRegister(dir);
  const files: string[] = [];
  await moduleFiles(dir, moduleExtensions(), files);
  const names: string[] = [];
  for (const file of files) {
    let namespace: Record<string, unknown>;
    try {
      namespace = (await import(`${pathToFileURL(file).href}?theus-run=${generation}`)) as Record<string, unknown>;
    } catch (error) {
      throw new TheusError('INVALID_ARGUMENT', `importing '${file}' failed: ${(error as Error).message}`, { cause: error });
    }
    for (const value of new Set(Object.values(namespace))) {
      if (!isProcess(value)) continue;
      engine.register(value);
      names.push(value.processName);
    }
  }
  return names;
}
