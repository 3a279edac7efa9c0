import type { Draft } from '../draft.js';
import { Kind } from '../kinds.js';
import { DRAFTS } from '../registry.js';
import { freezeNode, wrapDate, wrapMap, wrapSet, wrapWide } from '../seal.js';
import { WIDE_MAX_TO_PLAIN, WIDE_MIN_KEYS, WideBuilder, WideRecord } from '../wide.js';

/**
 * Finalisation: turning a draft into committed data. Only copied nodes are rebuilt; an unmodified
 * node is its committed value (children only become modified by marking their ancestors changed).
 * With `inPlace` (commit) the copies themselves are frozen; otherwise (a snapshot in the middle
 * of a transaction) they are copied first, so the draft stays writable.
 */

const hasOwn = Object.prototype.hasOwnProperty;

function sub(v: unknown, inPlace: boolean): unknown {
  if (typeof v === 'object' && v !== null) {
    const d = DRAFTS.get(v) as Draft | undefined;
    if (d) return d.build(inPlace);
  }
  return v;
}

export function buildDraft(d: Draft, inPlace: boolean): unknown {
  if (d.copy === null) return d.committed;
  switch (d.kind) {
    case Kind.Array:
      return buildArray(d, inPlace);
    case Kind.Plain:
    case Kind.Instance:
      return buildRecord(d, inPlace);
    case Kind.Map: {
      const src = d.copy as Map<unknown, unknown>;
      const out = inPlace ? src : new Map(src);
      for (const child of d.childDrafts()) if (child.copy !== null && out.has(child.key)) out.set(child.key, child.build(inPlace));
      return wrapMap(out);
    }
    case Kind.Set:
      return buildSet(d, inPlace);
    case Kind.Date:
      return wrapDate(new Date((d.copy as Date).getTime()));
    case Kind.Wide:
      return buildWide(d, inPlace);
    default:
      return d.committed;
  }
}

function buildArray(d: Draft, inPlace: boolean): unknown {
  const src = d.copy as unknown[];
  const out = inPlace ? src : [...src];
  // Drafts sit either in the dirty range (moved there by a mutator) or at their own slot.
  const hi = Math.min(src.length, d.dirtyHi);
  for (let i = Math.max(0, d.dirtyLo); i < hi; i++) {
    const v = src[i];
    if (typeof v === 'object' && v !== null) out[i] = sub(v, inPlace);
  }
  if (d.arrayKids) {
    for (const kid of d.arrayKids) {
      const i = Number(kid.key);
      if (src[i] === kid.proxy) out[i] = kid.build(inPlace);
    }
  }
  // The copy is always a plain array (made by spread), whatever the base's class: no registration.
  return Object.freeze(out);
}

function buildRecord(d: Draft, inPlace: boolean): unknown {
  const src = d.copy as Record<string, unknown>;
  let out = src;
  if (!inPlace) {
    out =
      d.kind === Kind.Instance
        ? (Object.create(Object.getPrototypeOf(src) as object, Object.getOwnPropertyDescriptors(src)) as Record<string, unknown>)
        : Object.assign(Object.getPrototypeOf(src) === null ? (Object.create(null) as Record<string, unknown>) : {}, src);
  }
  const kid = d.kid;
  if (kid !== null) buildChild(out, kid, inPlace);
  else if (d.children !== null) for (const child of d.children.values()) buildChild(out, child, inPlace);
  if (d.kind !== Kind.Plain) return freezeNode(out);
  if (d.grew && Object.getPrototypeOf(out) === Object.prototype) {
    // Only a node that gained keys can have crossed the wide threshold.
    const keys = Object.keys(out);
    if (keys.length > WIDE_MIN_KEYS) return wrapWide(WideRecord.fromEntries(keys.map((k) => [k, out[k]] as const)));
  }
  // A plain object (prototype Object.prototype or null) needs no registration: freeze it directly.
  return Object.freeze(out);
}

/** A modified child still held at its key (a reassigned key dropped its draft) takes its built value. */
function buildChild(out: Record<string, unknown>, child: Draft, inPlace: boolean): void {
  if (child.copy !== null && hasOwn.call(out, child.key as string)) out[child.key as string] = child.build(inPlace);
}

/**
 * A State's new roots container: children built, the container itself left unfrozen (State
 * freezes it before handing it out). A container that gained keys takes the normal path.
 */
export function buildOpenRecord(d: Draft): unknown {
  if (d.copy === null || d.kind !== Kind.Plain || d.grew) return d.build(true);
  const out = d.copy as Record<string, unknown>;
  const kid = d.kid;
  if (kid !== null) buildChild(out, kid, true);
  else if (d.children !== null) for (const child of d.children.values()) buildChild(out, child, true);
  return out;
}

function buildSet(d: Draft, inPlace: boolean): unknown {
  const src = d.copy as Set<unknown>;
  if (!d.hasChildren()) return wrapSet(inPlace ? src : new Set(src));
  // Members read as drafts are replaced in place: the Set keeps its iteration order.
  const out = new Set<unknown>();
  for (const v of src) {
    const child = d.childAt(v);
    out.add(child ? child.build(inPlace) : v);
  }
  return wrapSet(out);
}

function buildWide(d: Draft, inPlace: boolean): unknown {
  const b = d.copy as WideBuilder;
  const out = inPlace ? b : new WideBuilder(b.build());
  const children = d.children;
  if (children !== null) {
    let modified = 0;
    for (const child of children.values()) if (child.copy !== null) modified++;
    if (modified * 16 > out.size) {
      // Many changed children (a batch over the record): one pass over the trie beats a hashed
      // update per child. A child draft sits at its key as long as the key was not reassigned.
      out.mapValues((leaf) => {
        const child = children.get(leaf.k);
        return child !== undefined && child.copy !== null ? child.build(inPlace) : leaf.v;
      });
    } else if (modified > 0) {
      for (const [k, child] of children) if (child.copy !== null && out.has(k as string)) out.set(k as string, child.build(inPlace));
    }
  } else if (d.kid !== null && d.kid.copy !== null && out.has(d.kid.key as string)) {
    out.set(d.kid.key as string, d.kid.build(inPlace));
  }
  if (out.size < WIDE_MAX_TO_PLAIN) {
    const rec = out.build();
    const plain: Record<string, unknown> = {};
    for (const k of rec.keys()) plain[k] = rec.get(k);
    return freezeNode(plain);
  }
  return wrapWide(out.build());
}
