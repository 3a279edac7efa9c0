import { invalidArgument } from '../errors.js';
import { typesOf, type JsonSchemaLike } from './json-schema.js';

export interface DescribeSchemaOptions {
  /** Record current scalar values as `default` (what the original's `schema gen` did with literal defaults). */
  defaults?: boolean;
  /**
   * An object with more keys than this whose values share one shape is described as a record
   * (`additionalProperties`) instead of listing every key: 10 000 accounts become one account schema. Default 20.
   */
  recordThreshold?: number;
}

const MAX_DEPTH = 64;
/** Arrays are sampled: describing a million-element array must not cost a million descriptions. */
const MAX_SAMPLED_ITEMS = 1000;

/** Infers a JSON-Schema-like description (types, properties, items) from a state value. */
export function describeSchema(value: unknown, options: DescribeSchemaOptions = {}): JsonSchemaLike {
  if (options === null || typeof options !== 'object') throw invalidArgument('describeSchema options must be an object.');
  const threshold = options.recordThreshold ?? 20;
  if (!Number.isInteger(threshold) || threshold < 0) throw invalidArgument('describeSchema recordThreshold must be a non-negative integer.');
  return describe(value, { defaults: options.defaults === true, threshold, seen: new Set() }, 0);
}

interface Context {
  readonly defaults: boolean;
  readonly threshold: number;
  readonly seen: Set<object>;
}

function describe(value: unknown, ctx: Context, depth: number): JsonSchemaLike {
  switch (typeof value) {
    case 'string':
      return withDefault({ type: 'string' }, value, ctx);
    case 'number':
      return withDefault({ type: Number.isInteger(value) ? 'integer' : 'number' }, value, ctx);
    case 'bigint':
      return { type: 'integer', format: 'bigint' };
    case 'boolean':
      return withDefault({ type: 'boolean' }, value, ctx);
    case 'undefined':
    case 'function':
    case 'symbol':
      return {};
  }
  if (value === null) return { type: 'null' };
  const object = value as object;
  if (depth >= MAX_DEPTH || ctx.seen.has(object)) return {};
  ctx.seen.add(object);
  try {
    return describeObject(object, ctx, depth);
  } finally {
    ctx.seen.delete(object);
  }
}

function withDefault(schema: JsonSchemaLike, value: unknown, ctx: Context): JsonSchemaLike {
  return ctx.defaults ? { ...schema, default: value } : schema;
}

function describeObject(object: object, ctx: Context, depth: number): JsonSchemaLike {
  const noDefaults: Context = { ...ctx, defaults: false };
  if (object instanceof Date) return { type: 'string', format: 'date-time' };
  if (ArrayBuffer.isView(object)) {
    const name = object.constructor.name;
    const integer = !/Float/.test(name);
    return { type: 'array', items: { type: integer ? 'integer' : 'number' }, format: name };
  }
  if (Array.isArray(object)) {
    return { type: 'array', items: mergeAll(object.slice(0, MAX_SAMPLED_ITEMS).map((item) => describe(item, noDefaults, depth + 1))) };
  }
  if (object instanceof Set) {
    return { type: 'array', uniqueItems: true, items: mergeAll([...object].slice(0, MAX_SAMPLED_ITEMS).map((item) => describe(item, noDefaults, depth + 1))) };
  }
  if (object instanceof Map) {
    return { type: 'object', additionalProperties: mergeAll([...object.values()].slice(0, MAX_SAMPLED_ITEMS).map((v) => describe(v, noDefaults, depth + 1))) };
  }
  const record = object as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length > ctx.threshold) {
    const merged = mergeAll(keys.slice(0, MAX_SAMPLED_ITEMS).map((k) => describe(record[k], noDefaults, depth + 1)));
    if (merged.anyOf === undefined) return { type: 'object', additionalProperties: merged };
  }
  const properties: Record<string, JsonSchemaLike> = {};
  const required: string[] = [];
  for (const key of keys) {
    const child = record[key];
    setOwn(properties, key, describe(child, ctx, depth + 1));
    if (child !== undefined) required.push(key);
  }
  return required.length > 0 ? { type: 'object', properties, required } : { type: 'object', properties };
}

