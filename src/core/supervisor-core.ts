import { TheusError } from '../errors.js';
import { isHostileKey } from './path.js';

interface Entry {
  value: unknown;
  version: number;
}

/**
 * A reference heap with per-key versions (the seeds' SupervisorCore): `read` returns the very
 * object stored — identity is preserved, nothing is copied — and every write bumps that key's
 * version (a new key starts at 0). It is the low-level building block; the engine keeps its state
 * in immutable {@link State} snapshots instead.
 */
export class SupervisorCore {
  readonly #heap = new Map<string, Entry>();

  read<T = unknown>(key: string): T | undefined {
    return this.#heap.get(checkKey(key))?.value as T | undefined;
  }

  write(key: string, value: unknown): number {
    const k = checkKey(key);
    const entry = this.#heap.get(k);
    if (entry) {
      entry.value = value;
      return ++entry.version;
    }
    this.#heap.set(k, { value, version: 0 });
    return 0;
  }

  getVersion(key: string): number | undefined {
    return this.#heap.get(checkKey(key))?.version;
  }

  has(key: string): boolean {
    return this.#heap.has(checkKey(key));
  }

  keys(): string[] {
    return [...this.#heap.keys()];
  }

  remove(key: string): boolean {
    return this.#heap.delete(checkKey(key));
  }

  get size(): number {
    return this.#heap.size;
  }
}

function checkKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new TheusError('INVALID_ARGUMENT', `SupervisorCore keys are non-empty strings (got ${typeof key}).`);
  if (isHostileKey(key)) throw new TheusError('INVALID_PATH', `The key '${key}' is refused.`, { path: key });
  return key;
}
