/**
 * The contract grammar, stated once: roots, contract keys, semantics, the path syntax, the zone
 * table and the keys refused everywhere. The engine, the worker threads and the linter all read
 * these tables, so a path the linter accepts is a path the engine accepts, with the same zone.
 *
 * This module imports nothing: the linter loads it without loading the engine.
 */

/** Keys that would let user text reach an object's prototype machinery: refused as segments everywhere. */
export const HOSTILE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isHostileKey(key: PropertyKey): boolean {
  return typeof key === 'string' && HOSTILE_KEYS.has(key);
}

/** Roots every engine has; the `namespaces` option adds more. */
export const BUILTIN_ROOTS = ['domain', 'global', 'heavy', 'signal', 'meta'] as const;

/** Keys a contract object may hold. */
export const CONTRACT_KEYS: ReadonlySet<string> = new Set(['name', 'inputs', 'outputs', 'semantic', 'errors', 'sideEffects', 'parallel']);

export const SEMANTICS = ['pure', 'effect', 'guide'] as const;
export type SemanticName = (typeof SEMANTICS)[number];

/** Longest contract path accepted, in characters (the same bound as update paths). */
export const MAX_PATH_LENGTH = 1024;
/** `*` in a contract path matches exactly one segment. */
export const WILDCARD = '*';

// ---------------------------------------------------------------------------------------------
// Zones

/** Zone names, in the order of the engine's numeric zone ids. */
export const ZONES = ['data', 'signal', 'meta', 'heavy', 'log', 'constant', 'private'] as const;
export type ZoneName = (typeof ZONES)[number];

export type Operation = 'read' | 'update' | 'append' | 'delete';

/** Key prefixes that give a path its zone. The outermost segment carrying one decides. */
export const ZONE_PREFIXES: readonly (readonly [prefix: string, zone: ZoneName])[] = [
  ['const_', 'constant'],
  ['internal_', 'private'],
  ['sig_', 'signal'],
  ['cmd_', 'signal'],
  ['meta_', 'meta'],
  ['heavy_', 'heavy'],
  ['log_', 'log'],
  ['audit_', 'log'],
];

/** Roots whose very name assigns a zone (a namespace called `sig`, `cmd` or `log` included). */
export const ROOT_ZONES: ReadonlyMap<string, ZoneName> = new Map<string, ZoneName>([
  ['signal', 'signal'],
  ['sig', 'signal'],
  ['cmd', 'signal'],
  ['meta', 'meta'],
  ['heavy', 'heavy'],
  ['log', 'log'],
]);

/** What each zone allows, whatever the contract says. `ctx.asAdmin` lifts every ceiling but `constant`'s. */
export const ZONE_CEILINGS: Readonly<Record<ZoneName, readonly Operation[]>> = {
  data: ['read', 'update', 'append', 'delete'],
  signal: ['read', 'append'],
  meta: ['read', 'update'],
  // Heavy entries are references to shared memory: replacing or removing one is transactional.
  heavy: ['read', 'update', 'append', 'delete'],
  log: ['read', 'append'],
  constant: ['read'],
  private: [],
};

/** Why each zone refuses what it refuses, for error messages. */
export const ZONE_RULES: Readonly<Record<ZoneName, string>> = {
  data: 'data is read and written freely within the contract',
  signal: 'signal keys (sig_, cmd_) are append-only',
  meta: 'meta keys (meta_) may be updated but never added to or deleted',
  heavy: 'heavy entries are shared references',
  log: 'log keys (log_, audit_) are append-only: existing entries never change',
  constant: 'const_ keys are set once when created and never changed, not even by an admin block',
  private: 'internal_ keys are invisible to processes outside ctx.asAdmin',
};

// First character → prefixes starting with it: the zone of a segment is looked up on every guarded
// key, so it costs one map probe and a startsWith or two.
const BY_FIRST_CHAR = new Map<number, (readonly [string, ZoneName])[]>();
for (const entry of ZONE_PREFIXES) {
  const c = entry[0].charCodeAt(0);
  const list = BY_FIRST_CHAR.get(c) ?? [];
  list.push(entry);
  BY_FIRST_CHAR.set(c, list);
}

/** The zone one segment assigns, or undefined when it carries no zone. `isRoot`: the first segment of a path. */
export function zoneOfSegment(segment: string | number, isRoot: boolean): ZoneName | undefined {
  if (typeof segment !== 'string') return undefined;
  if (isRoot) {
    const z = ROOT_ZONES.get(segment);
    if (z !== undefined) return z;
  }
  const candidates = BY_FIRST_CHAR.get(segment.charCodeAt(0));
  if (candidates === undefined) return undefined;
  for (const [prefix, zone] of candidates) if (segment.startsWith(prefix)) return zone;
  return undefined;
}

/** The zone of a path and the index of the segment that decided it (-1 for plain data). */
export function zoneOfPathName(path: readonly (string | number | null)[]): { zone: ZoneName; index: number } {
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (seg === null || seg === undefined) continue;
    const z = zoneOfSegment(seg, i === 0);
    if (z !== undefined) return { zone: z, index: i };
  }
  return { zone: 'data', index: -1 };
}

// ---------------------------------------------------------------------------------------------
// Contract paths

export type ParsedContractPath = { readonly ok: true; readonly segments: readonly string[] } | { readonly ok: false; readonly problem: string };

const MALFORMED = /[\s[\]'"`]/;

/**
 * Parses a contract path (`domain.accounts.*`, `domain.items[0]`, `domain.items[*]`) into
 * segments; `roots`, when given, are the roots it may start with. A malformed path gets a
 * `problem` that completes the sentence "the path '…' …".
 */
export function parseContractPath(text: unknown, roots?: ReadonlySet<string>): ParsedContractPath {
  if (typeof text !== 'string') return { ok: false, problem: `must be a string (got ${text === null ? 'null' : typeof text})` };
  if (text.length === 0) return { ok: false, problem: 'is empty' };
  if (text.length > MAX_PATH_LENGTH) return { ok: false, problem: `is ${text.length} characters long (at most ${MAX_PATH_LENGTH})` };
  if (/\s/.test(text)) return { ok: false, problem: 'contains whitespace' };
  const segments: string[] = [];
  for (const raw of text.split('.')) {
    const head = /^[^[\]]*/.exec(raw)?.[0] ?? '';
    if (head === '' && !raw.startsWith('[')) return { ok: false, problem: 'has an empty segment (check for a leading, trailing or doubled dot)' };
    if (head !== '') segments.push(head);
    let rest = raw.slice(head.length);
    while (rest.length > 0) {
      const index = /^\[(\d+|\*)\]/.exec(rest);
      if (index === null) return { ok: false, problem: `has a malformed index '${rest}' (use name[0], name[*] or name.key)` };
      segments.push(index[1]!);
      rest = rest.slice(index[0].length);
    }
  }
  for (const segment of segments) {
    if (HOSTILE_KEYS.has(segment)) return { ok: false, problem: `uses the segment '${segment}', which would reach the prototype chain` };
    if (MALFORMED.test(segment)) return { ok: false, problem: `has a malformed segment '${segment}'` };
    if (segment.includes(WILDCARD) && segment !== WILDCARD) return { ok: false, problem: `uses '*' inside the segment '${segment}' ('*' must be a whole segment)` };
  }
  const root = segments[0]!;
  if (roots === undefined) return { ok: true, segments };
  if (root === WILDCARD) return { ok: false, problem: "starts with '*' (the root must be named)" };
  if (!roots.has(root)) return { ok: false, problem: `starts with the unknown root '${root}' (roots: ${[...roots].join(', ')})` };
  return { ok: true, segments };
}
