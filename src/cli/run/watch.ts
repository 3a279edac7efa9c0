import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

export interface WatchTarget {
  /** A directory (watched recursively) or a file (its directory is watched, filtered on the file's name). */
  absolute: string;
  kind: 'directory' | 'file';
}

const DEBOUNCE_MS = 150;

/**
 * Calls `onChange(file)` after edits under the targets settle (editors write a file in several steps). Files are
 * watched through their directory because editors often replace a file (rename over it), which ends a watcher
 * attached to the file itself. Returns a function that closes every watcher.
 */
export function watchTargets(targets: readonly WatchTarget[], onChange: (file: string) => void, onError: (error: Error) => void): () => void {
  const watchers: FSWatcher[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let changed: string | undefined;
  const fire = (file: string) => {
    changed = file;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange(changed as string);
    }, DEBOUNCE_MS);
  };
  const files = new Map<string, Set<string>>();
  for (const target of targets) {
    if (target.kind === 'directory') {
      const watcher = watch(target.absolute, { recursive: true }, (_event, name) => fire(name === null ? target.absolute : path.join(target.absolute, name.toString())));
      watcher.on('error', onError);
      watchers.push(watcher);
    } else {
      const dir = path.dirname(target.absolute);
      const names = files.get(dir) ?? new Set<string>();
      names.add(path.basename(target.absolute));
      files.set(dir, names);
    }
  }
  for (const [dir, names] of files) {
    const watcher = watch(dir, (_event, name) => {
      if (name !== null && names.has(name.toString())) fire(path.join(dir, name.toString()));
    });
    watcher.on('error', onError);
    watchers.push(watcher);
  }
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}
