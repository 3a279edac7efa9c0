import path from 'node:path';
import { pathKind } from './files.js';

export interface ProjectLocation {
  /** Where project files (specs/…) live. */
  root: string;
  /** The directory to scan for processes. */
  scan: string;
}

function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * The project a directory belongs to: the nearest directory at or above it with a package.json. Without one, the
 * working directory when `dir` lies inside it, else `dir` itself — a command pointed at another tree never writes
 * into the current one. A project directory given as such is scanned through its `src/` when it has one, so tests,
 * scripts and examples next to it are not taken for application processes.
 */
export async function locateProject(dir: string, cwd: string): Promise<ProjectLocation> {
  let root: string | undefined;
  for (let current = dir, depth = 0; depth < 64; depth++) {
    if ((await pathKind(path.join(current, 'package.json'))) === 'file') {
      root = current;
      break;
    }
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  root ??= isInside(cwd, dir) ? cwd : dir;
  const src = path.join(dir, 'src');
  const scan = dir === root && (await pathKind(path.join(dir, 'package.json'))) === 'file' && (await pathKind(src)) === 'directory' ? src : dir;
  return { root, scan };
}
