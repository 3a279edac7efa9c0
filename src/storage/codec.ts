/**
 * The text encoding of stored values: JSON, with tagged objects for what JSON cannot say (Map,
 * Set, Date, BigInt, undefined, -0, NaN, ±Infinity, null-prototype objects, registered classes).
 * A plain object whose own key is the tag key is escaped, so user data can never forge a tag.
 *
 * What cannot be restored is refused with StorageError at encode time, before anything is written:
 * functions, symbols, cycles, unregistered class instances, binary data. Heavy arrays (opaque
 * shared memory) are not durable: an object property or Map entry holding one is left out, an
 * array slot becomes undefined, and a stored op whose whole value is one becomes a removal.
 */
import { Kind } from '../core/kinds.js';
import { formatPath, isHostileKey, type Segment } from '../core/path.js';
import { committedKind } from '../core/seal.js';
import { StorageError } from '../errors.js';
import type { StoredOp } from './store.js';

const TAG = '$t';
/** Deeper values are refused: encoding recurses, and the stack must not overflow first. */
const MAX_DEPTH = 1000;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
/** A path built only when an error needs it: encoding a large snapshot allocates no arrays. */
interface At {
  readonly up: At | null;
  readonly key: Segment;
}

type Ctor = abstract new (...args: never[]) => unknown;

/** Classes a store may restore, by name. Instances of other classes are refused. */
export class ClassRegistry {
  private readonly byName = new Map<string, object>();
  private readonly byProto = new Map<object, string>();

  constructor(classes: readonly Ctor[] = []) {
    for (const c of classes) {
      if (typeof c !== 'function' || typeof c.prototype !== 'object' || c.prototype === null) {
        throw new StorageError(`classes must list constructors, got ${typeof c}.`);
      }
      const name = c.name;
      if (name === '' || this.byName.has(name)) throw new StorageError(`Every class in classes needs a distinct name (got '${name}' twice or empty).`);
      this.byName.set(name, c.prototype as object);
      this.byProto.set(c.prototype as object, name);
    }
  }

  nameOf(proto: object): string | undefined {
    return this.byProto.get(proto);
  }

  protoOf(name: string): object | undefined {
    return this.byName.get(name);
  }
}

const NO_CLASSES = new ClassRegistry();

export function encode(value: unknown, classes: ClassRegistry = NO_CLASSES): string {
  return guarded(() => JSON.stringify(toJson(value, classes, null, new Set())));
}

/** A stack overflow on a pathological value is reported as what it is, not as a RangeError. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RangeError) throw new StorageError(`Cannot store a value this deeply nested or this large (${err.message}).`, { cause: err });
    throw err;
  }
}

export function decode(text: string, classes: ClassRegistry = NO_CLASSES): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new StorageError('A stored value is not valid JSON: the store is corrupt. Restore it from a backup.', { cause: err });
  }
  return fromJson(parsed, classes, 0);
}

/** True for heavy arrays and other values kept by reference, which are never stored. */
export function isOpaque(value: unknown): boolean {
  return typeof value === 'object' && value !== null && committedKind(value) === Kind.Opaque;
}

/** Ops as stored: an op whose whole value is opaque becomes a removal (the value is not durable). */
export function encodeOps(ops: readonly StoredOp[], classes: ClassRegistry = NO_CLASSES): string {
  return guarded(() => encodeOpList(ops, classes));
}

function encodeOpList(ops: readonly StoredOp[], classes: ClassRegistry): string {
  let text = '';
  for (const op of ops) {
    const path = op.path as Segment[];
    let kind: string = op.op;
    let value: Json | undefined;
    if (kind !== 'remove') {
      // An array slot keeps its place (as undefined) so later indices stay right; a key is dropped.
      if (isOpaque(op.value)) {
        if (typeof path[path.length - 1] === 'number') value = { [TAG]: 'u' };
        else kind = 'remove';
      } else {
        // The usual value is a scalar: it needs neither the path chain (kept for error messages) nor a cycle stack.
        const scalar = scalarJson(op.value);
        value = scalar !== undefined ? scalar : toJson(op.value, classes, atOf(op.path), new Set());
      }
    }
    text += (text === '' ? '' : ',') + opText(kind, path, value);
  }
  return `[${text}]`;
}

/**
 * One op's JSON: `{"op","path"[,"value"]}`, the text JSON.stringify gives for the op object, framed
 * by hand around stringifying the path and the value. Every commit encodes its ops, and building
 * an object per op (and a list of them) to stringify at once measured as one of a commit's
 * dearest steps.
 */
