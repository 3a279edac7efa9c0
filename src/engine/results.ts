import { TheusError } from '../errors.js';
import { draftOf } from '../core/draft.js';
import { Kind, kindOfRaw } from '../core/kinds.js';
import { isStateUpdate } from '../contracts/state-update.js';

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TheusError('ABORTED', 'The execution was aborted; nothing was committed.', { cause: signal.reason });
}

/**
 * Replaces draft proxies in a process's result by their committed snapshot: proxies are revoked
 * when the transaction ends, so handing one back to the caller would hand out a dead object.
 */
export function unproxy(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > 64) return value;
  const d = draftOf(value);
  if (d) return d.snapshot([]);
  if (isStateUpdate(value)) return value;
  const kind = kindOfRaw(value);
  if (kind === Kind.Array) {
    const arr = value as unknown[];
    let out: unknown[] | undefined;
    for (let i = 0; i < arr.length; i++) {
      const v = unproxy(arr[i], depth + 1);
      if (v !== arr[i]) (out ??= arr.slice())[i] = v;
    }
    return out ?? value;
  }
  if (kind === Kind.Plain) {
    const obj = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(obj)) {
      const v = unproxy(obj[k], depth + 1);
      if (v !== obj[k]) (out ??= { ...obj })[k] = v;
    }
    return out ?? value;
  }
  return value;
}
