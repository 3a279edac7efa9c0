import { invalidArgument, TheusError } from '../errors.js';
import { HOSTILE_KEYS } from '../contracts/grammar.js';

/** One step of a path: an object key, an array index or a Map key. */
export type Segment = string | number;
export type Path = readonly Segment[];

// Names that would let user text reach an object's prototype machinery are declared once, with the
// contract grammar; they are refused as path segments everywhere rather than filtered.
const HOSTILE = HOSTILE_KEYS;

export function isHostileKey(key: PropertyKey): boolean {
  return typeof key === 'string' && HOSTILE.has(key);
}

export function assertSafeSegment(key: PropertyKey, where: Path): void {
  if (isHostileKey(key)) {
    throw new TheusError('INVALID_PATH', `The key '${String(key)}' is refused at ${formatPath(where)}: it would reach the prototype chain.`, {
      path: formatPath([...where, key as string]),
    });
  }
}

/** Root names (`domain`, a namespace …) given to `state.get()` / `tx.root()`: non-empty strings, never hostile. */
export function assertRootName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) throw invalidArgument(`A root name must be a non-empty string, got ${describe(name)}.`);
  if (isHostileKey(name)) throw new TheusError('INVALID_PATH', `'${name}' cannot be a root name: it would reach the prototype chain.`, { path: name });
}

/** `['domain', 'accounts', 'alice']` → `domain.accounts.alice`; indices and odd keys in brackets. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'symbol') out += `[${String(seg)}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out === '' ? '<root>' : out;
}

/**
 * Parses a dotted contract/update path (`domain.accounts.alice`, `domain.items[0]`) into segments.
 * Empty segments and hostile names are refused: a malformed path is always a caller error.
 */
export function parseDottedPath(text: string): Segment[] {
  if (typeof text !== 'string' || text.length === 0) throw invalidArgument(`A path must be a non-empty string, got ${describe(text)}.`);
  if (text.length > 1024) throw invalidArgument(`A path may be at most 1024 characters (got ${text.length}).`);
  const out: Segment[] = [];
  for (const raw of text.split('.')) {
    let rest = raw;
    const head = rest.match(/^[^[\]]*/)?.[0] ?? '';
    if (head === '' && !rest.startsWith('[')) throw new TheusError('INVALID_PATH', `Empty segment in path '${text}'.`, { path: text });
    if (head !== '') out.push(head);
    rest = rest.slice(head.length);
    while (rest.length > 0) {
      const m = rest.match(/^\[(\d+)\]/);
      if (!m) throw new TheusError('INVALID_PATH', `Malformed index in path '${text}': use name[0].`, { path: text });
      out.push(Number(m[1]));
      rest = rest.slice(m[0].length);
    }
  }
  for (const seg of out) {
    if (isHostileKey(seg)) throw new TheusError('INVALID_PATH', `The segment '${seg}' is refused in path '${text}'.`, { path: text });
  }
  return out;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
    return proto?.constructor?.name ? `a ${proto.constructor.name}` : 'an object';
  }
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/**
 * Conflict keys: a path as one string, segments joined by NUL, so "is an ancestor of" is a
 * string-prefix test at a separator boundary. Two suffix markers refine what a read depended on:
 * STRUCTURE (the set of keys of a node) and PRESENCE (that a child exists, not what is inside it).
 */
export const SEP = '\u0000';
export const STRUCTURE = '\u0001';
export const PRESENCE = '\u0002';

export function conflictKey(path: readonly Segment[]): string {
  // Several per commit on short paths, where concatenation is markedly cheaper than Array#join.
  const n = path.length;
  if (n === 0) return '';
  let key = String(path[0]);
  for (let i = 1; i < n; i++) key += SEP + String(path[i]);
  return key;
}

/** True when one key equals the other or is its ancestor. */
export function keysOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length < b.length) return b.startsWith(a) && b.charCodeAt(a.length) === 0;
  return a.startsWith(b) && a.charCodeAt(b.length) === 0;
}
