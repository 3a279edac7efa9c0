import { PermissionDeniedError, TheusError } from '../errors.js';
import type { DeltaOp } from '../core/delta.js';
import { formatPath, type Segment } from '../core/path.js';
import { Kind, kindOfRaw } from '../core/kinds.js';
import { anyCovers, anyLeadsTo } from '../contracts/pattern.js';
import { ZONE_RULES, type ZoneName } from '../contracts/grammar.js';
import type { Contract } from '../contracts/types.js';
import { ZONE_NAMES, describePolicy, zoneOfSegment, APPEND, DELETE, UPDATE } from '../contracts/zones.js';
import { getChild } from './updates.js';


/**
 * The one place where a commit's op list meets the rules, whatever produced it: a process's ctx
 * writes, its return value or StateUpdate, a worker's delta, edit, transaction, compareAndSwap or
 * heavy. Each op is judged by what it does to the state (the value before and after), so replacing
 * or deleting a parent is judged on every zoned key inside it, old and new.
 */

/** Who commits: a process under its contract, or a setup route (no contract, zone physics only). */
export type Actor = { readonly kind: 'process'; readonly contract: Contract; readonly strict: boolean } | { readonly kind: 'setup'; readonly route: string };

export interface OpCheckInput {
  readonly actor: Actor;
  readonly ops: readonly DeltaOp[];
  /** The committed root the ops apply to (their "before"). */
  readonly before: Readonly<Record<string, unknown>>;
  /** Namespace root → capability bits of its policy. */
  readonly ceilings: ReadonlyMap<string, number>;
  /** Paths written inside `ctx.asAdmin`: zone ceilings (except const_) are lifted at and below them. */
  readonly adminWrites?: readonly (readonly Segment[])[];
}

/** `internal_` values a replacement dropped without seeing them: put back, so the actor cannot lose what it cannot see. */
export type Restore = readonly [path: Segment[], value: unknown];

// State is at most 1000 levels deep (values deeper are refused when written), so the walk inside a
// replaced value always reaches the bottom.
const MAX_DEPTH = 1000;

/** Throws PermissionDeniedError (ILLEGAL_WRITE) naming the path and the rule; returns the restores to apply. */
export function checkOps(input: OpCheckInput): readonly Restore[] {
  let restores: Restore[] | undefined;
  const { ops, actor } = input;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const path = op.path;
    const before = valueAt(input.before, path);
    if (actor.kind === 'process' && (actor.strict || actor.contract.semantic === 'pure')) checkContract(actor.contract, path, op, before);
    const admin = input.adminWrites !== undefined && input.adminWrites.length > 0 && underAny(input.adminWrites, path);
    checkNamespace(input.ceilings, path, op, admin);
    const after = op.op === 'remove' ? undefined : op.value;
    const zone = zoneOfPathInfo(path);
    if (zone === 'data') {
      if (isContainer(before) || isContainer(after)) (restores ??= []).push(...walk(path as Segment[], before, after, admin, 0));
    } else {
      const restore = judge(zone, path as Segment[], before, after, admin);
      if (restore) (restores ??= []).push(restore);
    }
  }
  return restores ?? NO_RESTORES;
}

/** What nearly every commit returns: one shared empty list. */
const NO_RESTORES: readonly Restore[] = Object.freeze([]);

function checkContract(contract: Contract, path: readonly Segment[], op: DeltaOp, before: unknown): void {
  if (anyCovers(contract.outputs, path)) return;
  // Creating the missing parents of a declared output (`domain.pos = { x }` for the output
  // `domain.pos.x`): allowed when every leaf the new value holds is an output.
  if (before === undefined && op.op === 'add' && anyLeadsTo(contract.outputs, path) && leavesCovered(contract, path as Segment[], op.value, 0)) return;
  {
    throw new PermissionDeniedError(
      'write',
      `Process '${contract.name}' would ${verb(op)} '${formatPath(path)}', which is not among its outputs [${contract.outputs.map((o) => o.text).join(', ')}]. Nothing was committed. Rule: a process writes only its declared outputs.`,
      { path: formatPath(path) },
    );
  }
}

function leavesCovered(contract: Contract, path: Segment[], value: unknown, depth: number): boolean {
  if (anyCovers(contract.outputs, path)) return true;
  if (depth > MAX_DEPTH || kindOfRaw(value) !== Kind.Plain) return false;
  const keys = Object.keys(value as object);
  if (keys.length === 0) return false;
  for (const k of keys) if (!leavesCovered(contract, [...path, k], (value as Record<string, unknown>)[k], depth + 1)) return false;
  return true;
}

