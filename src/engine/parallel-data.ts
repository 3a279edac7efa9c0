import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ContractViolationError } from '../errors.js';
import type { Segment } from '../core/path.js';
import type { State } from '../core/state.js';
import { toPlain } from '../core/plain.js';
import { WILDCARD } from '../contracts/pattern.js';
import type { Contract, ProcessDefinition } from '../contracts/types.js';
import { HeavyArray } from '../heavy/index.js';
import { looksLikeHeavyHandle } from '../heavy/handle.js';
import { readPath } from './commit-result.js';

// How a parallel process's data crosses to a worker and back.

/** A parallel process must be importable by a worker: its module is recorded when it is defined. */
export function assertWorkerLoadable(def: ProcessDefinition): void {
  const url = def.moduleUrl;
  let file: string | undefined;
  try {
    file = url ? fileURLToPath(url) : undefined;
  } catch {
    file = undefined;
  }
  if (!file || !existsSync(file)) {
    throw new ContractViolationError(
      `Parallel process '${def.processName}' cannot be located${url ? ` (its module ${url} does not exist)` : ''}: define it with process() in a module file and export it, so worker threads can import it.`,
    );
  }
}

/** Copies of the declared non-heavy paths (up to the first wildcard) and handles of declared heavy entries. */
export function declaredData(state: State, contract: Contract): { roots: Record<string, unknown>; heavy: Record<string, ReturnType<HeavyArray['handle']>> } {
  const roots: Record<string, unknown> = {};
  const heavy: Record<string, ReturnType<HeavyArray['handle']>> = {};
  for (const p of [...contract.inputs, ...contract.outputs]) {
    const cut = p.segments.indexOf(WILDCARD);
    const segs = (cut < 0 ? p.segments : p.segments.slice(0, cut)) as Segment[];
    if (segs[0] === 'signal') continue;
    if (segs[0] === 'heavy') {
      const entries = segs.length === 1 ? Object.keys(state.heavy) : [String(segs[1])];
      for (const key of entries) {
        const v = state.heavy[key];
        if (v instanceof HeavyArray) heavy[key] = v.handle();
      }
      continue;
    }
    const value = readPath(state.data, segs);
    if (value === undefined) continue;
    let node = roots;
    for (let i = 0; i < segs.length - 1; i++) {
      const seg = String(segs[i]);
      const next = node[seg];
      node = (next !== null && typeof next === 'object' ? next : (node[seg] = {})) as Record<string, unknown>;
    }
    node[String(segs[segs.length - 1])] = toPlain(value);
  }
  return { roots, heavy };
}

export function reattach(value: unknown): unknown {
  return looksLikeHeavyHandle(value) ? HeavyArray.attach(value) : value;
}
