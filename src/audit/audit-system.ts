import nodeProcess from 'node:process';
import { AuditAbortError, AuditBlockError, AuditStopError, invalidArgument, type TheusError } from '../errors.js';
import { AuditLog, type AuditAction, type AuditLogEntry, type AuditLogFilter } from './audit-log.js';
import { AuditRecipeError } from './audit-recipe-error.js';
import { effectiveRule, inspectRecipe, resolveSettings } from './effective-rules.js';
import { compileFieldReader } from './field-path.js';
import { LEVEL_SEVERITY, parseAuditLevel } from './levels.js';
import { loadAuditRecipe } from './recipe-loader.js';
import { compileRuleCheck, type RuleCheck } from './rule-check.js';
import type { AuditLevel, AuditProcessInspection, AuditRecipe, EffectiveAuditRule } from './recipe-types.js';

export interface AuditSystemOptions {
  /** Ring-buffer capacity of {@link AuditSystem.log}. Default 1000. */
  logCapacity?: number;
  /** Clock for log entries. Default `Date.now`. */
  now?: () => number;
  /**
   * Rules for a process the engine does not register are an error (thrown by {@link AuditSystem.verifyProcesses})
   * instead of a warning. Default: the recipe's own `strict` setting (false).
   */
  strict?: boolean;
}

/** `process.emitWarning` code of the one-time warning about recipe entries no registered process uses. */
export const UNKNOWN_PROCESS_WARNING = 'THEUS_AUDIT_UNKNOWN_PROCESS';

/** The counter id of a process's own failures (it threw, or its commit preparation failed). */
export const EXCEPTION_RULE = '<exception>';
export const DEFAULT_LOG_CAPACITY = 1000;
const MAX_LOG_CAPACITY = 1_000_000;

interface Counter {
  readonly rule: EffectiveAuditRule;
  /** Current failure count: what the thresholds compare against. */
  count: number;
  /** Lifetime failures, kept across resets (for stats). */
  violations: number;
}

interface CompiledRule extends Counter {
  readonly read: (source: unknown) => unknown;
  readonly check: RuleCheck;
}

interface ProcessState {
  readonly name: string;
  readonly inputs: readonly CompiledRule[];
  readonly outputs: readonly CompiledRule[];
  readonly outputPaths: readonly string[];
  readonly exception: Counter;
  successes: number;
  failures: number;
}

export interface AuditRuleStats {
  readonly rule: string;
  readonly field: string;
  readonly level: AuditLevel;
  readonly count: number;
  readonly violations: number;
}

export interface AuditProcessStats {
  readonly process: string;
  readonly successes: number;
  readonly failures: number;
  readonly rules: readonly AuditRuleStats[];
}

export interface AuditStats {
  readonly stopped: boolean;
  readonly processes: readonly AuditProcessStats[];
  readonly totals: {
    readonly violations: number;
    readonly warnings: number;
    readonly blocks: number;
    readonly aborts: number;
    readonly stops: number;
    readonly successes: number;
    readonly failures: number;
    /** Log entries ever written, including those the ring buffer has since overwritten. */
    readonly logEntries: number;
  };
}

const ACTION_OF_LEVEL: Readonly<Record<AuditLevel, AuditAction>> = { S: 'stopped', A: 'aborted', B: 'blocked', C: 'logged' };

/**
 * Enforces an audit recipe: input rules on a call's args, output rules on the values a commit would write, and
 * per-(process, rule) failure counters with the original's dual thresholds.
 *
 * A failure increments the rule's counter and is logged. When the counter exceeds the rule's `maxThreshold` the
 * level acts: B throws {@link AuditBlockError}, A {@link AuditAbortError}, S {@link AuditStopError} and stops the
 * system until {@link reset}; C never acts. A failure that does not act, at or past `minThreshold` (> 0), is logged as
 * `warned`. Counters are not reset when a level acts. With `resetOnSuccess`, a rule's counter goes back to 0 when the
 * rule passes, and the process counter when {@link recordSuccess} is called.
 *
 * Engine-independent: the engine calls {@link assertRunning}, {@link checkInputs} before a process runs,
 * {@link checkOutputs} before committing, then {@link recordSuccess} or {@link recordFailure}.
 */
