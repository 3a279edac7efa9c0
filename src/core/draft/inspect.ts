import type { Draft } from '../draft.js';
import { Kind } from '../kinds.js';
import { draftOfValue } from './shared.js';

/**
 * What `console.log`, `util.inspect` and `util.format('%o')` show for a draft. Node prints a
 * proxy's target (and, with `showProxy`, its handler) without going through the traps, so each
 * draft has a target of its own whose custom inspector renders the data as the draft's access
 * policy lets the transaction read it: undeclared and private keys are left out. The handler
 * renders as a fixed string.
 */

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

function inspectTarget(this: unknown, depth: number | null): unknown {
  // Node calls this with the proxy as `this` (or, with showProxy, with the target itself).
  const d = draftOfValue(this) ?? linkOf(this);
  if (d === undefined) return '[theus draft]';
  if (!d.scope.live) return '[theus draft of a finished transaction]';
  const tracking = d.scope.trackReads;
  // Looking is not depending: inspection records no conflict keys.
  d.scope.trackReads = false;
  try {
    return visible(d.proxy, depth === null || depth === undefined ? Infinity : depth + 1);
  } finally {
    d.scope.trackReads = tracking;
  }
}

class ObjectTarget {
  readonly #d: Draft;
  constructor(d: Draft) {
    this.#d = d;
  }
  static link(t: unknown): Draft | undefined {
    return t instanceof ObjectTarget ? t.#d : t instanceof ArrayTarget ? ArrayTarget.link(t) : undefined;
  }
}
Object.defineProperty(ObjectTarget.prototype, INSPECT, { value: inspectTarget });

class ArrayTarget extends Array<unknown> {
  readonly #d: Draft;
  constructor(d: Draft) {
    super();
    this.#d = d;
  }
  static link(t: ArrayTarget): Draft {
    return t.#d;
  }
}
Object.defineProperty(ArrayTarget.prototype, INSPECT, { value: inspectTarget });

/** The draft behind a target, kept in a private field: no inspection option can print it. */
const linkOf = (target: unknown): Draft | undefined => ObjectTarget.link(target);

export function draftTarget(isArray: boolean, d: Draft): object {
  return isArray ? new ArrayTarget(d) : new ObjectTarget(d);
}

/** A plain copy of what the draft lets its transaction read, `levels` deep. */
function visible(value: unknown, levels: number): unknown {
  const d = draftOfValue(value);
  if (d === undefined) return value;
  const proxy = d.proxy as Record<string, unknown>;
  const deeper = levels - 1;
  switch (d.kind) {
    case Kind.Array: {
      const arr = proxy as unknown as unknown[];
      return levels <= 0 ? [] : Array.from({ length: arr.length }, (_, i) => visible(arr[i], deeper));
    }
    case Kind.Map: {
      const out = new Map<unknown, unknown>();
      if (levels > 0) for (const [k, v] of proxy as unknown as Map<unknown, unknown>) out.set(k, visible(v, deeper));
      return out;
    }
    case Kind.Set: {
      const out = new Set<unknown>();
      if (levels > 0) for (const v of proxy as unknown as Set<unknown>) out.add(visible(v, deeper));
      return out;
    }
    case Kind.Date:
      return new Date((proxy as unknown as Date).getTime());
    default: {
      const proto = d.kind === Kind.Instance ? (Object.getPrototypeOf(proxy) as object | null) : Object.getPrototypeOf(d.base) === null ? null : Object.prototype;
      const out = Object.create(proto) as Record<string, unknown>;
      if (levels > 0) for (const k of Object.keys(proxy)) out[k] = visible(proxy[k], deeper);
      return out;
    }
  }
}
