/**
 * Replays stored ops onto a plain state root. Used by stores to rebuild a version from a snapshot
 * and the log after it.
 *
 * Copy on write: a container is copied the first time this replay writes inside it, unless the
 * replay itself created it. Snapshots and values coming out of a store may be shared or frozen
 * (the memory store keeps the engine's committed objects), so they are never written in place, and
 * each container is copied at most once per replay, keeping a long replay linear.
 */
import { Kind } from '../core/kinds.js';
import { formatPath, isHostileKey, type Segment } from '../core/path.js';
import { committedKind } from '../core/seal.js';
import { StorageError } from '../errors.js';
import type { StoredOp } from './store.js';

export type PlainRoot = Record<string, unknown>;

export class OpReplay {
  private readonly owned = new WeakSet<object>();
  private current: PlainRoot;

  /** `ownsRoot`: the caller hands over a root nobody else holds, so it may be written in place. */
  constructor(root: Readonly<PlainRoot>, ownsRoot = false) {
    this.current = root as PlainRoot;
    if (ownsRoot) this.markOwnedDeep(this.current);
  }

  get root(): PlainRoot {
    return this.current;
  }

  apply(ops: readonly StoredOp[]): void {
    for (const op of ops) this.applyOne(op);
  }

  /**
   * Marks a freshly decoded value (nobody else holds it) as writable in place, so later ops inside
   * it do not copy it. Only for values the store just created.
   */
  adopt(value: unknown): void {
    this.markOwnedDeep(value);
  }

  private applyOne(op: StoredOp): void {
    const path = op.path;
    if (!Array.isArray(path) || path.length === 0) throw corrupt(`an op without a path (${String(op.op)})`);
    for (const seg of path) {
      if (typeof seg !== 'string' && typeof seg !== 'number') throw corrupt(`a path segment of type ${typeof seg}`);
      if (isHostileKey(seg)) throw corrupt(`the refused key '${String(seg)}' at ${formatPath(path)}`);
    }
    if (op.op !== 'add' && op.op !== 'replace' && op.op !== 'remove') throw corrupt(`an unknown op '${String(op.op)}'`);
    this.current = this.writable(this.current) as PlainRoot;
    let parent: unknown = this.current;
    for (let i = 0; i < path.length - 1; i++) {
      const seg = path[i] as Segment;
      const child = read(parent, seg);
      if (typeof child !== 'object' || child === null) throw corrupt(`no container at ${formatPath(path.slice(0, i + 1))}`);
      const copy = this.writable(child);
      if (copy !== child) write(parent, seg, copy, 'replace');
      parent = copy;
    }
    const last = path[path.length - 1] as Segment;
    if (op.op === 'remove') remove(parent, last);
    else write(parent, last, op.value, op.op);
  }

  private writable(node: unknown): object {
    const obj = node as object;
    if (this.owned.has(obj)) return obj;
    const copy = shallowCopy(obj);
    this.owned.add(copy);
    return copy;
  }

  private markOwnedDeep(value: unknown): void {
    if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
    const kind = committedKind(value);
    if (kind === Kind.Array) {
      this.owned.add(value);
      for (const v of value as unknown[]) this.markOwnedDeep(v);
    } else if (kind === Kind.Map) {
      this.owned.add(value);
      for (const v of (value as Map<unknown, unknown>).values()) this.markOwnedDeep(v);
    } else if (kind === Kind.Plain || kind === Kind.Instance) {
      this.owned.add(value);
      for (const k of Object.keys(value)) this.markOwnedDeep((value as PlainRoot)[k]);
    }
  }
}

/** Applies ops to a copy of `root`; `root` itself is never modified. */
export function applyOps(root: Readonly<PlainRoot>, ops: readonly StoredOp[]): PlainRoot {
  const replay = new OpReplay(root);
  replay.apply(ops);
  return replay.root;
}

function shallowCopy(node: object): object {
  switch (committedKind(node)) {
    case Kind.Array:
      return (node as unknown[]).slice();
    case Kind.Map:
      return new Map(node as Map<unknown, unknown>);
    case Kind.Plain:
    case Kind.Wide: {
      const out: PlainRoot = {};
      for (const k of Object.keys(node)) out[k] = (node as PlainRoot)[k];
      return out;
    }
    case Kind.Instance: {
      const out = Object.create(Object.getPrototypeOf(node) as object) as PlainRoot;
      for (const k of Object.keys(node)) out[k] = (node as PlainRoot)[k];
      return out;
    }
    default:
      throw corrupt(`an op inside a value that has no addressable parts (${Object.prototype.toString.call(node)})`);
  }
}

function read(node: unknown, seg: Segment): unknown {
  if (node instanceof Map) return node.get(seg);
  return Object.prototype.hasOwnProperty.call(node, seg) ? (node as PlainRoot)[seg as string] : undefined;
}

function write(node: unknown, seg: Segment, value: unknown, op: 'add' | 'replace'): void {
  if (node instanceof Map) {
    node.set(seg, value);
  } else if (Array.isArray(node)) {
    const i = index(seg, op === 'add' ? node.length : node.length - 1);
    // Appends arrive as `add` at the end; an `add` inside the array inserts, as in JSON Patch.
    if (op === 'add' && i < node.length) node.splice(i, 0, value);
    else node[i] = value;
  } else {
    const proto = Object.getPrototypeOf(node) as object | null;
    // Hostile keys were refused before, so on a plain object an assignment cannot reach a
    // prototype; a class instance's prototype may have a setter for the key, so define it.
    if (proto === Object.prototype || proto === null) (node as PlainRoot)[seg as string] = value;
    else Object.defineProperty(node, seg, { value, writable: true, enumerable: true, configurable: true });
  }
}

function remove(node: unknown, seg: Segment): void {
  if (node instanceof Map) node.delete(seg);
  else if (Array.isArray(node)) node.splice(index(seg, node.length - 1), 1);
  else delete (node as PlainRoot)[seg as string];
}

function index(seg: Segment, max: number): number {
  const i = typeof seg === 'number' ? seg : Number(seg);
  if (!Number.isInteger(i) || i < 0 || i > max) throw corrupt(`an array index ${String(seg)} out of range`);
  return i;
}

function corrupt(what: string): StorageError {
  return new StorageError(`The stored log holds ${what}: the store is corrupt or was written by an incompatible version. Restore it from a backup, or open a new store.`);
}