function opText(kind: string, path: readonly Segment[], value: Json | undefined): string {
  if ((kind === 'add' || kind === 'replace' || kind === 'remove') && Array.isArray(path)) {
    return kind === 'remove' ? `{"op":"remove","path":${JSON.stringify(path)}}` : `{"op":"${kind}","path":${JSON.stringify(path)},"value":${JSON.stringify(value)}}`;
  }
  // Not an op the engine makes (a caller's malformed entry): stringified as it is, refused when applied.
  return JSON.stringify(kind === 'remove' ? { op: kind, path } : { op: kind, path, value });
}

/**
 * Ops come back checked, not only values: a log row is read by every engine that follows it, so
 * whoever can write to the store's tables must not be able to steer a path into a prototype, nor
 * hand out an op no engine wrote.
 */
export function decodeOps(text: string, classes: ClassRegistry = NO_CLASSES): StoredOp[] {
  const raw = decode(text, classes);
  if (!Array.isArray(raw)) throw new StorageError('A stored log entry is not a list of ops: the store is corrupt.');
  for (const op of raw as unknown[]) {
    if (typeof op !== 'object' || op === null || Array.isArray(op)) throw corrupt('an op that is not an object');
    const { op: kind, path } = op as { op?: unknown; path?: unknown };
    if (kind !== 'add' && kind !== 'replace' && kind !== 'remove') throw corrupt(`an unknown op '${String(kind)}'`);
    if (!Array.isArray(path) || path.length === 0) throw corrupt(`an op without a path (${kind})`);
    for (const seg of path as unknown[]) {
      if (typeof seg !== 'string' && typeof seg !== 'number') throw corrupt(`a path segment of type ${typeof seg}`);
      if (isHostileKey(seg)) throw corrupt(`the refused key '${seg}' at ${formatPath(path as Segment[])}`);
    }
  }
  return raw as StoredOp[];
}

function atOf(path: readonly Segment[]): At | null {
  let at: At | null = null;
  for (const key of path) at = { up: at, key };
  return at;
}

function pathOf(at: At | null): Segment[] {
  const out: Segment[] = [];
  for (let a = at; a !== null; a = a.up) out.unshift(a.key);
  return out;
}

function refuse(at: At | null, what: string): StorageError {
  const path = pathOf(at);
  return new StorageError(`Cannot store ${what} at ${formatPath(path)}: it could not be restored after a restart. Keep plain data, Map, Set, Date or BigInt in state, or register the class with the store's classes option.`);
}

/** The JSON of a value that is not an object, or undefined for objects, functions and symbols. */
function scalarJson(value: unknown): Json | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value)) return Object.is(value, -0) ? { [TAG]: 'n', v: '-0' } : value;
      return { [TAG]: 'n', v: String(value) };
    case 'undefined':
      return { [TAG]: 'u' };
    case 'bigint':
      return { [TAG]: 'b', v: value.toString() };
    default:
      return value === null ? null : undefined;
  }
}

function toJson(value: unknown, classes: ClassRegistry, at: At | null, stack: Set<object>): Json {
  const scalar = scalarJson(value);
  if (scalar !== undefined) return scalar;
  if (typeof value === 'function' || typeof value === 'symbol') throw refuse(at, `a ${typeof value}`);
  const obj = value as object;
  if (stack.has(obj)) throw refuse(at, 'a cycle');
  if (stack.size >= MAX_DEPTH) throw refuse(at, `a value nested more than ${MAX_DEPTH} levels deep`);
  stack.add(obj);
  try {
    return objectToJson(obj, classes, at, stack);
  } finally {
    stack.delete(obj);
  }
}

function objectToJson(obj: object, classes: ClassRegistry, at: At | null, stack: Set<object>): Json {
  const kind = committedKind(obj);
  switch (kind) {
    case Kind.Array: {
      const src = obj as unknown[];
      const out: Json[] = new Array<Json>(src.length);
      for (let i = 0; i < src.length; i++) {
        const v = src[i];
        out[i] = isOpaque(v) ? { [TAG]: 'u' } : toJson(v, classes, { up: at, key: i }, stack);
      }
      return out;
    }
    case Kind.Map: {
      const entries: Json[] = [];
      for (const [k, v] of obj as Map<unknown, unknown>) {
        if (isOpaque(v)) continue;
        entries.push([toJson(k, classes, at, stack), toJson(v, classes, { up: at, key: String(k) }, stack)]);
      }
      return { [TAG]: 'm', v: entries };
    }
    case Kind.Set: {
      const items: Json[] = [];
      for (const v of obj as Set<unknown>) items.push(toJson(v, classes, at, stack));
      return { [TAG]: 's', v: items };
    }
    case Kind.Date: {
      const t = (obj as Date).getTime();
      return { [TAG]: 'd', v: Number.isNaN(t) ? null : t };
    }
    case Kind.Plain:
    case Kind.Wide: {
      const fields = fieldsToJson(obj, classes, at, stack);
      if (kind === Kind.Plain && Object.getPrototypeOf(obj) === null) return { [TAG]: 'z', v: fields };
      return Object.prototype.hasOwnProperty.call(fields, TAG) ? { [TAG]: 'o', v: fields } : fields;
    }
    case Kind.Instance: {
      const name = classes.nameOf(Object.getPrototypeOf(obj) as object);
      if (name === undefined) throw refuse(at, `an instance of class ${obj.constructor?.name ?? '(anonymous)'}`);
      return { [TAG]: 'c', c: name, v: fieldsToJson(obj, classes, at, stack) };
    }
    case Kind.Opaque:
      throw refuse(at, 'a heavy array (shared memory is not durable; persist it explicitly)');
    default:
      throw refuse(at, `a ${Object.prototype.toString.call(obj).slice(8, -1)}`);
  }
}

