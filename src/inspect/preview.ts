/**
 * A bounded, JSON-safe picture of any value in state: depth, keys per container, string length
 * and total node count are capped, so a huge state costs the same as a small one to show. The
 * result is tagged (`{ $t: 'object', e: [[key, value]…], more }`) so the page can tell an object
 * from a Map, a cut subtree from an empty one, and a truncated string from a short one.
 */
export interface PreviewLimits {
  depth: number;
  keys: number;
  string: number;
  nodes: number;
}

export const SMALL: PreviewLimits = Object.freeze({ depth: 3, keys: 12, string: 120, nodes: 120 });
export const LARGE: PreviewLimits = Object.freeze({ depth: 6, keys: 200, string: 4000, nodes: 4000 });

export type Preview =
  | null
  | boolean
  | number
  | string
  | { $t: 'undefined' | 'circular' | 'function' | 'symbol' | 'unreadable' }
  | { $t: 'num'; v: string }
  | { $t: 'bigint'; v: string }
  | { $t: 'str'; v: string; len: number }
  | { $t: 'date'; v: string }
  | { $t: 'binary'; kind: string; len: number }
  | { $t: 'cut'; kind: string; size?: number }
  | { $t: 'object'; c?: string; e: [string, Preview][]; more?: number }
  | { $t: 'array'; e: Preview[]; len: number }
  | { $t: 'map'; e: [Preview, Preview][]; size: number }
  | { $t: 'set'; e: Preview[]; size: number };

export function preview(value: unknown, limits: PreviewLimits = SMALL): Preview {
  const budget = { nodes: limits.nodes };
  const seen = new Set<object>();
  return walk(value, limits, 0, budget, seen);
}

function walk(v: unknown, lim: PreviewLimits, depth: number, budget: { nodes: number }, seen: Set<object>): Preview {
  budget.nodes--;
  switch (typeof v) {
    case 'string':
      return v.length > lim.string ? { $t: 'str', v: v.slice(0, lim.string), len: v.length } : v;
    case 'number':
      return Number.isFinite(v) ? v : { $t: 'num', v: String(v) };
    case 'boolean':
      return v;
    case 'bigint':
      return { $t: 'bigint', v: v.toString().slice(0, lim.string) };
    case 'undefined':
      return { $t: 'undefined' };
    case 'function':
      return { $t: 'function' };
    case 'symbol':
      return { $t: 'symbol' };
  }
  if (v === null) return null;
  const o = v as object;
  if (seen.has(o)) return { $t: 'circular' };
  try {
    if (o instanceof Date) return { $t: 'date', v: Number.isNaN(o.getTime()) ? 'Invalid Date' : o.toISOString() };
    if (ArrayBuffer.isView(o)) return { $t: 'binary', kind: o.constructor?.name ?? 'TypedArray', len: (o as { length?: number }).length ?? o.byteLength };
    if (o instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && o instanceof SharedArrayBuffer)) return { $t: 'binary', kind: o.constructor.name, len: o.byteLength };
    const isArray = Array.isArray(o);
    const isMap = o instanceof Map;
    const isSet = o instanceof Set;
    if (depth >= lim.depth || budget.nodes <= 0) {
      const kind = isArray ? 'array' : isMap ? 'map' : isSet ? 'set' : 'object';
      const size = isArray ? (o as unknown[]).length : isMap || isSet ? (o as Map<unknown, unknown>).size : undefined;
      return size === undefined ? { $t: 'cut', kind } : { $t: 'cut', kind, size };
    }
    seen.add(o);
    try {
      if (isArray) {
        const a = o as unknown[];
        const n = Math.min(a.length, lim.keys);
        const e: Preview[] = [];
        for (let i = 0; i < n && budget.nodes > 0; i++) e.push(walk(a[i], lim, depth + 1, budget, seen));
        return { $t: 'array', e, len: a.length };
      }
      if (isMap || isSet) {
        const c = o as Map<unknown, unknown> | Set<unknown>;
        const e: unknown[] = [];
        for (const entry of c as Iterable<unknown>) {
          if (e.length >= lim.keys || budget.nodes <= 0) break;
          if (isMap) {
            const [k, val] = entry as [unknown, unknown];
            e.push([walk(k, lim, depth + 1, budget, seen), walk(val, lim, depth + 1, budget, seen)]);
          } else e.push(walk(entry, lim, depth + 1, budget, seen));
        }
        return isMap ? { $t: 'map', e: e as [Preview, Preview][], size: c.size } : { $t: 'set', e: e as Preview[], size: c.size };
      }
      const e: [string, Preview][] = [];
      let total = 0;
      for (const k in o) {
        if (!Object.hasOwn(o, k)) continue;
        total++;
        if (e.length < lim.keys && budget.nodes > 0) e.push([k, walk((o as Record<string, unknown>)[k], lim, depth + 1, budget, seen)]);
        else if (total > lim.keys * 50) break; // counting the rest of a huge record is not worth it
      }
      const out: { $t: 'object'; c?: string; e: [string, Preview][]; more?: number } = { $t: 'object', e };
      const proto = Object.getPrototypeOf(o) as { constructor?: { name?: unknown } } | null;
      const name = proto === null || proto === Object.prototype ? undefined : proto.constructor?.name;
      if (typeof name === 'string' && name !== 'Object' && name !== '') out.c = name.slice(0, 64);
      if (total > e.length) out.more = total - e.length;
      return out;
    } finally {
      seen.delete(o);
    }
  } catch {
    return { $t: 'unreadable' };
  }
}
