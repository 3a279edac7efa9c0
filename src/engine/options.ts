import { invalidArgument } from '../errors.js';
import type { AuditRecipe } from '../audit/index.js';
import { isHostileKey } from '../core/path.js';
import { BUILTIN_ROOTS } from '../contracts/validate.js';
import { ALL, APPEND, DELETE, READ, UPDATE } from '../contracts/zones.js';
import type { TheusStore } from '../storage/store.js';
import { resolveInspectorOptions, type InspectorOptions } from '../inspect/options.js';

/** What a namespace root allows, whatever the contract says (its zone ceiling). */
export interface NamespacePolicy {
  read?: boolean;
  update?: boolean;
  append?: boolean;
  delete?: boolean;
  /** Initial data of the namespace root (a plain object). */
  initial?: Record<string, unknown>;
}

export interface EngineOptions {
  /** Enforce contracts (reads outside inputs ∪ outputs, writes outside outputs). Default true. */
  strictGuards?: boolean;
  /** Any newer version is a conflict, for commits and compareAndSwap alike. Default false (key-level). */
  strictCas?: boolean;
  /** Conflicts tolerated per execute before ConflictError. Default 10. */
  maxRetries?: number;
  /** Consecutive conflicts after which a process takes the priority lane. Default 5. */
  vipAfter?: number;
  /** A transaction open longer than this is rejected at commit; ctx.abortSignal fires at the deadline. Default 300 000. */
  writeTimeoutMs?: number;
  /** Extra top-level roots with their own policy, per engine. */
  namespaces?: Record<string, NamespacePolicy>;
  /** Backoff between retries: full jitter up to min(backoffMaxMs, backoffBaseMs · 2^attempt). Defaults 1 and 32 ms. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Audit recipe: a YAML file path or an object in the recipe format. */
  auditRecipe?: string | Record<string, unknown> | AuditRecipe;
  /** Capacity of the audit ring buffer. Default 1000. */
  auditLogCapacity?: number;
  /** Per-path Standard Schema validators (`{ domain: S, 'domain.accounts.*': A }`). */
  schema?: Record<string, unknown>;
  /** Worker pool for parallel processes. */
  workers?: { maxThreads?: number; minThreads?: number; resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number; stackSizeMb?: number } };
  /** Heavy zone capacity in bytes. */
  heavyCapacityBytes?: number;
  /**
   * Without `storage`: how many recent versions `history()` and `stateAt()` keep in memory
   * (default 0; each kept version holds on to its State). Stores keep their own history.
   */
  historyLimit?: number;
  /** Durable storage (TheusEngine.open only): a SQLite file path or a store object. Absent: in memory. */
  storage?: string | TheusStore;
  /** Sync level of a durable store: 'full' (every commit reaches the disk) or 'normal'. */
  durability?: 'full' | 'normal';
  /**
   * Serves the inspector page for this engine (`true`, or `{ port, host, … }`); its URL is printed
   * on stderr (unless `quiet`) and given by `engine.inspector`. `close()` stops it.
   */
  inspect?: boolean | InspectorOptions;
}

export interface ResolvedOptions {
  strictGuards: boolean;
  strictCas: boolean;
  maxRetries: number;
  vipAfter: number;
  writeTimeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  namespaces: Map<string, { ceiling: number; initial: Record<string, unknown> | undefined }>;
  historyLimit: number;
  /** Validated `inspect` option; undefined when off. */
  inspect: true | InspectorOptions | undefined;
}

const KNOWN = new Set([
  'strictGuards',
  'strictCas',
  'maxRetries',
  'vipAfter',
  'writeTimeoutMs',
  'namespaces',
  'backoffBaseMs',
  'backoffMaxMs',
  'auditRecipe',
  'auditLogCapacity',
  'schema',
  'workers',
  'heavyCapacityBytes',
  'storage',
  'durability',
  'historyLimit',
  'inspect',
]);

export function resolveOptions(options: EngineOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalidArgument('Engine options must be an object.');
  for (const k of Object.keys(options)) if (!KNOWN.has(k)) throw invalidArgument(`Unknown engine option '${k}' (known: ${[...KNOWN].join(', ')}).`);
  const namespaces = new Map<string, { ceiling: number; initial: Record<string, unknown> | undefined }>();
  if (options.namespaces !== undefined) {
    if (typeof options.namespaces !== 'object' || options.namespaces === null) throw invalidArgument('namespaces must be an object of name → policy.');
    for (const [name, policy] of Object.entries(options.namespaces)) {
      if (!/^[A-Za-z_$][\w$]*$/.test(name) || isHostileKey(name) || (BUILTIN_ROOTS as readonly string[]).includes(name)) {
        throw invalidArgument(`Invalid namespace name '${name}': use an identifier that is not a built-in root (${BUILTIN_ROOTS.join(', ')}).`);
      }
      if (typeof policy !== 'object' || policy === null) throw invalidArgument(`namespaces.${name} must be a policy object.`);
      for (const k of Object.keys(policy)) {
        if (!['read', 'update', 'append', 'delete', 'initial'].includes(k)) throw invalidArgument(`namespaces.${name}: unknown policy key '${k}'.`);
      }
      const flag = (k: 'read' | 'update' | 'append' | 'delete', dflt: boolean) => {
        const v = policy[k];
        if (v !== undefined && typeof v !== 'boolean') throw invalidArgument(`namespaces.${name}.${k} must be a boolean.`);
        return v ?? dflt;
      };
      const ceiling = (flag('read', true) ? READ : 0) | (flag('update', true) ? UPDATE : 0) | (flag('append', true) ? APPEND : 0) | (flag('delete', false) ? DELETE : 0);
      namespaces.set(name, { ceiling: ceiling & ALL, initial: policy.initial });
    }
  }
  return {
    strictGuards: bool(options.strictGuards, 'strictGuards', true),
    strictCas: bool(options.strictCas, 'strictCas', false),
    maxRetries: int(options.maxRetries, 'maxRetries', 10, 0, 10_000),
    vipAfter: int(options.vipAfter, 'vipAfter', 5, 1, 10_000),
    writeTimeoutMs: int(options.writeTimeoutMs, 'writeTimeoutMs', 300_000, 1, 2 ** 31 - 1),
    backoffBaseMs: num(options.backoffBaseMs, 'backoffBaseMs', 1, 0, 60_000),
    backoffMaxMs: num(options.backoffMaxMs, 'backoffMaxMs', 32, 0, 60_000),
    namespaces,
    historyLimit: int(options.historyLimit, 'historyLimit', 0, 0, 1_000_000),
    inspect: inspectOption(options.inspect),
  };
}

function inspectOption(v: unknown): true | InspectorOptions | undefined {
  if (v === undefined || v === false) return undefined;
  if (v !== true && (typeof v !== 'object' || v === null || Array.isArray(v))) throw invalidArgument('Option inspect must be true, false or { port?, host?, capacity?, snapshotEvery?, quiet? }.');
  // Checked here, synchronously: a bad port must fail the constructor, not the server start later.
  resolveInspectorOptions(v as true | InspectorOptions);
  return v as true | InspectorOptions;
}

function bool(v: unknown, name: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw invalidArgument(`Option ${name} must be a boolean.`);
  return v;
}

function int(v: unknown, name: string, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw invalidArgument(`Option ${name} must be an integer from ${min} to ${max}.`);
  return v;
}

function num(v: unknown, name: string, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw invalidArgument(`Option ${name} must be a number from ${min} to ${max}.`);
  return v;
}
