import { isForbiddenMemberName } from './ast.js';
import { rawOf } from '../../core/seal.js';

/**
 * Committed Maps and Sets are read-only wrappers (proxies) around the real containers; the
 * built-in methods used below need the container itself. Reading only: nothing here writes.
 */
export function raw<T>(value: T): T {
  return (typeof value === 'object' && value !== null ? rawOf(value) : value) as T;
}

/** Raised by the value helpers; the compiled node that called them adds its position. */
export type Fail = (message: string) => never;

const mapGet = Map.prototype.get;
const mapHas = Map.prototype.has;
const setHas = Set.prototype.has;
const mapSize = Object.getOwnPropertyDescriptor(Map.prototype, 'size')?.get as (this: Map<unknown, unknown>) => number;
const setSize = Object.getOwnPropertyDescriptor(Set.prototype, 'size')?.get as (this: Set<unknown>) => number;

/** Deep equality and ordering stop here instead of overflowing the stack on cyclic data. */
const MAX_COMPARE_DEPTH = 200;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** How values are named in messages: Python's names where the author most likely wrote Python. */
export function typeName(value: unknown): string {
  if (value === undefined) return 'undefined (a missing value)';
  if (value === null) return 'None (null)';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Map || isPlainObject(value)) return 'mapping';
  if (value instanceof Set) return 'set';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

/**
 * Python truthiness, used for `and`, `or`, `not`/`!`, the ternary and a step's decision in both
 * spellings: `None`/`undefined`, `False`, `0`, `NaN`, `''`, an empty list, an empty mapping
 * (plain object with no own keys, empty `Map`) and an empty `Set` are false; everything else is true.
 */
export function truthy(value: unknown): boolean {
  if (value === true) return true;
  if (value === false || value === null || value === undefined || value === '' || value === 0 || value === 0n) return false;
  if (typeof value === 'number') return !Number.isNaN(value);
  if (typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map) return mapSize.call(raw(value)) > 0;
  if (value instanceof Set) return setSize.call(raw(value)) > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}

/**
 * `==` / `===` (one meaning for both spellings): no type coercion (`1 == '1'` and `True == 1` are
 * false), `None`, `null` and `undefined` equal each other, lists, plain objects, Maps and Sets
 * compare by content as in Python, other objects by identity.
 */
export function equals(a: unknown, b: unknown, fail: Fail, depth = 0): boolean {
  if (a === b) return true;
  if (a === null || a === undefined) return b === null || b === undefined;
  if (typeof a !== 'object' || b === null || typeof b !== 'object') return false;
  if (depth > MAX_COMPARE_DEPTH) fail(`values nest deeper than ${MAX_COMPARE_DEPTH} levels (or are cyclic); cannot compare them`);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equals(a[i], b[i], fail, depth + 1)) return false;
    return true;
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || mapSize.call(raw(a)) !== mapSize.call(raw(b))) return false;
    for (const [k, v] of Map.prototype.entries.call(raw(a)) as MapIterator<[unknown, unknown]>) {
      if (!mapHas.call(raw(b), k) || !equals(v, mapGet.call(raw(b), k), fail, depth + 1)) return false;
    }
    return true;
  }
  if (a instanceof Set) {
    if (!(b instanceof Set) || setSize.call(raw(a)) !== setSize.call(raw(b))) return false;
    for (const item of Set.prototype.values.call(raw(a)) as SetIterator<unknown>) {
      if (!setHas.call(raw(b), item) && !someEqual(Set.prototype.values.call(raw(b)) as SetIterator<unknown>, item, fail, depth + 1)) return false;
    }
    return true;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    for (const key of keys) {
      if (!Object.hasOwn(b, key)) return false;
      if (!equals(ownData(a, key, fail), ownData(b, key, fail), fail, depth + 1)) return false;
    }
    return true;
  }
  return false;
}

function someEqual(items: Iterable<unknown>, item: unknown, fail: Fail, depth: number): boolean {
  for (const candidate of items) if (equals(candidate, item, fail, depth)) return true;
  return false;
}

