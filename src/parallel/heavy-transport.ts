import { invalidArgument } from '../errors.js';
import { HeavyArray } from '../heavy/heavy-array.js';
import { looksLikeHeavyHandle } from '../heavy/handle.js';

// Heavy arrays cross the thread boundary as handles (plain metadata + the SharedArrayBuffer,
// which postMessage shares instead of copying). Only the top level of a payload or result is
// converted: the value itself, its own properties, or its elements. That keeps the cost O(top
// level) on every dispatch; deeper nesting is the caller's to convert with `.handle()`.

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Sending side: replaces top-level `HeavyArray`s by their handles and validates handles already
 * present (a forged handle fails here, before dispatch). Never mutates `value`; copies the top
 * level only when something had to be replaced.
 */
export function encodeHeavy(value: unknown, rootName: string): unknown {
  if (value instanceof HeavyArray) return value.handle();
  if (looksLikeHeavyHandle(value)) {
    checkHandle(value, rootName);
    return value;
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item instanceof HeavyArray) (copy ??= value.slice())[i] = item.handle();
      else if (looksLikeHeavyHandle(item)) checkHandle(item, `${rootName}[${i}]`);
    }
    return copy ?? value;
  }
  if (isPlainObject(value)) {
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (item instanceof HeavyArray) (copy ??= { ...value })[key] = item.handle();
      else if (looksLikeHeavyHandle(item)) checkHandle(item, `${rootName}.${key}`);
    }
    return copy ?? value;
  }
  return value;
}

/**
 * Receiving side: re-attaches top-level handles as `HeavyArray`s over the same memory. The value
 * is a fresh structured clone owned by the receiver, so it is updated in place.
 */
export function attachHeavy(value: unknown, rootName: string): unknown {
  if (looksLikeHeavyHandle(value)) return attachAt(value, rootName);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (looksLikeHeavyHandle(item)) value[i] = attachAt(item, `${rootName}[${i}]`);
    }
    return value;
  }
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (looksLikeHeavyHandle(item)) value[key] = attachAt(item, `${rootName}.${key}`);
    }
  }
  return value;
}

function attachAt(handle: unknown, path: string): HeavyArray {
  try {
    return HeavyArray.attach(handle as Parameters<typeof HeavyArray.attach>[0]);
  } catch (error) {
    throw invalidArgument(`invalid heavy handle at ${path}: ${(error as Error).message}`, path);
  }
}

function checkHandle(handle: unknown, path: string): void {
  attachAt(handle, path);
}