function checkNamespace(ceilings: ReadonlyMap<string, number>, path: readonly Segment[], op: DeltaOp, admin: boolean): void {
  if (ceilings.size === 0 || admin) return;
  const root = path[0];
  const ceiling = typeof root === 'string' ? ceilings.get(root) : undefined;
  if (ceiling === undefined) return;
  const need = op.op === 'remove' ? DELETE : op.op === 'replace' ? UPDATE : typeof path[path.length - 1] === 'number' ? APPEND : APPEND | UPDATE;
  if ((ceiling & need) !== 0) return;
  throw new PermissionDeniedError(
    'write',
    `Cannot ${verb(op)} '${formatPath(path)}': namespace '${String(root)}' has the policy ${describePolicy(ceiling)}, which does not allow it. Nothing was committed.`,
    { path: formatPath(path) },
  );
}

/** Compares a replaced or deleted container with its replacement, judging every zoned key inside. */
function walk(path: Segment[], before: unknown, after: unknown, admin: boolean, depth: number): Restore[] {
  if (before === after) return [];
  if (depth > MAX_DEPTH) throw new TheusError('UNSUPPORTED_VALUE', `A value nested deeper than ${MAX_DEPTH} levels at ${formatPath(path.slice(0, 8))}… cannot be checked against the zone rules.`, { path: formatPath(path) });
  const out: Restore[] = [];
  const keys = new Set<string>();
  if (isContainer(before)) for (const k of Object.keys(before as object)) keys.add(k);
  if (isContainer(after)) for (const k of Object.keys(after as object)) keys.add(k);
  for (const k of keys) {
    const seg: Segment = Array.isArray(before ?? after) ? Number(k) : k;
    const b = isContainer(before) ? getChild(before, seg) : undefined;
    const a = isContainer(after) ? getChild(after, seg) : undefined;
    if (b === a) continue;
    const zone = zoneOfSegment(seg, false);
    const at = [...path, seg];
    if (zone === undefined) {
      if (isContainer(b) || isContainer(a)) out.push(...walk(at, b, a, admin, depth + 1));
      continue;
    }
    const r = judge(ZONE_NAMES[zone], at, b, a, admin);
    if (r) out.push(r);
  }
  return out;
}

/** One zoned value, before and after: allowed, refused (throws), or an invisible value to restore. */
function judge(zone: ZoneName, path: Segment[], before: unknown, after: unknown, admin: boolean): Restore | undefined {
  if (before === after) return undefined;
  switch (zone) {
    case 'constant':
      // Set once, at creation; never changed or removed afterwards (admin included).
      if (before === undefined) return undefined;
      return refuse(zone, path, before, after);
    case 'private':
      if (admin) return undefined;
      if (after === undefined) return [path, before];
      return refuse(zone, path, before, after);
    case 'log':
    case 'signal':
      if (admin || before === undefined || extends_(before, after)) return undefined;
      return refuse(zone, path, before, after);
    case 'meta':
      if (admin || after !== undefined) return undefined;
      return refuse(zone, path, before, after);
    default:
      return undefined;
  }
}

/** Append-only: everything that was there is still there, unchanged. */
function extends_(before: unknown, after: unknown): boolean {
  if (Array.isArray(before)) {
    if (!Array.isArray(after) || after.length < before.length) return false;
    for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) return false;
    return true;
  }
  if (kindOfRaw(before) === Kind.Plain) {
    if (kindOfRaw(after) !== Kind.Plain) return false;
    for (const k of Object.keys(before as object)) {
      if (!Object.prototype.hasOwnProperty.call(after, k) || (before as Record<string, unknown>)[k] !== (after as Record<string, unknown>)[k]) return false;
    }
    return true;
  }
  return false;
}

function refuse(zone: ZoneName, path: readonly Segment[], before: unknown, after: unknown): never {
  const what = after === undefined ? 'delete' : before === undefined ? 'create' : 'change';
  throw new PermissionDeniedError(
    'write',
    `Cannot ${what} '${formatPath(path)}' (${zone} zone): ${ZONE_RULES[zone]}. Nothing was committed.${zone === 'constant' || zone === 'private' ? '' : ' ctx.asAdmin(fn) lifts this ceiling.'}`,
    { path: formatPath(path) },
  );
}

function zoneOfPathInfo(path: readonly Segment[]): ZoneName {
  for (let i = 0; i < path.length; i++) {
    const z = zoneOfSegment(path[i]!, i === 0);
    if (z !== undefined) return ZONE_NAMES[z];
  }
  return 'data';
}

function valueAt(root: unknown, path: readonly Segment[]): unknown {
  let node = root;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = getChild(node, seg);
  }
  return node;
}

function isContainer(v: unknown): boolean {
  const k = kindOfRaw(v);
  return k === Kind.Plain || k === Kind.Array || k === Kind.Wide || k === Kind.Instance;
}

function underAny(prefixes: readonly (readonly Segment[])[], path: readonly Segment[]): boolean {
  outer: for (const p of prefixes) {
    if (p.length > path.length) continue;
    for (let i = 0; i < p.length; i++) if (String(p[i]) !== String(path[i])) continue outer;
    return true;
  }
  return false;
}

function verb(op: DeltaOp): string {
  return op.op === 'remove' ? 'delete' : op.op === 'add' ? 'add' : 'replace';
}
