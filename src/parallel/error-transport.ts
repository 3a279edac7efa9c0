import * as theusErrors from '../errors.js';
import { invalidArgument } from '../errors.js';
import { CapacityExceededError } from '../heavy/capacity-error.js';
import { findUncloneable } from './cloneable.js';

// Structured clone keeps only `message`, `stack` and a built-in `name` of an Error: `code`,
// `path`, the class and every custom field are lost. So the worker turns what it throws into
// plain data (this file's `serializeThrown`), and the caller rebuilds an instance of the closest
// class it knows (`reviveThrown`), keeping the original name, message, stack and fields.

/** A thrown Error reduced to cloneable data. */
export interface SerializedError {
  readonly kind: 'error';
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Constructor names from the error's own class up to `Error`, e.g. `['InsufficientFunds', 'TheusError', 'Error']`. */
  readonly lineage: readonly string[];
  /** Own enumerable fields (`code`, `path`, `issues`, an own `name`…) that can be cloned, in definition order. */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly cause?: SerializedThrown;
  readonly errors?: readonly SerializedThrown[];
}

/** Something thrown that is not an Error (`throw 'text'`, `throw { reason }`). */
export interface SerializedValue {
  readonly kind: 'value';
  readonly value: unknown;
}

export type SerializedThrown = SerializedError | SerializedValue;

type ErrorClass = abstract new (...args: never[]) => Error;

const MAX_CAUSE_DEPTH = 8;
const RESERVED_FIELDS = new Set(['message', 'stack', 'cause', 'errors', '__proto__', 'constructor', 'prototype']);

const knownClasses = new Map<string, ErrorClass>();
for (const value of Object.values(theusErrors)) {
  if (typeof value === 'function' && (value === theusErrors.TheusError || value.prototype instanceof theusErrors.TheusError)) {
    knownClasses.set(value.name, value as ErrorClass);
  }
}
knownClasses.set(CapacityExceededError.name, CapacityExceededError);
for (const builtin of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError]) {
  knownClasses.set(builtin.name, builtin);
}

/**
 * Lets errors of `errorClass` (a business error, say) come back from workers as instances of that
 * class rather than of its nearest known ancestor. The class must extend Error; its name is the key.
 */
export function registerErrorClass(errorClass: ErrorClass): void {
  if (typeof errorClass !== 'function' || !(errorClass.prototype instanceof Error)) {
    throw invalidArgument('registerErrorClass() needs a class that extends Error', 'errorClass');
  }
  const name = errorClass.name;
  if (name === '' || RESERVED_FIELDS.has(name)) {
    throw invalidArgument(`registerErrorClass() needs a named class; got ${JSON.stringify(name)}`, 'errorClass');
  }
  knownClasses.set(name, errorClass);
}

export function serializeThrown(thrown: unknown, depth = 0): SerializedThrown {
  if (!(thrown instanceof Error)) {
    const bad = findUncloneable(thrown, 'thrown');
    return { kind: 'value', value: bad === undefined ? thrown : `uncloneable thrown value (${bad.what} at ${bad.path})` };
  }
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(thrown)) {
    if (RESERVED_FIELDS.has(key)) continue;
    const value = safeGet(thrown, key);
    if (findUncloneable(value, key) === undefined) fields[key] = value;
  }
  const serialized: { -readonly [K in keyof SerializedError]: SerializedError[K] } = {
    kind: 'error',
    name: String(safeGet(thrown, 'name') ?? 'Error'),
    message: String(safeGet(thrown, 'message') ?? ''),
    stack: typeof thrown.stack === 'string' ? thrown.stack : undefined,
    lineage: lineageOf(thrown),
    fields,
  };
  if (depth < MAX_CAUSE_DEPTH) {
    if (thrown.cause !== undefined) serialized.cause = serializeThrown(thrown.cause, depth + 1);
    if (thrown instanceof AggregateError && Array.isArray(thrown.errors)) {
      serialized.errors = thrown.errors.map((e: unknown) => serializeThrown(e, depth + 1));
    }
  }
  return serialized;
}

/**
 * Rebuilds what the worker threw. Errors become instances of the nearest class in their lineage
 * that this thread knows (Theus error classes, built-ins, registered classes), so
 * `instanceof TheusError` and `.code` work on the caller's side; the original `name` is kept even
 * when the exact class is unknown here.
 */
export function reviveThrown(serialized: SerializedThrown): unknown {
  if (serialized.kind === 'value') return serialized.value;
  const errorClass = serialized.lineage.map((name) => knownClasses.get(name)).find((c) => c !== undefined) ?? Error;
  // Reflect.construct with the class as new.target makes a genuine Error (internal error slot,
  // so util.types.isNativeError and inspection behave) with the class's prototype, without
  // running the class's own constructor, whose parameters we cannot know.
  const error = Reflect.construct(Error, [serialized.message], errorClass as unknown as new () => Error) as Error;
  if (serialized.stack !== undefined) define(error, 'stack', serialized.stack, false);
  for (const [key, value] of Object.entries(serialized.fields)) {
    if (!RESERVED_FIELDS.has(key)) define(error, key, value, true);
  }
  // An own `name` (Theus errors set one in their constructor) was restored with the fields, in
  // its original position; otherwise the name is only pinned when the revived class differs.
  if (error.name !== serialized.name) define(error, 'name', serialized.name, false);
  if (serialized.cause !== undefined) define(error, 'cause', reviveThrown(serialized.cause), false);
  if (serialized.errors !== undefined) define(error, 'errors', serialized.errors.map(reviveThrown), false);
  return error;
}

function define(target: object, key: string, value: unknown, enumerable: boolean): void {
  Object.defineProperty(target, key, { value, enumerable, writable: true, configurable: true });
}

function safeGet(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function lineageOf(error: Error): string[] {
  const names: string[] = [];
  try {
    for (let proto = Object.getPrototypeOf(error); proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
      const ctor: unknown = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
      if (typeof ctor === 'function' && ctor.name !== '') names.push(ctor.name);
    }
  } catch {
    // A hostile prototype chain (a Proxy that throws) just shortens the lineage.
  }
  return names;
}
