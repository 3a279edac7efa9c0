import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { TheusError, invalidArgument } from '../errors.js';
import { SOURCE_EXTENSIONS } from './extensions.js';

const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist']);

export function isLintableFile(file: string): boolean {
  const lower = file.toLowerCase();
  if (lower.endsWith('.d.ts') || lower.endsWith('.d.mts') || lower.endsWith('.d.cts')) return false;
  return SOURCE_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

async function walk(directory: string, out: string[]): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(directory, entry.name);
    // Symlinks are not followed: they can loop, and they usually point at code that is linted elsewhere.
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !SKIPPED_DIRECTORIES.has(entry.name)) await walk(full, out);
    } else if (entry.isFile() && isLintableFile(entry.name)) {
      out.push(full);
    }
  }
}

/**
 * The files to lint under the given paths: directories are walked (skipping node_modules, dist and dot-directories);
 * a file named explicitly must have a supported extension. Each file appears once, in a stable order.
 */
export async function collectSourceFiles(paths: readonly string[]): Promise<string[]> {
  if (!Array.isArray(paths)) throw invalidArgument('lintFiles: paths must be an array of file or directory paths.');
  const files: string[] = [];
  for (const given of paths) {
    if (typeof given !== 'string' || given.length === 0) throw invalidArgument(`lintFiles: every path must be a non-empty string, got ${JSON.stringify(given)}.`);
    let info;
    try {
      info = await stat(given);
    } catch (cause) {
      throw new TheusError('INVALID_ARGUMENT', `Cannot lint '${given}': no such file or directory.`, { path: given, cause });
    }
    if (info.isDirectory()) await walk(given, files);
    else if (isLintableFile(given)) files.push(given);
    else throw invalidArgument(`Cannot lint '${given}': only ${SOURCE_EXTENSIONS.join(', ')} files are supported.`, given);
  }
  return [...new Set(files)];
}
