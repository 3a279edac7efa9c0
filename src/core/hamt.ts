/**
 * A persistent hash array mapped trie with string keys. Wide records (objects with many keys) are
 * stored in one, because V8 copies a dictionary-mode object at 230–620 ns per key: a write to a
 * 10 000-key record would cost milliseconds with any copy-on-write of a plain object, and costs
 * a handful of 32-slot array copies here. Every operation returns a new root; old roots are never
 * modified, so versions share all untouched branches.
 */

export interface Leaf {
  readonly k: string;
  readonly v: unknown;
  /** Insertion sequence: iteration follows it, as a plain object would. */
  readonly s: number;
}
interface Branch {
  bits: number;
  slots: Slot[];
  /** The builder that created this node may update it in place (a transient edit); others copy. */
  owner?: object | undefined;
}
interface Collision {
  readonly hash: number;
  readonly leaves: readonly Leaf[];
}
type Slot = Leaf | Branch | Collision;

export type Trie = Branch;

export const EMPTY: Trie = Object.freeze({ bits: 0, slots: [] as Slot[] }) as Trie;

const BITS = 5;
const MASK = 31;

export function hashString(key: string): number {
  // FNV-1a; strings are short object keys, so a simple, fast hash distributes well enough.
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

function isLeaf(s: Slot): s is Leaf {
  return 'k' in s;
}
function isCollision(s: Slot): s is Collision {
  return 'leaves' in s;
}

export function trieGet(root: Trie, key: string, hash = hashString(key)): Leaf | undefined {
  let node: Branch = root;
  let shift = 0;
  for (;;) {
    const bit = 1 << ((hash >>> shift) & MASK);
    if ((node.bits & bit) === 0) return undefined;
    const slot = node.slots[popcount(node.bits & (bit - 1))]!;
    if (isLeaf(slot)) return slot.k === key ? slot : undefined;
    if (isCollision(slot)) return slot.leaves.find((l) => l.k === key);
    node = slot;
    shift += BITS;
  }
}

function leafHash(l: Leaf): number {
  return hashString(l.k);
}

function merge(a: Leaf, ah: number, b: Leaf, bh: number, shift: number, owner: object | undefined): Branch | Collision {
  if (ah === bh) return { hash: ah, leaves: [a, b] };
  const ai = (ah >>> shift) & MASK;
  const bi = (bh >>> shift) & MASK;
  if (ai === bi) return { bits: 1 << ai, slots: [merge(a, ah, b, bh, shift + BITS, owner)], owner };
  return ai < bi ? { bits: (1 << ai) | (1 << bi), slots: [a, b], owner } : { bits: (1 << ai) | (1 << bi), slots: [b, a], owner };
}

/**
 * Returns the new root, or the same root when nothing changed. `added` reports a new key. With an
 * `owner`, nodes created for that owner are updated in place on later calls (a transient batch
 * of edits allocates each path once instead of once per edit).
 */
export function trieSet(root: Trie, key: string, value: unknown, seq: number, out: { added: boolean }, hash = hashString(key), owner?: object): Trie {
  return setIn(root, key, value, seq, hash, 0, out, owner);
}

function setIn(node: Branch, key: string, value: unknown, seq: number, hash: number, shift: number, out: { added: boolean }, owner: object | undefined): Branch {
  const bit = 1 << ((hash >>> shift) & MASK);
  const idx = popcount(node.bits & (bit - 1));
  const editable = owner !== undefined && node.owner === owner;
  if ((node.bits & bit) === 0) {
    out.added = true;
    const leaf = { k: key, v: value, s: seq };
    if (editable) {
      node.slots.splice(idx, 0, leaf);
      node.bits |= bit;
      return node;
    }
    const slots = node.slots.slice();
    slots.splice(idx, 0, leaf);
    return { bits: node.bits | bit, slots, owner };
  }
  const slot = node.slots[idx]!;
  let next: Slot;
  if (isLeaf(slot)) {
    if (slot.k === key) {
      if (Object.is(slot.v, value)) return node;
      next = { k: key, v: value, s: slot.s };
    } else {
      out.added = true;
      next = merge(slot, leafHash(slot), { k: key, v: value, s: seq }, hash, shift + BITS, owner);
    }
  } else if (isCollision(slot)) {
    const i = slot.leaves.findIndex((l) => l.k === key);
    const leaves = slot.leaves.slice();
    if (i >= 0) {
      if (Object.is(leaves[i]!.v, value)) return node;
      leaves[i] = { k: key, v: value, s: leaves[i]!.s };
    } else {
      out.added = true;
      leaves.push({ k: key, v: value, s: seq });
    }
    next = { hash: slot.hash, leaves };
  } else {
    const child = setIn(slot, key, value, seq, hash, shift + BITS, out, owner);
    if (child === slot) return node;
    next = child;
  }
  if (editable) {
    node.slots[idx] = next;
    return node;
  }
  const slots = node.slots.slice();
  slots[idx] = next;
  return { bits: node.bits, slots, owner };
}

/** Returns the new root, or the same root when the key was absent. */
export function trieDelete(root: Trie, key: string, hash = hashString(key)): Trie {
  return (deleteIn(root, key, hash, 0) as Branch | undefined) ?? EMPTY;
}

function deleteIn(node: Branch, key: string, hash: number, shift: number): Slot | undefined {
  const bit = 1 << ((hash >>> shift) & MASK);
  if ((node.bits & bit) === 0) return node;
  const idx = popcount(node.bits & (bit - 1));
  const slot = node.slots[idx]!;
  let next: Slot | undefined;
  if (isLeaf(slot)) {
    if (slot.k !== key) return node;
    next = undefined;
  } else if (isCollision(slot)) {
    const leaves = slot.leaves.filter((l) => l.k !== key);
    if (leaves.length === slot.leaves.length) return node;
    next = leaves.length === 1 ? leaves[0] : { hash: slot.hash, leaves };
  } else {
    const child = deleteIn(slot, key, hash, shift + BITS);
    if (child === slot) return node;
    next = child;
  }
  const slots = node.slots.slice();
  if (next === undefined) {
    slots.splice(idx, 1);
    const bits = node.bits & ~bit;
    // Collapse a branch holding a single leaf so lookups stay short.
    if (shift > 0 && slots.length === 1 && isLeaf(slots[0]!)) return slots[0];
    return { bits, slots };
  }
  slots[idx] = next;
  return { bits: node.bits, slots };
}

export function trieForEach(root: Trie, fn: (leaf: Leaf) => void): void {
  for (const slot of root.slots) {
    if (isLeaf(slot)) fn(slot);
    else if (isCollision(slot)) slot.leaves.forEach(fn);
    else trieForEach(slot, fn);
  }
}

/**
 * Replaces leaf values in one pass: `fn` returns the leaf's new value (the same value keeps the
 * leaf). Only branches with a changed leaf are copied; the result shares the rest. Cheaper than a
 * keyed update per leaf when many leaves change (no hashing, each node copied once).
 */
export function trieMapValues(root: Trie, fn: (leaf: Leaf) => unknown): Trie {
  return mapBranch(root, fn);
}

function mapBranch(node: Branch, fn: (leaf: Leaf) => unknown): Branch {
  let slots: Slot[] | undefined;
  const src = node.slots;
  for (let i = 0; i < src.length; i++) {
    const s = src[i]!;
    let next: Slot;
    if (isLeaf(s)) {
      const v = fn(s);
      next = v === s.v ? s : { k: s.k, v, s: s.s };
    } else if (isCollision(s)) {
      let leaves: Leaf[] | undefined;
      for (let j = 0; j < s.leaves.length; j++) {
        const l = s.leaves[j]!;
        const v = fn(l);
        if (v !== l.v) (leaves ??= s.leaves.slice())[j] = { k: l.k, v, s: l.s };
      }
      next = leaves ? { hash: s.hash, leaves } : s;
    } else {
      next = mapBranch(s, fn);
    }
    if (next !== s) (slots ??= src.slice())[i] = next;
  }
  return slots ? { bits: node.bits, slots } : node;
}