/** `is` / `is not`: identity, except that `None`, `null` and `undefined` are one value. */
export function identical(a: unknown, b: unknown): boolean {
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** `< <= > >=`: numbers with numbers, strings with strings (by code unit); anything else is an error, as in Python 3. */
export function ordered(operator: 'lt' | 'le' | 'gt' | 'ge', a: unknown, b: unknown, fail: Fail): boolean {
  if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) {
    fail(`cannot compare ${typeName(a)} with ${typeName(b)} using '${SYMBOL[operator]}'`);
  }
  const x = a as number | string;
  const y = b as number | string;
  switch (operator) {
    case 'lt':
      return x < y;
    case 'le':
      return x <= y;
    case 'gt':
      return x > y;
    case 'ge':
      return x >= y;
  }
}

const SYMBOL = { lt: '<', le: '<=', gt: '>', ge: '>=' } as const;

/** `x in container`: substring, list or set membership (by `==`), or own key of a mapping. */
export function contains(container: unknown, item: unknown, fail: Fail): boolean {
  if (typeof container === 'string') {
    if (typeof item !== 'string') fail(`'in <string>' needs a string on the left, got ${typeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return someEqual(container, item, fail, 0);
  if (container instanceof Set) return setHas.call(raw(container), item) || (typeof item === 'object' && someEqual(Set.prototype.values.call(raw(container)) as SetIterator<unknown>, item, fail, 0));
  if (container instanceof Map) return mapHas.call(raw(container), item);
  if (container !== null && typeof container === 'object') {
    if (typeof item !== 'string' && typeof item !== 'number') fail(`'in <mapping>' needs a string key on the left, got ${typeName(item)}`);
    return Object.hasOwn(container, String(item));
  }
  return fail(`'in' needs a string, list, set or mapping on the right, got ${typeName(container)}`);
}

/** An own data property, or `undefined`; accessors are refused so no getter ever runs. */
function ownData(target: object, key: string | number, fail: Fail): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (descriptor === undefined) return undefined;
  if ('value' in descriptor) return descriptor.value;
  return fail(`'${String(key)}' is an accessor (getter) property; conditions read only plain data properties`);
}

/** `true` when the container holds the key (used by `.get` to tell "absent" from "present but None"). */
export function hasEntry(container: object, key: string | number): boolean {
  if (container instanceof Map) return mapHas.call(raw(container), key);
  return Object.getOwnPropertyDescriptor(container, key) !== undefined;
}

/**
 * Reads `base.key` / `base[key]` the only way a condition may: own data properties of objects and
 * arrays, entries of Maps, characters and `length` of strings. The prototype chain is never
 * consulted, getters never run, functions are opaque, and a missing base or key reads as
 * `undefined` (so `domain.a.b` with no `a` is `undefined`, not an error). Negative integer indexes
 * count from the end of lists and strings, as in Python.
 */
export function readMember(base: unknown, key: string | number, fail: Fail): unknown {
  if (base === null || base === undefined) return undefined;
  if (typeof key === 'string' && isForbiddenMemberName(key)) {
    fail(`member '${key}' is refused: names 'constructor', 'prototype' and names starting with '__' would reach prototype machinery`);
  }
  if (typeof base === 'string') {
    if (key === 'length') return base.length;
    if (typeof key !== 'number') return undefined;
    const i = key < 0 ? base.length + key : key;
    return Number.isInteger(i) && i >= 0 && i < base.length ? base[i] : undefined;
  }
  if (typeof base !== 'object') return undefined;
  if (Array.isArray(base)) {
    if (typeof key === 'number') {
      const i = key < 0 ? base.length + key : key;
      return Number.isInteger(i) && i >= 0 ? ownData(base, i, fail) : undefined;
    }
    return ownData(base, key, fail);
  }
  if (base instanceof Map) return mapGet.call(raw(base), key);
  return ownData(base, key, fail);
}

export function isMissing(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

export function mapSizeOf(value: Map<unknown, unknown>): number {
  return mapSize.call(raw(value));
}

export function setSizeOf(value: Set<unknown>): number {
  return setSize.call(raw(value));
}