/** Defines rather than assigns, so a data key named `__proto__` stays a plain property. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function mergeAll(schemas: JsonSchemaLike[]): JsonSchemaLike {
  let merged: JsonSchemaLike | undefined;
  for (const schema of schemas) merged = merged === undefined ? schema : mergeSchemas(merged, schema);
  return merged ?? {};
}

/** The narrowest description covering both: same-type shapes merge, integer widens to number, others become anyOf. */
export function mergeSchemas(a: JsonSchemaLike, b: JsonSchemaLike): JsonSchemaLike {
  if (Object.keys(a).length === 0 || Object.keys(b).length === 0) return {};
  const ta = typesOf(a);
  const tb = typesOf(b);
  if (a.anyOf === undefined && b.anyOf === undefined && ta.length === 1 && tb.length === 1) {
    const [x, y] = [ta[0], tb[0]];
    if (x === y || (x === 'integer' && y === 'number') || (x === 'number' && y === 'integer')) {
      const type = x === y ? x : 'number';
      if (type === 'object') return mergeObjects(a, b);
      if (type === 'array') return { type: 'array', items: mergeSchemas(asSchema(a.items), asSchema(b.items)), ...(a.uniqueItems && b.uniqueItems ? { uniqueItems: true } : {}) };
      const format = a.format !== undefined && a.format === b.format ? { format: a.format } : {};
      return { type, ...format } as JsonSchemaLike;
    }
  }
  const options = [...(a.anyOf ?? [a]), ...(b.anyOf ?? [b])].map(asSchema).map(withoutDefault);
  const unique = new Map<string, JsonSchemaLike>();
  for (const option of options) {
    const key = JSON.stringify(option);
    if (!unique.has(key)) unique.set(key, option);
  }
  // Re-merge options of the same single type (two object shapes become one merged object shape).
  const byType = new Map<string, JsonSchemaLike>();
  for (const option of unique.values()) {
    const types = typesOf(option);
    const key = types.length === 1 ? (types[0] === 'integer' ? 'number' : (types[0] as string)) : JSON.stringify(option);
    const existing = byType.get(key);
    byType.set(key, existing === undefined ? option : mergeSchemas(existing, option));
  }
  const merged = [...byType.values()];
  return merged.length === 1 ? (merged[0] as JsonSchemaLike) : { anyOf: merged };
}

function asSchema(schema: JsonSchemaLike | boolean | undefined): JsonSchemaLike {
  return typeof schema === 'object' ? schema : {};
}

function withoutDefault(schema: JsonSchemaLike): JsonSchemaLike {
  if (!('default' in schema)) return schema;
  const { default: _dropped, ...rest } = schema;
  return rest;
}

function mergeObjects(a: JsonSchemaLike, b: JsonSchemaLike): JsonSchemaLike {
  if (a.properties === undefined || b.properties === undefined) {
    const values = [a, b].flatMap((s) => [...Object.values(s.properties ?? {}), ...(typeof s.additionalProperties === 'object' ? [s.additionalProperties] : [])]);
    return { type: 'object', additionalProperties: mergeAll(values.map(asSchema)) };
  }
  const properties: Record<string, JsonSchemaLike> = {};
  for (const key of new Set([...Object.keys(a.properties), ...Object.keys(b.properties)])) {
    const pa = a.properties[key];
    const pb = b.properties[key];
    setOwn(properties, key, pa !== undefined && pb !== undefined ? mergeSchemas(withoutDefault(asSchema(pa)), withoutDefault(asSchema(pb))) : withoutDefault(asSchema(pa ?? pb)));
  }
  const inB = new Set(b.required ?? []);
  const required = (a.required ?? []).filter((k) => inB.has(k));
  return required.length > 0 ? { type: 'object', properties, required } : { type: 'object', properties };
}
