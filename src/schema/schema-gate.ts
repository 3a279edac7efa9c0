import { SchemaViolationError, invalidArgument, type SchemaIssue } from '../errors.js';
import { DEFAULT_SCHEMA_ROOTS, isHostileSegment, parseSchemaPattern } from './schema-pattern.js';
import { isStandardSchema, type StandardSchemaV1 } from './standard-schema.js';

/** `schema` engine option: path pattern → Standard Schema validator (`{ domain: S, 'domain.accounts.*': S2 }`). */
export type SchemaMap = Readonly<Record<string, StandardSchemaV1>>;

export interface SchemaGateOptions {
  /** Valid first segments of a pattern. Default: domain, global, heavy, signal, meta (add namespaces here). */
  roots?: readonly string[];
}

interface CompiledSchema {
  readonly pattern: string;
  readonly segments: readonly string[];
  readonly validator: StandardSchemaV1;
}

/** One node to validate: a pattern instantiated on concrete keys. */
interface Instance {
  readonly schema: CompiledSchema;
  readonly path: readonly string[];
  /** Present when the value was reached while expanding a wildcard (no second read needed). */
  readonly value?: unknown;
  readonly expanded: boolean;
  /** Whether a `*` was filled in: a missing record is then not validated (it was deleted, not malformed). */
  readonly viaWildcard: boolean;
}

const MAX_REPORTED_ISSUES = 3;

/**
 * Validates the state a commit would leave, but only the parts the commit touches: a validator runs when its
 * pattern is an ancestor-or-self of a changed path (the instance containing the change) or a descendant of it (every
 * instance below the replaced node). With a per-record schema (`domain.accounts.*`) a one-record change validates
 * one record whatever the state size.
 *
 * Synchronous validators keep `validate` synchronous (it returns undefined); if any validator returns a promise,
 * `validate` returns a promise. Violations throw {@link SchemaViolationError} with every issue's path made absolute.
 */
export class SchemaGate {
  private readonly byRoot = new Map<string, CompiledSchema[]>();
  private readonly all: readonly CompiledSchema[];

  constructor(schemas: SchemaMap, options: SchemaGateOptions = {}) {
    if (schemas === null || typeof schemas !== 'object' || Array.isArray(schemas)) {
      throw invalidArgument("The schema option must be an object mapping path patterns to Standard Schema validators, e.g. { domain: z.object({...}) }.");
    }
    const roots = new Set(options.roots ?? DEFAULT_SCHEMA_ROOTS);
    const compiled: CompiledSchema[] = [];
    for (const pattern of Object.keys(schemas)) {
      const segments = parseSchemaPattern(pattern, roots);
      const validator = schemas[pattern];
      if (!isStandardSchema(validator)) {
        throw invalidArgument(`The schema for '${pattern}' is not a Standard Schema v1 validator (no '~standard.validate'). Zod 3.24+, Zod 4, Valibot 1 and ArkType implement it.`, pattern);
      }
      const entry: CompiledSchema = { pattern, segments, validator };
      compiled.push(entry);
      const root = segments[0] as string;
      const list = this.byRoot.get(root);
      if (list === undefined) this.byRoot.set(root, [entry]);
      else list.push(entry);
    }
    this.all = compiled;
  }

  /** The configured patterns, in declaration order. */
  get patterns(): readonly string[] {
    return this.all.map((s) => s.pattern);
  }

  get size(): number {
    return this.all.length;
  }

  /**
   * Validates what the commit would leave. `changedPaths` are the dotted paths the commit writes or deletes;
   * `read(path)` returns the value at a dotted path in the would-be-committed state (undefined when absent).
   */
  validate(changedPaths: readonly string[], read: (path: string) => unknown): void | Promise<void> {
    if (!Array.isArray(changedPaths)) throw invalidArgument('SchemaGate.validate expects an array of changed dotted paths.');
    if (typeof read !== 'function') throw invalidArgument('SchemaGate.validate expects a reader function (path) => value.');
    if (this.all.length === 0 || changedPaths.length === 0) return undefined;
    const instances = this.collect(changedPaths, read);
    if (instances.length === 0) return undefined;
    return runValidators(instances, read);
  }

  /** Validates every configured pattern against the whole state (e.g. the initial state of an engine). */
  validateAll(read: (path: string) => unknown): void | Promise<void> {
    return this.validate([...this.byRoot.keys()], read);
  }

