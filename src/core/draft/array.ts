import { TheusError } from '../../errors.js';
import type { WriteOp } from '../access.js';
import type { Draft } from '../draft.js';
import { Kind } from '../kinds.js';
import { formatPath } from '../path.js';
import { DRAFTS } from '../registry.js';
import { refuseHole } from '../seal.js';
import { draftMethod, draftOfValue } from './shared.js';

/**
 * Array mutators of drafts. Each is a shared, frozen function that finds its draft through
 * `this` (on anything else it is the native method). Arguments are sealed and checked before the
 * first copy, so a refused value leaves the array uncopied; a call that changes nothing (`push()`,
 * `splice(1, 0)`, `pop()` on an empty array, sorting what is sorted …) copies nothing and adds
 * nothing to the delta. Removed elements are returned as committed (frozen) values, whether or
 * not they were read as drafts before.
 */

type Arr = unknown[];

const OPS: Record<string, WriteOp> = {
  push: 'append',
  unshift: 'append',
  pop: 'delete',
  shift: 'delete',
  splice: 'delete',
  sort: 'update',
  reverse: 'update',
  fill: 'update',
  copyWithin: 'update',
};

/** Relative index argument, as the Array methods read it (ToIntegerOrInfinity, then clamped). */
function relative(v: unknown, len: number, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Math.trunc(Number(v)) || 0;
  return n < 0 ? Math.max(len + n, 0) : Math.min(n, len);
}

/** What a removed element is handed back as: committed data, never a live draft. */
function released(v: unknown): unknown {
  const d = draftOfValue(v);
  return d === undefined ? v : d.snapshot([]);
}

function mutate(d: Draft, name: string, args: unknown[]): unknown {
  d.ensureLive(name);
  const op = name === 'splice' && args.length > 2 ? 'update' : OPS[name]!;
  d.checkWrite(undefined, op);
  if (d.scope.trackReads) d.noteWhole();
  const cur = d.current as Arr;
  const len = cur.length;
  switch (name) {
    case 'push': {
      if (args.length === 0) return len;
      const incoming = args.map((a, i) => d.incoming(len + i, a));
      d.touch(len, Infinity);
      if (d.copy === null && !d.hasChildren()) {
        // First write: one allocation at the final size, instead of a copy that push then grows.
        d.adoptCopy([...cur, ...incoming]);
        return len + incoming.length;
      }
      d.markChanged();
      return (d.copy as Arr).push(...incoming);
    }
    case 'unshift': {
      if (args.length === 0) return len;
      const incoming = args.map((a, i) => d.incoming(i, a));
      d.markChanged();
      d.touch(0, Infinity);
      return (d.copy as Arr).unshift(...incoming);
    }
    case 'pop': {
      if (len === 0) return undefined;
      d.markChanged();
      d.touch(len - 1, Infinity);
      return released((d.copy as Arr).pop());
    }
    case 'shift': {
      if (len === 0) return undefined;
      d.markChanged();
      d.touch(0, Infinity);
      return released((d.copy as Arr).shift());
    }
    case 'splice': {
      const start = relative(args[0], len, 0);
      const count = args.length === 0 ? 0 : args.length === 1 ? len - start : Math.min(Math.max(Math.trunc(Number(args[1])) || 0, 0), len - start);
      const incoming = args.slice(2).map((a, i) => d.incoming(start + i, a));
      if (count === 0 && incoming.length === 0) return [];
      d.markChanged();
      d.touch(start, Infinity);
      return (d.copy as Arr).splice(start, count, ...incoming).map(released);
    }
    case 'fill': {
      const value = d.incoming(0, args[0]);
      const from = relative(args[1], len, 0);
      const to = relative(args[2], len, len);
      let same = true;
      for (let i = from; i < to && same; i++) same = Object.is(cur[i], value);
      if (same) return d.proxy;
      d.markChanged();
      d.touch(from, to);
      (d.copy as Arr).fill(value, from, to);
      return d.proxy;
    }
    case 'sort': {
      const cmp = args[0] as ((a: unknown, b: unknown) => number) | undefined;
      if (cmp !== undefined && typeof cmp !== 'function') {
        throw new TheusError('INVALID_ARGUMENT', `sort() takes a comparison function (at ${formatPath(d.path())}).`, { path: formatPath(d.path()) });
      }
      if (len < 2) return d.proxy;
      // Elements may be committed objects; the comparator sees drafts, as it would in place.
      const view = Array.from(cur, (v, i) => (typeof v === 'object' && v !== null && !DRAFTS.has(v) ? d.childFor(String(i), v) : v));
      const sorted = view.slice().sort(cmp);
      let same = true;
      for (let i = 0; i < len && same; i++) same = sorted[i] === view[i];
      if (same) return d.proxy;
      d.markChanged();
      d.touch(0, Infinity);
      const copy = d.copy as Arr;
      for (let i = 0; i < len; i++) copy[i] = sorted[i];
      return d.proxy;
    }
    case 'reverse':
      if (len < 2) return d.proxy;
      d.markChanged();
      d.touch(0, Infinity);
      (d.copy as Arr).reverse();
      return d.proxy;
    case 'copyWithin': {
      const to = relative(args[0], len, 0);
      const from = relative(args[1], len, 0);
      const end = relative(args[2], len, len);
      const count = Math.min(end - from, len - to);
      if (count <= 0 || to === from) return d.proxy;
      d.markChanged();
      d.touch(to, to + count);
      const copy = d.copy as Arr;
      copy.copyWithin(to, from, end);
      // copyWithin is a series of element assignments, so like `arr[i] = arr[j]` it stores
      // values: a draft copied into the target range becomes a snapshot. Left as the same
      // proxy in two slots, a later write through one slot would show up in the other.
      for (let i = to; i < to + count; i++) {
        const vd = draftOfValue(copy[i]);
        if (vd) copy[i] = vd.snapshot(d.childPath(i));
      }
      return d.proxy;
    }
    default:
      throw new TheusError('INVALID_ARGUMENT', `Unknown array mutator ${name}.`);
  }
}

/** The mutators a draft array hands out, by name. */
export const ARRAY_METHODS: ReadonlyMap<string, unknown> = new Map(
  Object.keys(OPS).map((name) => {
    const native = (Array.prototype as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
    return [name, draftMethod(name, native, Kind.Array, (d, _self, args: unknown[]) => mutate(d, name, args))] as const;
  }),
);

/** `arr.length = n`: shrinking truncates; growing would create holes and is refused. */
export function arrayLengthSet(d: Draft, value: unknown): boolean {
  const len = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(len) || len < 0 || len > 2 ** 32 - 1) {
    throw new TheusError('INVALID_ARGUMENT', `Invalid array length ${String(value)} at ${formatPath(d.path())}.`, { path: formatPath(d.path()) });
  }
  const cur = d.current as Arr;
  d.checkWrite(undefined, len > cur.length ? 'append' : 'delete');
  if (len > cur.length) refuseHole(cur.length, cur.length, d.path());
  if (len === cur.length) return true;
  d.markChanged();
  d.touch(len, Infinity);
  (d.copy as Arr).length = len;
  return true;
}