function fieldsToJson(obj: object, classes: ClassRegistry, at: At | null, stack: Set<object>): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const k of Object.keys(obj)) {
    if (isHostileKey(k)) throw refuse({ up: at, key: k }, 'the key');
    const v = (obj as Record<string, unknown>)[k];
    if (isOpaque(v)) continue;
    // Hostile keys were refused above, so a plain assignment cannot reach a prototype.
    out[k] = toJson(v, classes, { up: at, key: k }, stack);
  }
  return out;
}

function corrupt(what: string): StorageError {
  return new StorageError(`A stored value holds ${what}: the store is corrupt or was written by a newer version. Restore it from a backup.`);
}

function fromJson(value: unknown, classes: ClassRegistry, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) throw corrupt('values nested too deeply');
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = fromJson(value[i], classes, depth + 1);
    return value;
  }
  const obj = value as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(obj, TAG)) {
    // JSON.parse made a fresh object with own data properties: revive it in place.
    for (const k of Object.keys(obj)) {
      if (isHostileKey(k)) throw corrupt(`the refused key '${k}'`);
      obj[k] = fromJson(obj[k], classes, depth + 1);
    }
    return obj;
  }
  const v = obj.v;
  switch (obj[TAG]) {
    case 'u':
      return undefined;
    case 'n':
      if (v === '-0') return -0;
      if (v === 'NaN') return Number.NaN;
      if (v === 'Infinity') return Infinity;
      if (v === '-Infinity') return -Infinity;
      throw corrupt(`an unknown number ${String(v)}`);
    case 'b':
      if (typeof v !== 'string' || !/^-?\d+$/.test(v)) throw corrupt('a malformed BigInt');
      return BigInt(v);
    case 'd':
      if (v !== null && typeof v !== 'number') throw corrupt('a malformed Date');
      return new Date(v === null ? Number.NaN : v);
    case 'm': {
      if (!Array.isArray(v)) throw corrupt('a malformed Map');
      const m = new Map<unknown, unknown>();
      for (const pair of v as unknown[]) {
        if (!Array.isArray(pair) || pair.length !== 2) throw corrupt('a malformed Map entry');
        m.set(fromJson(pair[0], classes, depth + 1), fromJson(pair[1], classes, depth + 1));
      }
      return m;
    }
    case 's': {
      if (!Array.isArray(v)) throw corrupt('a malformed Set');
      return new Set((v as unknown[]).map((x) => fromJson(x, classes, depth + 1)));
    }
    case 'o':
      return fields(plainObject(v), {}, classes, depth);
    case 'z':
      return fields(plainObject(v), Object.create(null) as Record<string, unknown>, classes, depth);
    case 'c': {
      const proto = typeof obj.c === 'string' ? classes.protoOf(obj.c) : undefined;
      if (proto === undefined) {
        throw new StorageError(`A stored value is an instance of class '${String(obj.c)}', which this store does not know: pass it in the store's classes option.`);
      }
      return fields(plainObject(v), Object.create(proto) as Record<string, unknown>, classes, depth);
    }
    default:
      throw corrupt(`an unknown tag '${String(obj[TAG])}'`);
  }
}

function plainObject(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw corrupt('a malformed object');
  return v as Record<string, unknown>;
}

function fields(src: Record<string, unknown>, out: Record<string, unknown>, classes: ClassRegistry, depth: number): Record<string, unknown> {
  for (const k of Object.keys(src)) {
    if (isHostileKey(k)) throw corrupt(`the refused key '${k}'`);
    out[k] = fromJson(src[k], classes, depth + 1);
  }
  return out;
}

export type { Json };
