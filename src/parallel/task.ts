import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { invalidArgument } from '../errors.js';
import { describe } from '../heavy/describe.js';
import { findUncloneable } from './cloneable.js';
import { encodeHeavy } from './heavy-transport.js';
import type { TaskEnvelope } from './protocol.js';

export interface ParallelTask {
  /** The ES module holding the task function: a `file:` URL (string or URL) or an absolute path. */
  module: string | URL;
  /** The export to call as `fn(payload, tools)`; `default` for a default export. */
  exportName: string;
  /**
   * Structured-cloneable data. `HeavyArray`s (or their handles) at the top level (the payload
   * itself, its own properties or its elements) arrive in the worker as `HeavyArray`s over the
   * same memory.
   */
  payload?: unknown;
}

const FORBIDDEN_EXPORTS = new Set(['__proto__', 'constructor', 'prototype']);

// Resolving a path to a URL costs microseconds; engines dispatch the same few modules over and
// over, so the answer is memoised (bounded, since module strings come from callers).
const moduleUrlCache = new Map<string, string>();
const MODULE_URL_CACHE_LIMIT = 256;

function moduleUrl(module: unknown): string {
  if (module instanceof URL) {
    if (module.protocol !== 'file:') {
      throw invalidArgument(`task.module must be a file: URL or an absolute path; got a ${module.protocol} URL`, 'task.module');
    }
    return module.href;
  }
  if (typeof module !== 'string' || module.length === 0) {
    throw invalidArgument(`task.module must be a file: URL or an absolute path to an ES module; got ${describe(module)}`, 'task.module');
  }
  const cached = moduleUrlCache.get(module);
  if (cached !== undefined) return cached;
  let url: string;
  if (module.startsWith('file:')) {
    try {
      url = new URL(module).href;
    } catch {
      throw invalidArgument(`task.module ${describe(module)} is not a valid file: URL`, 'task.module');
    }
  } else if (isAbsolute(module)) {
    url = pathToFileURL(module).href;
  } else {
    // A relative path or bare specifier would resolve against the worker entry, not the caller:
    // refuse it rather than load the wrong file.
    throw invalidArgument(
      `task.module ${describe(module)} must be absolute: pass new URL('./file.mjs', import.meta.url) or an absolute path`,
      'task.module',
    );
  }
  if (moduleUrlCache.size >= MODULE_URL_CACHE_LIMIT) moduleUrlCache.clear();
  moduleUrlCache.set(module, url);
  return url;
}

/** Validates a task on the calling thread and turns it into what the worker receives. */
export function prepareTask(task: unknown): TaskEnvelope {
  if (typeof task !== 'object' || task === null) {
    throw invalidArgument(`task must be an object { module, exportName, payload }; got ${describe(task)}`, 'task');
  }
  const { module, exportName, payload } = task as Partial<ParallelTask>;
  const url = moduleUrl(module);
  if (typeof exportName !== 'string' || exportName.length === 0) {
    throw invalidArgument(`task.exportName must be a non-empty string (use 'default' for a default export); got ${describe(exportName)}`, 'task.exportName');
  }
  if (FORBIDDEN_EXPORTS.has(exportName)) {
    throw invalidArgument(`task.exportName ${JSON.stringify(exportName)} is reserved; export the task function under another name`, 'task.exportName');
  }
  const encoded = encodeHeavy(payload, 'payload');
  const bad = findUncloneable(encoded, 'payload');
  if (bad !== undefined) {
    throw invalidArgument(`task.payload cannot be sent to a worker: ${bad.path} is ${bad.what}`, bad.path);
  }
  return { module: url, exportName, payload: encoded };
}
