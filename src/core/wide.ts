import { EMPTY, hashString, trieDelete, trieForEach, trieGet, trieMapValues, trieSet, type Leaf, type Trie } from './hamt.js';

/**
 * Objects with more keys than this are committed as a {@link WideRecord}: V8 copies small objects
 * in fast mode for well under a microsecond, but a dictionary-mode object with hundreds of keys
 * costs tens of microseconds to copy, and copy-on-write would pay that on every transaction.
 */
export const WIDE_MIN_KEYS = 128;
/** A wide record that shrinks below this becomes a plain object again (hysteresis avoids flapping). */
export const WIDE_MAX_TO_PLAIN = 64;

/** Lookups shared by records and builders: both read one trie. */
abstract class TrieLookup {
  abstract readonly trie: Trie;

  get(key: string): unknown {
    return trieGet(this.trie, key)?.v;
  }

  has(key: string): boolean {
    return trieGet(this.trie, key) !== undefined;
  }

  /** The entry for `key` (one lookup for both presence and value). */
  leaf(key: string): Leaf | undefined {
    return trieGet(this.trie, key);
  }
}

/** An immutable object-like map on a persistent trie. Never mutated after construction. */
export class WideRecord extends TrieLookup {
  private keyCache: string[] | undefined;

  constructor(
    readonly trie: Trie,
    readonly size: number,
    readonly nextSeq: number,
  ) {
    super();
  }

  static fromEntries(entries: Iterable<readonly [string, unknown]>): WideRecord {
    let trie = EMPTY;
    let seq = 0;
    let size = 0;
    const out = { added: false };
    // A private edit token: nodes are filled in place while building, then never touched again.
    const owner = {};
    for (const [k, v] of entries) {
      out.added = false;
      trie = trieSet(trie, k, v, seq, out, hashString(k), owner);
      if (out.added) {
        seq++;
        size++;
      }
    }
    return new WideRecord(trie, size, seq);
  }

  /** Keys in the order a plain object would list them: integer-like keys ascending, then insertion order. */
  keys(): readonly string[] {
    if (this.keyCache) return this.keyCache;
    const leaves: Leaf[] = [];
    trieForEach(this.trie, (l) => leaves.push(l));
    const ints: Leaf[] = [];
    const strs: Leaf[] = [];
    for (const l of leaves) (isArrayIndex(l.k) ? ints : strs).push(l);
    ints.sort((a, b) => Number(a.k) - Number(b.k));
    strs.sort((a, b) => a.s - b.s);
    this.keyCache = [...ints, ...strs].map((l) => l.k);
    return this.keyCache;
  }
}

/** A mutable builder over a record: persistent updates, so the base record is never touched. */
export class WideBuilder extends TrieLookup {
  trie: Trie;
  size: number;
  nextSeq: number;
  private readonly out = { added: false };
  /** Token for in-place edits of trie nodes this builder created; renewed by build(). */
  private owner: object = {};

  constructor(base: WideRecord) {
    super();
    this.trie = base.trie;
    this.size = base.size;
    this.nextSeq = base.nextSeq;
  }

  set(key: string, value: unknown): void {
    this.out.added = false;
    const h = hashString(key);
    this.trie = trieSet(this.trie, key, value, this.nextSeq, this.out, h, this.owner);
    if (this.out.added) {
      this.nextSeq++;
      this.size++;
    }
  }

  delete(key: string): boolean {
    const next = trieDelete(this.trie, key);
    if (next === this.trie) return false;
    this.trie = next;
    this.size--;
    return true;
  }

  /** Replaces many values in one pass over the trie (see trieMapValues). */
  mapValues(fn: (leaf: Leaf) => unknown): void {
    this.trie = trieMapValues(this.trie, fn);
    this.owner = {};
  }

  build(): WideRecord {
    // Nodes shared with the built record must never change again: later edits copy them.
    this.owner = {};
    return new WideRecord(this.trie, this.size, this.nextSeq);
  }
}

export function isArrayIndex(k: string): boolean {
  if (k.length === 0 || k.length > 10) return false;
  const c = k.charCodeAt(0);
  if (c < 48 || c > 57 || (c === 48 && k.length > 1)) return false;
  for (let i = 1; i < k.length; i++) {
    const d = k.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  return Number(k) < 4294967295;
}
