import { SEP, STRUCTURE, conflictKey, type Segment } from '../../core/path.js';

// Conflict keys join segments with NUL, which PostgreSQL text (and jsonb) cannot hold. Keys are
// stored with NUL written as `%00` and `%` as `%25`: injective, and free of NUL, so the database
// compares them as opaque strings. Ancestors are computed here, where the separator is known, so
// the server never has to parse a key.

export function encodeKey(key: string): string {
  return key.replace(/%/g, '%25').split(SEP).join('%00');
}

export function decodeKey(stored: string): string {
  return stored.replace(/%(25|00)/g, (m) => (m === '%25' ? '%' : '\u0000'));
}

/** Every strict ancestor of a key (`a`, `a\0b` for `a\0b\0c`). */
export function ancestorsOf(key: string, out: Set<string>): void {
  for (let p = key.indexOf(SEP); p >= 0; p = key.indexOf(SEP, p + 1)) out.add(key.slice(0, p));
}

function isMarker(key: string): boolean {
  const last = key.charCodeAt(key.length - 1);
  return last === 1 || last === 2;
}

/** What the server needs to check and record one commit's keys, already encoded. */
export interface KeyPlan {
  /** Keys the commit depends on (reads, and writes that are not key-set markers). */
  readonly touched: string[];
  /** Strict ancestors of `touched`: a write there replaced what this commit saw. */
  readonly touchedAncestors: string[];
  readonly writes: string[];
  readonly writeAncestors: string[];
  /** Any newer commit is a conflict (the engine passes the key `*` for strict compare-and-swap). */
  readonly strict: boolean;
}

/**
 * `ops` add the key-set marker of every parent whose keys an add or remove changed, so a read of a
 * key set conflicts with an insertion below it even when the engine passed no marker writes.
 */
export function planKeys(reads: readonly string[], writes: readonly string[], ops: readonly { op: string; path: readonly Segment[] }[] = []): KeyPlan {
  const touched = new Set<string>();
  let strict = false;
  for (const k of reads) {
    if (k === '*') strict = true;
    else touched.add(k);
  }
  for (const k of writes) {
    if (k === '*') strict = true;
    else if (!isMarker(k)) touched.add(k);
  }
  const touchedAnc = new Set<string>();
  for (const k of touched) ancestorsOf(k, touchedAnc);
  const w = new Set<string>();
  const wAnc = new Set<string>();
  const record = (k: string) => {
    w.add(k);
    ancestorsOf(k, wAnc);
  };
  for (const k of writes) if (k !== '*') record(k);
  for (const op of ops) {
    if (op.op !== 'replace' && op.path.length > 0) record(conflictKey(op.path.slice(0, -1)) + SEP + STRUCTURE);
  }
  const enc = (s: Set<string>) => [...s].map(encodeKey);
  return { touched: enc(touched), touchedAncestors: enc(touchedAnc), writes: enc(w), writeAncestors: enc(wAnc), strict };
}

/**
 * The server reports the keys that matched: touched keys changed at or below, and ancestors
 * replaced. The engine expects the touched keys themselves, as the in-memory log reports them.
 */
export function contestedKeys(reads: readonly string[], writes: readonly string[], serverHits: readonly string[]): string[] {
  if (serverHits.includes('*')) return ['*'];
  const hits = new Set(serverHits.map(decodeKey));
  const out: string[] = [];
  const seen = new Set<string>();
  const consider = (k: string) => {
    if (k === '*' || seen.has(k)) return;
    seen.add(k);
    if (hits.has(k)) {
      out.push(k);
      return;
    }
    for (let p = k.indexOf(SEP); p >= 0; p = k.indexOf(SEP, p + 1)) {
      if (hits.has(k.slice(0, p))) {
        out.push(k);
        return;
      }
    }
  };
  for (const k of reads) consider(k);
  for (const k of writes) if (!isMarker(k)) consider(k);
  return out.length > 0 ? out : ['*'];
}
