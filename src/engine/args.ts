import { invalidArgument } from '../errors.js';
import { describe, formatPath, isHostileKey, type Segment } from '../core/path.js';

/**
 * Process arguments must be data (what structured clone accepts, minus the exotic): they go to
 * audit logs, worker threads and retries. Checked by a quick walk instead of a clone, so the
 * common small argument object costs next to nothing.
 */
export function assertData(value: unknown, where: string): void {
  // Most calls pass no arguments: a primitive needs no walk, nor the path and set it allocates.
  if (value === undefined || value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return;
  walk(value, [where], 0, new Set());
}

function walk(value: unknown, path: Segment[], depth: number, seen: Set<object>): void {
  const t = typeof value;
  if (t === 'function' || t === 'symbol') {
    throw invalidArgument(`${formatPath(path)} is ${describe(value)}: arguments must be data that can be cloned (no functions or symbols).`, formatPath(path));
  }
  if (t !== 'object' || value === null) return;
  const obj = value as object;
  if (seen.has(obj)) return;
  if (depth > 256) throw invalidArgument(`${formatPath(path.slice(0, 4))}… nests deeper than 256 levels.`);
  seen.add(obj);
  if (obj instanceof Promise || obj instanceof WeakMap || obj instanceof WeakSet) {
    throw invalidArgument(`${formatPath(path)} is ${describe(value)}, which cannot be cloned.`, formatPath(path));
  }
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) {
      path.push(i);
      walk(obj[i], path, depth + 1, seen);
      path.pop();
    }
    return;
  }
  if (obj instanceof Map) {
    for (const [k, v] of obj) {
      walk(k, path, depth + 1, seen);
      walk(v, path, depth + 1, seen);
    }
    return;
  }
  if (obj instanceof Set) {
    for (const v of obj) walk(v, path, depth + 1, seen);
    return;
  }
  if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer || obj instanceof Date || obj instanceof RegExp || obj instanceof Error) return;
  if ((obj as { __theusHeavy?: unknown }).__theusHeavy === 1) return;
  for (const k of Object.keys(obj)) {
    if (isHostileKey(k)) throw invalidArgument(`${formatPath(path)} has the refused key '${k}'.`, formatPath(path));
    path.push(k);
    walk((obj as Record<string, unknown>)[k], path, depth + 1, seen);
    path.pop();
  }
}