export class AuditSystem {
  readonly recipe: AuditRecipe;
  private readonly states = new Map<string, ProcessState>();
  private readonly journal: AuditLog;
  private readonly now: () => number;
  private stoppedBy: { process: string; rule: string; reason: string } | undefined;
  private readonly strict: boolean;
  /** The names the engine last reported as registered; undefined until it has. */
  private registered: ReadonlySet<string> | undefined;
  private readonly warned = new Set<string>();
  private readonly totals = { violations: 0, warnings: 0, blocks: 0, aborts: 0, stops: 0, successes: 0, failures: 0 };

  constructor(recipe: AuditRecipe | string | object, options: AuditSystemOptions = {}) {
    if (options === null || typeof options !== 'object') throw invalidArgument('AuditSystem options must be an object.');
    const capacity = options.logCapacity ?? DEFAULT_LOG_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_LOG_CAPACITY) {
      throw invalidArgument(`AuditSystem logCapacity must be an integer from 1 to ${MAX_LOG_CAPACITY}, got ${String(capacity)}.`);
    }
    if (options.now !== undefined && typeof options.now !== 'function') throw invalidArgument('AuditSystem option now must be a function returning a number.');
    if (options.strict !== undefined && typeof options.strict !== 'boolean') throw invalidArgument('AuditSystem option strict must be true or false.');
    this.recipe = loadAuditRecipe(recipe);
    this.strict = options.strict ?? this.recipe.strict;
    this.journal = new AuditLog(capacity);
    this.now = options.now ?? Date.now;
    for (const process of this.recipe.processes.values()) {
      const compile = (r: (typeof process.inputs)[number]): CompiledRule => ({
        rule: effectiveRule(r, process, this.recipe.defaults),
        read: compileFieldReader(r.field),
        check: compileRuleCheck(r.conditions),
        count: 0,
        violations: 0,
      });
      const outputs = process.outputs.map(compile);
      this.states.set(process.name, {
        name: process.name,
        inputs: process.inputs.map(compile),
        outputs,
        outputPaths: Object.freeze([...new Set(outputs.map((r) => r.rule.field))]),
        exception: this.exceptionCounter(process.name),
        successes: 0,
        failures: 0,
      });
    }
  }

  /** True after an S-level rule acted, until {@link reset}. */
  get stopped(): boolean {
    return this.stoppedBy !== undefined;
  }

  /**
   * Compares the recipe with the processes the engine registers and returns the recipe entries no registered process
   * uses: their rules would silently never run. Each such name is reported once, as a process warning
   * ({@link UNKNOWN_PROCESS_WARNING}), and {@link inspect} marks it; under `strict` the first one throws
   * {@link AuditRecipeError} positioned at its recipe entry instead. A recipe shared by several engines (or the
   * original's own recipes) may well name processes this engine does not run, hence a warning by default.
   */
  verifyProcesses(registered: Iterable<string>): readonly string[] {
    if (registered === null || typeof registered !== 'object' || typeof (registered as Iterable<string>)[Symbol.iterator] !== 'function') {
      throw invalidArgument('verifyProcesses expects an iterable of registered process names.');
    }
    const names = new Set<string>();
    for (const name of registered) if (typeof name === 'string') names.add(name);
    this.registered = names;
    const unknown = [...this.recipe.processes.values()].filter((p) => !names.has(p.name));
    const first = unknown[0];
    if (first === undefined) return [];
    const known = names.size === 0 ? 'none' : [...names].slice(0, 20).join(', ') + (names.size > 20 ? ', …' : '');
    if (this.strict) {
      const list = unknown.map((p) => `'${p.name}'`).join(', ');
      throw new AuditRecipeError(
        `the recipe has rules for ${list}, but no process of that name is registered (registered: ${known}). Fix the name in the recipe or register the process (the recipe is strict).`,
        first.location,
      );
    }
    const fresh = unknown.filter((p) => !this.warned.has(p.name));
    if (fresh.length > 0) {
      for (const p of fresh) this.warned.add(p.name);
      const where = fresh.map((p) => `'${p.name}' (${p.source})`).join(', ');
      nodeProcess.emitWarning(`audit recipe rules for ${where} will never run: no process of that name is registered (registered: ${known}). Set strict: true under audit: to make this an error.`, {
        code: UNKNOWN_PROCESS_WARNING,
      });
    }
    return unknown.map((p) => p.name);
  }

  /** Throws {@link AuditStopError} while the system is stopped by an S-level rule. */
  assertRunning(): void {
    if (this.stoppedBy !== undefined) throw this.stopError();
  }

  /** Whether the recipe has any rule for `process`. */
  hasRules(process: string): boolean {
    const state = this.states.get(process);
    return state !== undefined && (state.inputs.length > 0 || state.outputs.length > 0);
  }

  /** True when the recipe has an entry for `process` (rules, or only its own settings). */
  names(process: string): boolean {
    return this.recipe.processes.has(process);
  }

  /** The context paths the output rules of `process` read (so the engine can skip building a reader when empty). */
  outputPaths(process: string): readonly string[] {
    return this.states.get(process)?.outputPaths ?? [];
  }

  /**
   * Checks the input rules of `process` against the call's args (`field: amount` reads `args.amount`, dotted paths
   * read nested own properties). A missing (undefined) or null value skips the rule. Every rule is evaluated and
   * counted; then the most severe action is thrown (S over A over B).
   */
  checkInputs(process: string, args: unknown, version: number): void {
    if (this.stoppedBy !== undefined) throw this.stopError();
    const state = this.states.get(process);
    if (state === undefined || state.inputs.length === 0) return;
    this.runRules(state, state.inputs, args, undefined, version);
  }

  /**
   * Checks the output rules of `process`. `read(path)` must return the value the commit would leave at the context
   * path (`domain.balance`), or undefined when the commit does not write that path — the rule is then skipped, as in
   * the original, which only saw the pending change set. Throws like {@link checkInputs}.
   */
  checkOutputs(process: string, read: (path: string) => unknown, version: number): void {
    if (this.stoppedBy !== undefined) throw this.stopError();
    const state = this.states.get(process);
    if (state === undefined || state.outputs.length === 0) return;
    if (typeof read !== 'function') throw invalidArgument('checkOutputs expects a reader function (path) => value.');
    this.runRules(state, state.outputs, undefined, read, version);
  }

  /** A successful commit of `process`: resets its process-level failure counter when `resetOnSuccess`. */
  recordSuccess(process: string, _version: number): void {
    const state = this.stateOf(process);
    state.successes++;
    this.totals.successes++;
    if (state.exception.rule.resetOnSuccess) state.exception.count = 0;
  }

  /**
   * `process` failed (it threw, or its commit could not be prepared): counted on the `<exception>` counter with the
   * process's level and thresholds. Throws the audit error (with `cause` = `error`) when that level acts; the engine
   * should then throw it instead of `error`. Audit errors themselves are not counted again.
   */
  recordFailure(process: string, error: unknown, version: number): void {
    if (error instanceof AuditBlockError || error instanceof AuditAbortError || error instanceof AuditStopError) return;
    const state = this.stateOf(process);
    state.failures++;
    this.totals.failures++;
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const actionError = this.fail(state.name, state.exception, text, `the process failed (${text})`, version, error);
    if (actionError !== undefined) throw actionError;
  }

  /** Log entries, oldest to newest, optionally filtered by process and level and limited to the newest `limit`. */
  log(filter: AuditLogFilter = {}): AuditLogEntry[] {
    if (filter === null || typeof filter !== 'object') throw invalidArgument('audit.log() expects { process?, level?, limit? }.');
    const { process, level, limit } = filter;
    if (process !== undefined && typeof process !== 'string') throw invalidArgument('audit.log(): process must be a string.');
    if (level !== undefined && parseAuditLevel(level) !== level) throw invalidArgument(`audit.log(): level must be 'S', 'A', 'B' or 'C', got ${String(level)}.`);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw invalidArgument(`audit.log(): limit must be a non-negative integer, got ${String(limit)}.`);
    return this.journal.read({ process, level, limit });
  }

  /** The effective rules of `process` (inherited settings resolved); undefined when the recipe has no entry for it. */
  inspect(process: string): AuditProcessInspection | undefined {
    if (typeof process !== 'string') throw invalidArgument('audit.inspect() expects a process name.');
    const inspection = inspectRecipe(this.recipe, process);
    if (inspection === undefined || this.registered === undefined) return inspection;
    return Object.freeze({ ...inspection, registered: this.registered.has(process) });
  }

  stats(): AuditStats {
    const processes: AuditProcessStats[] = [];
    for (const state of this.states.values()) {
      const counters: Counter[] = [...state.inputs, ...state.outputs, state.exception];
      processes.push({
        process: state.name,
        successes: state.successes,
        failures: state.failures,
        rules: counters.map((c) => ({ rule: c.rule.id, field: c.rule.field, level: c.rule.level, count: c.count, violations: c.violations })),
      });
    }
    return { stopped: this.stopped, processes, totals: { ...this.totals, logEntries: this.journal.totalWritten } };
  }

  /** Leaves the stopped state and zeroes every current counter (lifetime totals and the log are kept). */
  reset(): void {
    this.stoppedBy = undefined;
    for (const state of this.states.values()) {
      for (const rule of state.inputs) rule.count = 0;
      for (const rule of state.outputs) rule.count = 0;
      state.exception.count = 0;
    }
  }

  private runRules(state: ProcessState, rules: readonly CompiledRule[], args: unknown, read: ((path: string) => unknown) | undefined, version: number): void {
    let worst: TheusError | undefined;
    let worstSeverity = -1;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as CompiledRule;
      const value = read === undefined ? rule.read(args) : read(rule.rule.field);
      if (value === undefined || value === null) continue;
      const failure = rule.check(value);
      if (failure === undefined) {
        if (rule.count !== 0 && rule.rule.resetOnSuccess) rule.count = 0;
        continue;
      }
      const error = this.fail(state.name, rule, value, failure, version, undefined);
      if (error !== undefined && LEVEL_SEVERITY[rule.rule.level] > worstSeverity) {
        worst = error;
        worstSeverity = LEVEL_SEVERITY[rule.rule.level];
      }
    }
    if (worst !== undefined) throw worst;
  }

  /** Counts one failure, logs it, and returns the error to throw when the level acts. */
  private fail(process: string, counter: Counter, value: unknown, detail: string, version: number, cause: unknown): TheusError | undefined {
    const rule = counter.rule;
    counter.count++;
    counter.violations++;
    this.totals.violations++;
    const acts = rule.level !== 'C' && counter.count > rule.maxThreshold;
    const warns = !acts && rule.minThreshold > 0 && counter.count >= rule.minThreshold;
    const action: AuditAction = acts ? ACTION_OF_LEVEL[rule.level] : warns ? 'warned' : 'logged';
    const text = rule.message === undefined ? detail : `${rule.message} (${detail})`;
    const subject = rule.id === EXCEPTION_RULE ? `'${process}'` : `'${process}' ${rule.direction} '${rule.field}'`;
    const logMessage = warns ? `WARNING: approaching threshold (${counter.count}/${rule.maxThreshold}): ${text}` : text;
    this.journal.push({ time: this.now(), process, rule: rule.id, level: rule.level, value, action, version, message: logMessage, count: counter.count });
    if (warns) this.totals.warnings++;
    if (!acts) return undefined;
    const info = { process, rule: rule.id, value };
    const times = `failed ${counter.count} time${counter.count === 1 ? '' : 's'} (threshold ${rule.maxThreshold})`;
    const options = cause === undefined ? {} : { cause };
    switch (rule.level) {
      case 'B':
        this.totals.blocks++;
        return new AuditBlockError(`Audit blocked ${subject}: ${times}: ${text}. The transaction was rolled back.`, info, options);
      case 'A':
        this.totals.aborts++;
        return new AuditAbortError(`Audit aborted ${subject}: ${times}: ${text}. The transaction was rolled back and the workflow aborted.`, info, options);
      default: {
        this.totals.stops++;
        const reason = `${subject} ${times}: ${text}`;
        this.stoppedBy = { process, rule: rule.id, reason };
        return new AuditStopError(`Audit stop: ${reason}. The engine refuses all work until audit.reset() is called.`, info, options);
      }
    }
  }

  private stopError(): AuditStopError {
    const by = this.stoppedBy as { process: string; rule: string; reason: string };
    return new AuditStopError(`Audit stop in force since ${by.reason}. Call audit.reset() to resume.`, { process: by.process, rule: by.rule });
  }

  private stateOf(process: string): ProcessState {
    let state = this.states.get(process);
    if (state === undefined) {
      if (typeof process !== 'string' || process.length === 0) throw invalidArgument('audit: the process name must be a non-empty string.');
      state = { name: process, inputs: [], outputs: [], outputPaths: [], exception: this.exceptionCounter(process), successes: 0, failures: 0 };
      this.states.set(process, state);
    }
    return state;
  }

  private exceptionCounter(process: string): Counter {
    const entry = this.recipe.processes.get(process);
    const settings = resolveSettings({}, entry, this.recipe.defaults);
    const rule: EffectiveAuditRule = Object.freeze({
      id: EXCEPTION_RULE,
      direction: 'process',
      field: EXCEPTION_RULE,
      conditions: Object.freeze({}),
      ...settings,
      message: undefined,
      source: entry?.source ?? '<global settings>',
    });
    return { rule, count: 0, violations: 0 };
  }
}
