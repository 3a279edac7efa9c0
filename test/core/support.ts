import { expect } from 'vitest';
import { TheusError } from '../../src/errors.js';
import { toPlain, type DeltaOp, type Segment } from '../../src/core/index.js';

/** Runs `fn`, expects it to throw an instance of `cls` with `code`, and returns the error. */
export function thrown<E extends Error>(fn: () => unknown, cls: abstract new (...args: any[]) => E, code?: string): E {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected the call to throw').toBeInstanceOf(cls);
  if (code !== undefined) expect((caught as TheusError).code).toBe(code);
  return caught as E;
}

/** Expects a TheusError with `code` (and, when given, an error path containing `path`). */
export function theusError(fn: () => unknown, code: string, path?: string): TheusError {
  const err = thrown(fn, TheusError, code);
  if (path !== undefined) expect(err.path ?? '').toContain(path);
  return err;
}

/**
 * An order-preserving, type-tagged description of a value: two values describe equal iff they
 * have the same content, the same kinds of containers and the same key order.
 */
export function describeDeep(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return ['Array', Array.from(value, describeDeep)];
  if (value instanceof Map) return ['Map', [...value].map(([k, v]) => [describeDeep(k), describeDeep(v)])];
  if (value instanceof Set) return ['Set', [...value].map(describeDeep)];
  if (value instanceof Date) return ['Date', value.getTime()];
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  const tag = proto === null || proto === Object.prototype ? 'Object' : (proto.constructor?.name ?? '?');
  return [tag, Object.keys(value).map((k) => [k, describeDeep((value as Record<string, unknown>)[k])])];
}

/**
 * Replays delta ops on a plain (mutable) copy of the base state: the reference applier for the
 * delta format. Array 'add' inserts, 'remove' deletes the position, Map paths address Map keys.
 */
export function applyDelta(root: Record<string, unknown>, ops: readonly DeltaOp[]): Record<string, unknown> {
  for (const { op, path, value } of ops) {
    if (path.length === 0) throw new Error('delta op with an empty path');
    let node: any = root;
    for (const seg of path.slice(0, -1)) node = node instanceof Map ? node.get(seg) : node[seg as any];
    const last = path[path.length - 1] as Segment;
    const v = op === 'remove' ? undefined : toPlain(value);
    if (node instanceof Map) {
      if (op === 'remove') node.delete(last);
      else node.set(last, v);
    } else if (Array.isArray(node)) {
      const i = last as number;
      if (op === 'add') node.splice(i, 0, v);
      else if (op === 'remove') node.splice(i, 1);
      else node[i] = v;
    } else if (op === 'remove') {
      delete node[last];
    } else {
      node[last] = v;
    }
  }
  return root;
}