  private collect(changedPaths: readonly string[], read: (path: string) => unknown): Instance[] {
    const out: Instance[] = [];
    const seen = new Set<string>();
    for (const changed of changedPaths) {
      if (typeof changed !== 'string' || changed.length === 0) throw invalidArgument('SchemaGate.validate: every changed path must be a non-empty dotted string.');
      const dot = changed.indexOf('.');
      const candidates = this.byRoot.get(dot < 0 ? changed : changed.slice(0, dot));
      if (candidates === undefined) continue;
      const changedSegments = dot < 0 ? [changed] : changed.split('.');
      for (const schema of candidates) {
        const p = schema.segments;
        const shared = Math.min(p.length, changedSegments.length);
        let overlaps = true;
        let viaWildcard = false;
        for (let i = 1; i < shared; i++) {
          if (p[i] === '*') viaWildcard = true;
          else if (p[i] !== changedSegments[i]) {
            overlaps = false;
            break;
          }
        }
        if (!overlaps) continue;
        if (p.length <= changedSegments.length) {
          // The pattern names an ancestor-or-self of the change: validate that one instance.
          const path = p.length === changedSegments.length ? changedSegments : changedSegments.slice(0, p.length);
          pushUnique(out, seen, { schema, path, expanded: false, viaWildcard });
        } else {
          // The change replaced an ancestor of the pattern's nodes: validate every instance below it.
          const base = read(changed);
          expand(schema, changedSegments, base, changedSegments.length, viaWildcard, out, seen);
        }
      }
    }
    return out;
  }
}

function pushUnique(out: Instance[], seen: Set<string>, instance: Instance): void {
  const key = `${instance.schema.pattern}\u0000${instance.path.join('.')}`;
  if (seen.has(key)) return;
  seen.add(key);
  out.push(instance);
}

function expand(schema: CompiledSchema, path: readonly string[], value: unknown, index: number, viaWildcard: boolean, out: Instance[], seen: Set<string>): void {
  const segments = schema.segments;
  if (index === segments.length) {
    pushUnique(out, seen, { schema, path, value, expanded: true, viaWildcard });
    return;
  }
  const segment = segments[index] as string;
  if (segment === '*') {
    if (value === null || typeof value !== 'object') return;
    for (const key of Object.keys(value)) {
      if (isHostileSegment(key)) continue;
      expand(schema, [...path, key], (value as Record<string, unknown>)[key], index + 1, true, out, seen);
    }
    return;
  }
  const child = value !== null && typeof value === 'object' && Object.hasOwn(value, segment) ? (value as Record<string, unknown>)[segment] : undefined;
  expand(schema, [...path, segment], child, index + 1, viaWildcard, out, seen);
}

type Outcome = { issues: SchemaIssue[]; cause: unknown };

function runValidators(instances: readonly Instance[], read: (path: string) => unknown): void | Promise<void> {
  const outcome: Outcome = { issues: [], cause: undefined };
  let pending: Promise<void>[] | undefined;
  for (const instance of instances) {
    const value = instance.expanded ? instance.value : read(instance.path.join('.'));
    if (value === undefined && instance.viaWildcard) continue;
    let result: StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>>;
    try {
      result = instance.schema.validator['~standard'].validate(value);
    } catch (error) {
      recordThrow(outcome, instance, error);
      continue;
    }
    if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function') {
      (pending ??= []).push(
        (result as Promise<StandardSchemaV1.Result<unknown>>).then(
          (settled) => recordResult(outcome, instance, settled),
          (error: unknown) => recordThrow(outcome, instance, error),
        ),
      );
    } else {
      recordResult(outcome, instance, result as StandardSchemaV1.Result<unknown>);
    }
  }
  if (pending === undefined) {
    if (outcome.issues.length > 0) throw violation(outcome);
    return undefined;
  }
  return Promise.all(pending).then(() => {
    if (outcome.issues.length > 0) throw violation(outcome);
  });
}

function recordResult(outcome: Outcome, instance: Instance, result: StandardSchemaV1.Result<unknown>): void {
  if (result === null || typeof result !== 'object') {
    recordThrow(outcome, instance, new TypeError(`validator returned ${String(result)} instead of a Standard Schema result`));
    return;
  }
  const issues = result.issues;
  if (!issues) return;
  for (const issue of issues) {
    const path: (string | number)[] = [...instance.path];
    for (const segment of issue.path ?? []) {
      const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
      path.push(typeof key === 'number' ? key : String(key));
    }
    outcome.issues.push({ message: String(issue.message), path });
  }
}

function recordThrow(outcome: Outcome, instance: Instance, error: unknown): void {
  outcome.cause ??= error;
  const reason = error instanceof Error ? error.message : String(error);
  outcome.issues.push({ message: `the validator for '${instance.schema.pattern}' threw: ${reason}`, path: [...instance.path] });
}

function violation(outcome: Outcome): SchemaViolationError {
  const { issues } = outcome;
  const shown = issues.slice(0, MAX_REPORTED_ISSUES).map((i) => `${i.path.join('.') || '<root>'}: ${i.message}`);
  const more = issues.length > MAX_REPORTED_ISSUES ? `; and ${issues.length - MAX_REPORTED_ISSUES} more` : '';
  const message = `Schema violation (${issues.length} issue${issues.length === 1 ? '' : 's'}), nothing was committed: ${shown.join('; ')}${more}.`;
  const first = issues[0];
  return new SchemaViolationError(message, issues, { path: first === undefined ? undefined : first.path.join('.'), cause: outcome.cause });
}
