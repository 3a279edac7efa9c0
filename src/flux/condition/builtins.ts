import type { FunctionName, MethodName } from './ast.js';
import { isForbiddenMemberName } from './ast.js';
import { contains, hasEntry, isMissing, isPlainObject, mapSizeOf, ordered, raw, readMember, setSizeOf, truthy, typeName } from './values.js';
import type { Fail } from './values.js';

/*
 * The whole callable surface of the condition language. Each builtin is implemented here on plain
 * values; nothing ever calls a method found on the data, so state cannot smuggle code into a
 * condition and a condition cannot reach code through state.
 */

export type Builtin = (args: unknown[], fail: Fail) => unknown;

function len(value: unknown, fail: Fail): number {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (value instanceof Map) return mapSizeOf(value);
  if (value instanceof Set) return setSizeOf(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return (value as unknown as ArrayLike<unknown>).length;
  if (isPlainObject(value)) return Object.keys(value).length;
  if (isMissing(value)) return fail(`len() of ${typeName(value)}; write len(domain.get('name', [])) when the value may be absent`);
  return fail(`len() needs a string, list, set or mapping, got ${typeName(value)}`);
}

function str(value: unknown, fail: Fail): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (isMissing(value)) return 'None';
  return fail(`str() accepts a string, number, bool or None, got ${typeName(value)}`);
}

function int(value: unknown, fail: Fail): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(`int() of ${value}`);
    return Math.trunc(value) + 0;
  }
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
  return fail(`int() needs a number, bool or a string of digits, got ${typeof value === 'string' ? JSON.stringify(value) : typeName(value)}`);
}

function float(value: unknown, fail: Fail): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value.trim());
    if (!Number.isNaN(n)) return n;
  }
  return fail(`float() needs a number, bool or a numeric string, got ${typeof value === 'string' ? JSON.stringify(value) : typeName(value)}`);
}

function number(value: unknown, what: string, fail: Fail): number {
  if (typeof value !== 'number') fail(`${what} needs a number, got ${typeName(value)}`);
  return value;
}

/** `min(list)` / `min(a, b, …)`, Python style; the items must be all numbers or all strings. */
function extreme(which: 'min' | 'max'): Builtin {
  return (args, fail) => {
    let items: readonly unknown[] = args;
    if (args.length === 1) {
      const only = args[0];
      if (Array.isArray(only)) items = only;
      else if (only instanceof Set) items = [...(Set.prototype.values.call(raw(only)) as SetIterator<unknown>)];
      else if (typeof only === 'string') items = [...only];
      else fail(`${which}() of a single argument needs a list, set or string, got ${typeName(only)}`);
    }
    if (items.length === 0) fail(`${which}() of an empty sequence`);
    let best = items[0];
    for (let i = 1; i < items.length; i++) {
      const item = items[i];
      if (ordered(which === 'min' ? 'lt' : 'gt', item, best, fail)) best = item;
    }
    return best;
  };
}

export const FUNCTIONS: Readonly<Record<FunctionName, Builtin>> = {
  len: ([value], fail) => len(value, fail),
  str: ([value], fail) => str(value, fail),
  int: ([value], fail) => int(value, fail),
  float: ([value], fail) => float(value, fail),
  bool: ([value]) => truthy(value),
  abs: ([value], fail) => Math.abs(number(value, 'abs()', fail)),
  min: extreme('min'),
  max: extreme('max'),
  sum: ([items, start], fail) => {
    let total = start === undefined ? 0 : number(start, 'sum() start', fail);
    if (!Array.isArray(items)) return fail(`sum() needs a list of numbers, got ${typeName(items)}`);
    for (const item of items) total += number(item, 'sum()', fail);
    return total;
  },
};

function needString(value: unknown, method: string, fail: Fail): string {
  if (typeof value !== 'string') fail(`.${method}() needs a string, got ${typeName(value)}`);
  return value;
}

export type Method = (target: unknown, args: unknown[], fail: Fail) => unknown;

function mappingGet(target: unknown, [key, fallback]: unknown[], fail: Fail): unknown {
  if (isMissing(target)) return fallback ?? null;
  if (typeof key === 'string' && isForbiddenMemberName(key)) readMember(target, key, fail);
  if (typeof target !== 'object') return fail(`.get() needs a mapping or list, got ${typeName(target)}`);
  if (typeof key !== 'string' && typeof key !== 'number' && !(target instanceof Map)) {
    return fail(`.get() needs a string or integer key, got ${typeName(key)}`);
  }
  if (Array.isArray(target)) {
    const value = typeof key === 'number' ? readMember(target, key, fail) : undefined;
    return value === undefined ? (fallback ?? null) : value;
  }
  // Python's dict.get: a present key returns its value even when that value is None.
  return hasEntry(target, key as string | number) ? readMember(target, key as string | number, fail) : (fallback ?? null);
}

const startsWith: Method = (target, [prefix], fail) => needString(target, 'startswith', fail).startsWith(needString(prefix, 'startswith', fail));
const endsWith: Method = (target, [suffix], fail) => needString(target, 'endswith', fail).endsWith(needString(suffix, 'endswith', fail));
const lower: Method = (target, _args, fail) => needString(target, 'lower', fail).toLowerCase();
const upper: Method = (target, _args, fail) => needString(target, 'upper', fail).toUpperCase();

/** Methods never run on a missing target: `domain.name.lower()` with no `name` is `undefined`, like `?.`. */
export const METHODS: Readonly<Record<MethodName, Method>> = {
  get: mappingGet,
  startswith: startsWith,
  startsWith,
  endswith: endsWith,
  endsWith,
  includes: (target, [item], fail) => {
    if (typeof target === 'string') return target.includes(needString(item, 'includes', fail));
    if (Array.isArray(target) || target instanceof Set) return contains(target, item, fail);
    return fail(`.includes() needs a string, list or set, got ${typeName(target)}`);
  },
  lower,
  toLowerCase: lower,
  upper,
  toUpperCase: upper,
};
