import { AsyncLocalStorage } from 'node:async_hooks';
import { readdir } from 'node:fs/promises';
import { extname, join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  AuditAbortError,
  AuditBlockError,
  AuditStopError,
  ConflictError,
  ContractViolationError,
  PermissionDeniedError,
  SystemBusyError,
  TheusError,
  invalidArgument,
} from '../errors.js';
import { parseDottedPath } from '../core/path.js';
import { State, nextState } from '../core/state.js';
import { Transaction, type TransactionResult } from '../core/transaction.js';
import { Kind, kindOfRaw } from '../core/kinds.js';
import { Guard } from '../contracts/guard.js';
import { isProcess } from '../contracts/process.js';
import type { StateUpdateInit } from '../contracts/state-update.js';
import type { Contract, ProcessDefinition } from '../contracts/types.js';
import { BUILTIN_ROOTS, validateContract } from '../contracts/validate.js';
import { Zone, zoneOfPath } from '../contracts/zones.js';
import { SignalHub, assertPublishableTopic } from '../signals/index.js';
import { AuditSystem } from '../audit/index.js';
import { SchemaGate } from '../schema/index.js';
import { orchestrate, runWorkflow, type FluxHost, type OrchestrateOptions, type OrchestratorHandle, type RunWorkflowOptions, type WorkflowResult, type Workflow } from '../flux/index.js';
import { HeavyAllocator, type Dtype, type HeavyArray, type HeavyStats } from '../heavy/index.js';
import { ParallelPool } from '../parallel/index.js';
import type { ProcessTaskPayload, ProcessTaskResult } from '../parallel/process-task.js';
import { assertData } from './args.js';
import { CommitLog, displayPaths } from './commit-log.js';
import { changedPaths, notMarker, prefixOverlap, readPath, touchedKeys } from './commit-result.js';
import { ExecutionContext, SignalBuffer } from './context.js';
import { Deadline } from './deadline.js';
import { PriorityLane, backoffMs } from './lane.js';
import { MetaLog, type MetaEntry } from './meta-log.js';
import { Metrics, type EngineMetrics } from './metrics.js';
import { resolveOptions, type EngineOptions, type ResolvedOptions } from './options.js';
import { applyOutputs } from './output-mapping.js';
import { assertWorkerLoadable, declaredData, reattach } from './parallel-data.js';
import { isThenable, throwIfAborted, unproxy } from './results.js';
import { applyOps, entriesOf, mergePath } from './updates.js';

export interface ExecuteOptions {
  /** Aborts the execution: before commit, nothing is committed and the promise rejects. */
  signal?: AbortSignal;
  /** Parallel processes: a worker running longer than this is stopped (WorkerCrashedError). */
  timeoutMs?: number;
}

/** `engine.heavy`: shared-memory arrays that live in the `heavy` root by reference. */
export interface HeavyZone {
  /** Allocates a SharedArrayBuffer-backed array and commits it at `heavy.<key>`. */
  alloc<D extends Dtype>(key: string, shape: readonly number[], dtype: D): HeavyArray<D>;
  get(key: string): HeavyArray | undefined;
  has(key: string): boolean;
  /** Removes `heavy.<key>` (a commit) and releases its accounting; holders keep a valid view. */
  free(key: string): boolean;
  stats(): HeavyStats;
}

const PROCESS_TASK = new URL('../parallel/process-task.js', import.meta.url).href;

interface Registered {
  readonly def: ProcessDefinition;
  readonly contract: Contract;
}

interface Validating {
  kind: 'validating';
  pending: PromiseLike<void>;
  root: Readonly<Record<string, unknown>>;
  current: State;
  result: TransactionResult;
  signals: readonly (readonly [string, unknown])[];
  value: unknown;
}

type Outcome = { kind: 'done'; value: unknown } | { kind: 'conflict'; paths: string[]; expected: number; actual: number } | Validating;

/** Marks the async context of a running process, to refuse re-entrant engine calls. */
const running = new AsyncLocalStorage<TheusEngine>();

const NO_SIGNALS: Readonly<Record<string, unknown>> = Object.freeze({});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A process rejected by the audit system already counted itself there. */
function isAuditError(e: unknown): boolean {
  return e instanceof AuditBlockError || e instanceof AuditAbortError || e instanceof AuditStopError;
}

/**
 * The engine: holds the current State, runs processes in transactions and commits them by
 * optimistic compare-and-swap. JavaScript runs one commit at a time, so the check-and-install
 * step needs no lock; concurrency comes from async processes interleaving across `await`.
 */
export class TheusEngine {
  #state: State;
  readonly #options: ResolvedOptions;
  readonly #roots: ReadonlySet<string>;
  readonly #rootCeilings: ReadonlyMap<string, number>;
  readonly #registry = new Map<string, Registered>();
  readonly #byDef = new WeakMap<ProcessDefinition, Registered>();
  readonly #log = new CommitLog();
  readonly #lane = new PriorityLane();
  readonly #metrics = new Metrics();
  readonly #meta = new MetaLog();
  readonly #signals: SignalHub;
  readonly #audit: AuditSystem | undefined;
  readonly #schema: SchemaGate | undefined;
  readonly #allocator: HeavyAllocator;
  readonly #workerOptions: EngineOptions['workers'];
  #pool: ParallelPool | undefined;
  #auditVerified = false;
  #closed = false;

  constructor(context: Record<string, unknown> = {}, options: EngineOptions = {}) {
    this.#options = resolveOptions(options);
    if (kindOfRaw(context) !== Kind.Plain) throw invalidArgument('The engine context must be a plain object such as { domain: {…}, global: {…} }.');
    const initial: Record<string, unknown> = { meta: {}, ...context };
    for (const [name, ns] of this.#options.namespaces) {
      if (name in initial && ns.initial !== undefined) throw invalidArgument(`Namespace '${name}' has initial data both in the context and in its policy.`);
      initial[name] = initial[name] ?? ns.initial ?? {};
    }
    const roots = new Set<string>([...BUILTIN_ROOTS, ...this.#options.namespaces.keys()]);
    for (const key of Object.keys(initial)) {
      if (!roots.has(key)) throw invalidArgument(`Unknown context root '${key}': the roots are ${[...roots].join(', ')} (declare others with the namespaces option).`);
      if (key === 'signal') throw invalidArgument(`'signal' is not stored state: signals are emitted by processes and published after commit.`);
    }
    this.#roots = roots;
    this.#rootCeilings = new Map([...this.#options.namespaces].map(([k, v]) => [k, v.ceiling]));
    this.#state = State.create(initial);
    this.#signals = new SignalHub({ versionOf: () => this.#state.version });
    this.#audit =
      options.auditRecipe === undefined ? undefined : new AuditSystem(options.auditRecipe, options.auditLogCapacity === undefined ? {} : { logCapacity: options.auditLogCapacity });
    this.#allocator = new HeavyAllocator(options.heavyCapacityBytes === undefined ? {} : { capacityBytes: options.heavyCapacityBytes });
    this.#workerOptions = options.workers;
    this.#schema = options.schema === undefined ? undefined : new SchemaGate(options.schema as ConstructorParameters<typeof SchemaGate>[0], { roots: [...roots] });
    if (this.#schema) {
      const initialState = this.#state;
      const checked = this.#schema.validateAll((path) => readPath(initialState.data, parseDottedPath(path)));
      if (isThenable(checked)) void Promise.resolve(checked).catch(() => undefined);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Reading

  /** The current committed State (immutable; later commits produce new States). */
  get state(): State {
    return this.#state;
  }

  get signals(): SignalHub {
    return this.#signals;
  }

  get strictGuards(): boolean {
    return this.#options.strictGuards;
  }

  set strictGuards(value: boolean) {
    if (typeof value !== 'boolean') throw invalidArgument('strictGuards must be a boolean.');
    this.#options.strictGuards = value;
  }

  get strictCas(): boolean {
    return this.#options.strictCas;
  }

  set strictCas(value: boolean) {
    if (typeof value !== 'boolean') throw invalidArgument('strictCas must be a boolean.');
    this.#options.strictCas = value;
  }

  metrics(): EngineMetrics {
    return this.#metrics.snapshot();
  }

  /** Engine events: admin elevations, orchestrator transitions, audit-relevant notes (bounded). */
  metaLog(filter: { kind?: string; limit?: number } = {}): MetaEntry[] {
    return this.#meta.read(filter);
  }

  /** The audit system's log, rules and counters. */
  get audit(): {
    log: AuditSystem['log'];
    inspect: AuditSystem['inspect'];
    stats: AuditSystem['stats'];
    reset: () => void;
    readonly stopped: boolean;
  } {
    const a = this.#audit;
    return {
      log: (filter) => a?.log(filter) ?? [],
      inspect: (name) => a?.inspect(name),
      stats: (): ReturnType<AuditSystem['stats']> =>
        a?.stats() ?? { stopped: false, processes: [], totals: { violations: 0, warnings: 0, blocks: 0, aborts: 0, stops: 0, successes: 0, failures: 0, logEntries: 0 } },
      reset: () => a?.reset(),
      get stopped() {
        return a?.stopped ?? false;
      },
    };
  }

  /** Names of registered processes. */
  processes(): string[] {
    return [...this.#registry.keys()];
  }

  /** The validated contract of a registered process. */
  contractOf(name: string): Contract | undefined {
    return this.#registry.get(name)?.contract;
  }

  // -------------------------------------------------------------------------------------------
  // Registration

  /** Validates the contract and registers the process under its name. */
  register(def: ProcessDefinition): this {
    this.#assertOpen();
    if (!isProcess(def)) throw invalidArgument(`register() takes a process made with process(contract, fn); got ${typeof def === 'function' ? 'a plain function' : typeof def}.`);
    const contract = validateContract(def, this.#roots);
    if (this.#registry.has(contract.name)) throw new ContractViolationError(`A process named '${contract.name}' is already registered.`);
    if (contract.parallel) assertWorkerLoadable(def);
    const entry = { def, contract };
    this.#registry.set(contract.name, entry);
    this.#byDef.set(def, entry);
    this.#auditVerified = false;
    return this;
  }

  /** Imports every module under `dir` and registers each exported process. Returns their names. */
  async scanAndRegister(dir: string, options: { extensions?: readonly string[] } = {}): Promise<string[]> {
    this.#assertOpen();
    if (typeof dir !== 'string' || dir.length === 0) throw invalidArgument('scanAndRegister(dir) takes a directory path.');
    const root = resolvePath(dir);
    const exts = new Set(options.extensions ?? defaultExtensions());
    const files: string[] = [];
    const walk = async (d: string, depth: number) => {
      if (depth > 32) return;
      let entries;
      try {
        entries = await readdir(d, { withFileTypes: true });
      } catch (e) {
        throw new TheusError('INVALID_ARGUMENT', `scanAndRegister: cannot read directory '${d}': ${(e as Error).message}`, { cause: e });
      }
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        if (e.name.startsWith('.') || e.name === 'node_modules') continue;
        const full = join(d, e.name);
        if (e.isDirectory()) await walk(full, depth + 1);
        else if (e.isFile() && exts.has(extname(e.name)) && !/\.d\.[cm]?ts$/.test(e.name) && !/\.(test|spec)\./.test(e.name)) files.push(full);
      }
    };
    await walk(root, 0);
    const names: string[] = [];
    for (const file of files) {
      let mod: Record<string, unknown>;
      try {
        mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      } catch (e) {
        throw new TheusError('INVALID_ARGUMENT', `scanAndRegister: importing '${file}' failed: ${(e as Error).message}`, { cause: e });
      }
      for (const value of new Set(Object.values(mod))) {
        if (!isProcess(value) || this.#byDef.has(value)) continue;
        this.register(value);
        names.push(value.processName);
      }
    }
    return names;
  }

  // -------------------------------------------------------------------------------------------
  // Executing

  /** Runs a process (by definition or registered name) in a transaction; returns its return value. */
  async execute<R = unknown>(target: ProcessDefinition<any, R> | string, args?: unknown, options: ExecuteOptions = {}): Promise<Awaited<R>> {
    this.#assertOpen();
    this.#assertNotNested('execute');
    const entry = this.#resolve(target);
    const { contract } = entry;
    assertData(args, 'args');
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw invalidArgument('execute options.signal must be an AbortSignal.');
    this.#verifyAudit();
    this.#audit?.assertRunning();
    if (this.#options.strictGuards && contract.semantic !== 'pure') {
      for (const i of contract.inputs) {
        const z = zoneOfPath(i.segments);
        if (z === Zone.Signal || z === Zone.Meta) {
          throw new PermissionDeniedError('read', `Process '${contract.name}' declares input '${i.text}' in the ${z === Zone.Signal ? 'signal' : 'meta'} zone, which strict guards forbid as an input (control zones are not business data).`, { path: i.text });
        }
      }
    }
    if (this.#audit?.hasRules(contract.name)) this.#audit.checkInputs(contract.name, args, this.#state.version);
    const token = {};
    let conflicts = 0;
    try {
      for (;;) {
        throwIfAborted(options.signal);
        const pending = contract.parallel ? this.#attemptParallel(entry, args, token, options) : this.#attempt(entry, args, token, options.signal);
        const outcome = isThenable(pending) ? await pending : pending;
        if (outcome.kind === 'done') {
          this.#metrics.bump(contract.name, 'commits');
          if (this.#audit?.names(contract.name)) this.#audit.recordSuccess(contract.name, this.#state.version);
          return outcome.value as Awaited<R>;
        }
        if (outcome.kind !== 'conflict') throw new TheusError('INTERNAL', 'unexpected commit outcome');
        conflicts++;
        this.#metrics.bump(contract.name, 'conflicts');
        if (conflicts > this.#options.maxRetries) {
          const paths = displayPaths(outcome.paths);
          throw new ConflictError(
            `Process '${contract.name}' lost ${conflicts} optimistic commits in a row (maxRetries ${this.#options.maxRetries}); contested: ${paths.join(', ')}.`,
            { expectedVersion: outcome.expected, actualVersion: outcome.actual, paths },
          );
        }
        this.#metrics.bump(contract.name, 'retries');
        if (conflicts >= this.#options.vipAfter && !this.#lane.isHeldBy(token)) {
          // Queue for the lane (FIFO) rather than re-running against each successive holder.
          await this.#lane.acquire(token);
          this.#assertOpen();
          this.#metrics.bump(contract.name, 'vipGrants');
          this.#meta.add('vip', `process '${contract.name}' took the priority lane after ${conflicts} conflicts`, this.#state.version);
        }
        if (!this.#lane.isHeldBy(token)) await sleep(backoffMs(conflicts - 1, this.#options.backoffBaseMs, this.#options.backoffMaxMs));
      }
    } catch (e) {
      this.#metrics.bump(contract.name, 'rollbacks');
      // Only processes the recipe names are audited: an unrelated process's business errors must
      // not turn into audit blocks because some other process has rules.
      if (this.#audit?.names(contract.name) && !isAuditError(e)) this.#audit.recordFailure(contract.name, e, this.#state.version);
      throw e;
    } finally {
      this.#lane.release(token);
    }
  }

  /**
   * Runs a registered `parallel: true` process in the worker pool. The worker sees copies of the
   * declared inputs and the declared heavy arrays over the same shared memory; its delta commits
   * here through the same audit, schema and compare-and-swap path as any process, and a conflict
   * re-runs the task.
   */
  async executeParallel<R = unknown>(name: string | ProcessDefinition<any, R>, args?: unknown, options: ExecuteOptions = {}): Promise<Awaited<R>> {
    this.#assertOpen();
    const entry = this.#resolve(name);
    if (!entry.contract.parallel) {
      throw invalidArgument(`executeParallel: process '${entry.contract.name}' is not declared parallel; add parallel: true to its contract, or use execute().`);
    }
    if (options.timeoutMs !== undefined && (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0)) throw invalidArgument('executeParallel: timeoutMs must be a positive number.');
    return this.execute(entry.def as ProcessDefinition<any, R>, args, options);
  }

  /** Shared-memory arrays of the heavy zone. */
  get heavy(): HeavyZone {
    return (this.#heavyZone ??= this.#makeHeavyZone());
  }

  #heavyZone: HeavyZone | undefined;

  #makeHeavyZone(): HeavyZone {
    const allocator = this.#allocator;
    return {
      alloc: <D extends Dtype>(key: string, shape: readonly number[], dtype: D): HeavyArray<D> => {
        this.#assertOpen();
        if (typeof key === 'string' && Object.prototype.hasOwnProperty.call(this.#state.heavy, key)) throw invalidArgument(`heavy.alloc: '${key}' already exists in the heavy zone; free it first.`, `heavy.${key}`);
        const array = allocator.alloc(key, shape, dtype);
        try {
          this.edit((ctx) => {
            ctx.heavy[key] = array;
          });
        } catch (e) {
          allocator.free(key);
          throw e;
        }
        return array;
      },
      get: (key) => (allocator.has(key) ? allocator.get(key) : undefined),
      has: (key) => allocator.has(key),
      free: (key) => {
        this.#assertOpen();
        const had = allocator.free(key);
        if (typeof key === 'string' && Object.prototype.hasOwnProperty.call(this.#state.heavy, key)) {
          this.edit((ctx) => {
            delete ctx.heavy[key];
          });
          return true;
        }
        return had;
      },
      stats: () => allocator.stats(),
    };
  }

  #attemptParallel(entry: Registered, args: unknown, token: object, options: ExecuteOptions): Promise<Outcome> {
    const { def, contract } = entry;
    const base = this.#state;
    const payload: ProcessTaskPayload = {
      moduleUrl: def.moduleUrl!,
      processName: contract.name,
      args,
      ...declaredData(base, contract),
      rootNames: [...this.#roots],
      strict: this.#options.strictGuards,
    };
    this.#pool ??= new ParallelPool(this.#workerOptions ?? {});
    const runOptions: { timeoutMs?: number; signal?: AbortSignal } = { timeoutMs: options.timeoutMs ?? this.#options.writeTimeoutMs };
    if (options.signal) runOptions.signal = options.signal;
    return this.#pool.run<ProcessTaskResult>({ module: PROCESS_TASK, exportName: 'runProcessTask', payload }, runOptions).then((r) => {
      this.#assertOpen();
      const ops = r.ops.map((op) => (op.op === 'remove' ? op : { ...op, value: reattach(op.value) }));
      const root = applyOps(base, ops);
      const result: TransactionResult = { root, ops, writes: new Set(r.writes), reads: new Set(r.reads) };
      return this.#commit(result, base, r.signals, token, contract.name, reattach(r.value));
    });
  }

  /**
   * One attempt: run the process on the current snapshot, map its outputs, commit. Stays
   * synchronous when the process is synchronous and nothing needs waiting for, so a sync process
   * costs one promise (execute's own) rather than one per stage.
   */
  #attempt(entry: Registered, args: unknown, token: object, external: AbortSignal | undefined): Outcome | Promise<Outcome> {
    const { def, contract } = entry;
    const base = this.#state;
    const guard = new Guard(contract, this.#options.strictGuards, this.#rootCeilings);
    const tx = new Transaction(base, { access: guard.root(), trackReads: true });
    const signals = new SignalBuffer(guard);
    const started = performance.now();
    const deadline = new Deadline(this.#options.writeTimeoutMs, external);
    const ctx = new ExecutionContext({
      tx,
      guard,
      input: args,
      signals,
      abortSignal: () => deadline.signal(),
      onAdmin: () => this.#meta.add('admin', `process '${contract.name}' ran an admin block`, base.version),
    });
    let value: unknown;
    try {
      value = running.run(this, () => def.fn(ctx as never, args));
    } catch (e) {
      tx.rollback();
      deadline.dispose();
      throw e;
    }
    if (isThenable(value)) {
      return Promise.resolve(value).then(
        (v) => this.#afterRun(entry, v, tx, guard, signals, deadline, started, external, base, token),
        (e: unknown) => {
          tx.rollback();
          deadline.dispose();
          throw e;
        },
      );
    }
    return this.#afterRun(entry, value, tx, guard, signals, deadline, started, external, base, token);
  }

  #afterRun(
    entry: Registered,
    raw: unknown,
    tx: Transaction,
    guard: Guard,
    signals: SignalBuffer,
    deadline: Deadline,
    started: number,
    external: AbortSignal | undefined,
    base: State,
    token: object,
  ): Outcome | Promise<Outcome> {
    const { contract } = entry;
    let result: TransactionResult;
    let value: unknown;
    let emitted: readonly (readonly [string, unknown])[];
    try {
      value = unproxy(raw);
      const mappedSignals = applyOutputs(tx, guard, value, this.#options.strictGuards);
      emitted = mappedSignals.length === 0 ? signals.pending : [...signals.pending, ...mappedSignals];
      throwIfAborted(external);
      const elapsed = performance.now() - started;
      if (elapsed > this.#options.writeTimeoutMs || deadline.expired) {
        throw new TheusError('WRITE_TIMEOUT', `Process '${contract.name}' kept its transaction open ${Math.round(elapsed)} ms, over writeTimeoutMs ${this.#options.writeTimeoutMs}. Nothing was committed.`);
      }
      result = tx.finish();
    } catch (e) {
      tx.rollback();
      throw e;
    } finally {
      deadline.dispose();
    }
    return this.#commit(result, base, emitted, token, contract.name, value);
  }

  /**
   * Validates and installs a finished transaction. Runs without awaiting between the conflict
   * check and the swap (unless an async schema validator forces it, in which case the swap
   * re-checks that nothing moved).
   */
  #commit(result: TransactionResult, base: State, signals: readonly (readonly [string, unknown])[], token: object, processName: string | undefined, value: unknown): Outcome | Promise<Outcome> {
    if (this.#lane.held && !this.#lane.isHeldBy(token)) {
      return this.#lane.waitFor(token).then(() => this.#commit(result, base, signals, token, processName, value));
    }
    this.#assertOpen();
    const outcome = this.#commitNow(result, base, signals, processName, value);
    return outcome.kind === 'validating' ? this.#finishValidation(outcome) : outcome;
  }

  /** Conflict check, audit output gate and swap, with no await in between: atomic on the event loop. */
  #commitNow(result: TransactionResult, base: State, signals: readonly (readonly [string, unknown])[], processName: string | undefined, value: unknown): Outcome {
    const current = this.#state;
    if (result.ops.length === 0 && signals.length === 0) return { kind: 'done', value };
    let root = result.root;
    if (current !== base) {
      const hits = this.#conflicts(base.version, current.version, result);
      if (hits) return { kind: 'conflict', paths: hits, expected: base.version, actual: current.version };
      root = applyOps(current, result.ops);
    }
    const version = current.version + 1;
    if (processName !== undefined && this.#audit?.hasRules(processName)) {
      // Output rules see what this commit writes: a path it leaves alone reads as undefined (the
      // rule is skipped), so an old value cannot block an unrelated process.
      const written = result.ops.map((op) => op.path);
      this.#audit.checkOutputs(
        processName,
        (path) => {
          const segs = parseDottedPath(path);
          return written.some((w) => prefixOverlap(w, segs)) ? readPath(root, segs) : undefined;
        },
        // The state the check ran against: the would-be version never exists if the rule blocks.
        current.version,
      );
    }
    if (this.#schema) {
      const pending = this.#schema.validate(changedPaths(result), (path) => readPath(root, parseDottedPath(path)));
      if (isThenable(pending)) return { kind: 'validating', pending, root, current, result, signals, value };
    }
    this.#install(root, version, result.writes, signals);
    return { kind: 'done', value };
  }

  /** Finishes a commit whose schema validation is asynchronous: installs only if nothing moved meanwhile. */
  async #finishValidation(o: Validating): Promise<Outcome> {
    await o.pending;
    // The engine may have been closed while the validator ran: nothing may commit after close().
    this.#assertOpen();
    if (this.#state !== o.current) {
      // Another commit landed during validation: go round again, as for a conflict.
      return { kind: 'conflict', paths: ['*'], expected: o.current.version, actual: this.#state.version };
    }
    this.#install(o.root, o.current.version + 1, o.result.writes, o.signals);
    return { kind: 'done', value: o.value };
  }

  /** Schema validation for the synchronous commit paths (edit, compareAndSwap). */
  #validateNow(result: TransactionResult, root: Readonly<Record<string, unknown>>): void {
    if (!this.#schema) return;
    const pending = this.#schema.validate(changedPaths(result), (path) => readPath(root, parseDottedPath(path)));
    if (isThenable(pending)) {
      void Promise.resolve(pending).catch(() => undefined);
      throw invalidArgument('The schema has asynchronous validators: commit through engine.execute() or await engine.transaction(async (tx) => …), which can wait for them.');
    }
  }

  #conflicts(since: number, current: number, result: TransactionResult): string[] | undefined {
    if (this.#options.strictCas) return ['*'];
    return this.#log.conflicts(since, current, touchedKeys(result));
  }

  #install(root: Readonly<Record<string, unknown>>, version: number, writes: ReadonlySet<string>, signals: readonly (readonly [string, unknown])[]): void {
    let latch: Readonly<Record<string, unknown>> = NO_SIGNALS;
    if (signals.length > 0) {
      const l: Record<string, unknown> = {};
      for (const [topic, payload] of signals) {
        // Checked before the swap: a topic the hub would refuse must fail the commit, not follow it.
        assertPublishableTopic(topic);
        l[topic] = payload;
      }
      latch = Object.freeze(l);
    }
    this.#state = nextState(this.#state, root, version, latch);
    this.#log.add(version, writes);
    if (signals.length > 0) this.#signals.publishAll(signals.map(([topic, payload]) => ({ topic, payload, version })));
  }

  // -------------------------------------------------------------------------------------------
  // Workflows

  /**
   * Runs a Flux workflow (YAML file path, YAML text, object, or parsed workflow). Every step is a
   * process executed in its own transaction; an AbortSignal, a throwing step or an audit level A
   * stop the workflow between steps, so no half-finished step is ever committed.
   */
  async executeWorkflow(definition: string | Record<string, unknown> | Workflow, options: RunWorkflowOptions = {}): Promise<WorkflowResult> {
    this.#assertOpen();
    this.#assertNotNested('executeWorkflow');
    return runWorkflow(this.#fluxHost(), definition, options);
  }

  /** Starts a state machine driven by signal topics (see API §8). */
  orchestrate(definition: string | Record<string, unknown>, options: OrchestrateOptions = {}): OrchestratorHandle {
    this.#assertOpen();
    this.#assertNotNested('orchestrate');
    const handle = orchestrate(this.#fluxHost(), definition, options);
    // Tracked so close() can stop it: a machine waiting for signals would otherwise never settle `done`.
    this.#machines.add(handle);
    const forget = () => void this.#machines.delete(handle);
    handle.done.then(forget, forget);
    return handle;
  }

  readonly #machines = new Set<OrchestratorHandle>();
  #host: FluxHost | undefined;

  #fluxHost(): FluxHost {
    return (this.#host ??= {
      hasProcess: (name) => this.#registry.has(name),
      execute: (name, args, opts) => this.execute(name, args, opts.signal ? { signal: opts.signal } : {}),
      conditionScope: () => {
        const s = this.#state;
        return { domain: s.domain, global: s.global, meta: s.get('meta'), signal: s.signals, cmd: s.signals };
      },
      version: () => this.#state.version,
      recordTransition: (entry) => this.#meta.add('transition', `${entry.machine}: ${entry.from} -> ${entry.to} on ${entry.event}`, entry.version, entry),
      subscribe: (pattern, listener) => this.#signals.subscribe(pattern, listener),
    });
  }

  // -------------------------------------------------------------------------------------------
  // Setup and manual commits

  /** Setup outside processes: `fn` edits a transaction over every root; commits atomically, rolls back on throw. */
  edit(fn: (ctx: any) => void): State {
    this.#assertOpen();
    this.#assertNotNested('edit');
    if (typeof fn !== 'function') throw invalidArgument('edit(fn) takes a function.');
    if (this.#lane.held) throw new SystemBusyError('edit() refused: a priority (VIP) writer holds the commit lane; retry shortly.');
    const base = this.#state;
    const tx = new Transaction(base);
    let out: unknown;
    try {
      out = running.run(this, () => fn(tx.all));
      if (isThenable(out)) {
        void Promise.resolve(out).catch(() => undefined);
        throw invalidArgument('edit(fn) must be synchronous so that it is atomic; use engine.transaction(async (tx) => …) for async work.');
      }
    } catch (e) {
      tx.rollback();
      throw e;
    }
    const result = tx.finish();
    if (result.ops.length === 0) return this.#state;
    this.#validateNow(result, result.root);
    this.#install(result.root, base.version + 1, result.writes, []);
    this.#metrics.bump(undefined, 'commits');
    return this.#state;
  }

  /**
   * An explicit transaction against the current version, committed through the engine's CAS.
   * With a callback: runs it, commits, returns the new State (rolls back and rethrows on error).
   */
  transaction(): EngineTransaction;
  transaction(fn: (tx: EngineTransaction) => void | Promise<void>): Promise<State>;
  transaction(fn?: (tx: EngineTransaction) => void | Promise<void>): EngineTransaction | Promise<State> {
    this.#assertOpen();
    this.#assertNotNested('transaction');
    const tx = new EngineTransaction(this.#state, (r, base) => this.#commitManual(r, base));
    if (fn === undefined) return tx;
    if (typeof fn !== 'function') throw invalidArgument('transaction(fn) takes a function.');
    return (async () => {
      try {
        await running.run(this, () => fn(tx));
      } catch (e) {
        tx.rollback();
        throw e;
      }
      return this.#manualOutcome(await this.#commit(tx.finish(), tx.base, [], {}, undefined, undefined));
    })();
  }

  /**
   * Manual optimistic commit: applies `update` if the state is still compatible with
   * `expectedVersion` (key-level, or exact with strictCas). Returns the new State.
   */
  compareAndSwap(expectedVersion: number, update: StateUpdateInit = {}): State {
    this.#assertOpen();
    this.#assertNotNested('compareAndSwap');
    if (!Number.isInteger(expectedVersion) || expectedVersion < 0) throw invalidArgument(`compareAndSwap: expectedVersion must be a non-negative integer (got ${String(expectedVersion)}).`);
    if (typeof update !== 'object' || update === null || Array.isArray(update)) throw invalidArgument('compareAndSwap: the update must be an object { data?, heavy?, signal?, meta? }.');
    for (const k of Object.keys(update)) if (!['data', 'heavy', 'signal', 'meta'].includes(k)) throw invalidArgument(`compareAndSwap: unknown section '${k}'.`);
    // The lane belongs to a running execute(); a process cannot call compareAndSwap (re-entrant
    // calls are refused), so no caller can ever be the lane holder here: there is no `requester`.
    if (this.#lane.held) {
      throw new SystemBusyError('compareAndSwap refused: a priority (VIP) writer holds the commit lane; retry shortly.');
    }
    const current = this.#state;
    if (expectedVersion > current.version) {
      throw new ConflictError(`compareAndSwap expected version ${expectedVersion}, but the state is only at ${current.version}.`, { expectedVersion, actualVersion: current.version, paths: [] });
    }
    const entries = [...entriesOf(update.data, [], 'data'), ...entriesOf(update.heavy, ['heavy'], 'heavy'), ...entriesOf(update.meta, ['meta'], 'meta')];
    for (const [path] of entries) {
      if (!this.#roots.has(String(path[0])) || path[0] === 'signal') throw invalidArgument(`compareAndSwap: '${path.join('.')}' is not under a state root (${[...this.#roots].filter((r) => r !== 'signal').join(', ')}).`, path.join('.'));
    }
    const signals = entriesOf(update.signal, [], 'signal').map(([p, v]) => [p.join('.'), v] as const);
    const tx = new Transaction(current);
    try {
      for (const [path, value] of entries) mergePath(tx.all, path, value);
    } catch (e) {
      tx.rollback();
      throw e;
    }
    const result = tx.finish();
    if (expectedVersion !== current.version) {
      const hits = this.#options.strictCas ? ['*'] : this.#log.conflicts(expectedVersion, current.version, [...result.writes].filter(notMarker));
      if (hits) {
        this.#metrics.bump(undefined, 'conflicts');
        const paths = displayPaths(hits);
        throw new ConflictError(
          `compareAndSwap expected version ${expectedVersion} but found ${current.version}${this.#options.strictCas ? ' (strict CAS)' : `; changed since: ${paths.join(', ')}`}.`,
          { expectedVersion, actualVersion: current.version, paths },
        );
      }
    }
    if (result.ops.length === 0 && signals.length === 0) return current;
    this.#validateNow(result, result.root);
    this.#install(result.root, current.version + 1, result.writes, signals);
    this.#metrics.bump(undefined, 'commits');
    return this.#state;
  }

  #commitManual(result: TransactionResult, base: State): State {
    this.#assertOpen();
    if (this.#lane.held) throw new SystemBusyError('Commit refused: a priority (VIP) writer holds the commit lane; retry shortly.');
    const outcome = this.#commitNow(result, base, [], undefined, undefined);
    if (outcome.kind === 'validating') {
      void Promise.resolve(outcome.pending).catch(() => undefined);
      throw invalidArgument('The schema has asynchronous validators: commit through engine.execute() or await engine.transaction(async (tx) => …), which can wait for them.');
    }
    return this.#manualOutcome(outcome);
  }

  /** A manual commit (transaction, not a process) is not retried: a conflict is the caller's to handle. */
  #manualOutcome(outcome: Outcome): State {
    if (outcome.kind === 'conflict') {
      this.#metrics.bump(undefined, 'conflicts');
      const paths = displayPaths(outcome.paths);
      throw new ConflictError(`Transaction started at version ${outcome.expected} conflicts with commits up to ${outcome.actual}: ${paths.join(', ')}.`, {
        expectedVersion: outcome.expected,
        actualVersion: outcome.actual,
        paths,
      });
    }
    this.#metrics.bump(undefined, 'commits');
    return this.#state;
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  get closed(): boolean {
    return this.#closed;
  }

  /** Stops the engine: later calls fail with ENGINE_CLOSED; streams end; the worker pool shuts down. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#lane.releaseAll();
    // Not awaited: a machine whose entry is stuck in user code must not keep close() from returning.
    for (const machine of this.#machines) void machine.stop();
    this.#signals.close();
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool) await pool.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new TheusError('ENGINE_CLOSED', 'The engine is closed.');
  }

  #assertNotNested(what: string): void {
    if (running.getStore() === this) {
      throw new TheusError(
        'REENTRANT_CALL',
        `engine.${what}() was called from inside a running process. A process runs in its own transaction: compose processes with a workflow (engine.executeWorkflow) or call plain functions instead.`,
      );
    }
  }

  #resolve(target: ProcessDefinition | string): Registered {
    if (typeof target === 'string') {
      const entry = this.#registry.get(target);
      if (!entry) throw new TheusError('UNKNOWN_PROCESS', `No process named '${target}' is registered${this.#registry.size > 0 ? ` (registered: ${[...this.#registry.keys()].slice(0, 10).join(', ')})` : ''}.`);
      return entry;
    }
    if (!isProcess(target)) {
      throw invalidArgument(`execute() takes a process made with process(contract, fn) or a registered name; got ${typeof target === 'function' ? 'a plain function' : typeof target}.`);
    }
    const known = this.#byDef.get(target);
    if (known) return known;
    const byName = this.#registry.get(target.processName);
    if (byName && byName.def !== target) throw new ContractViolationError(`Another process named '${target.processName}' is already registered.`);
    this.register(target);
    return this.#byDef.get(target)!;
  }

  #verifyAudit(): void {
    if (this.#audit && !this.#auditVerified) {
      this.#audit.verifyProcesses(this.#registry.keys());
      this.#auditVerified = true;
    }
  }
}

/**
 * A transaction whose commit goes through the engine: key-level conflict check against commits
 * made since it began (INC-028), then installed as the engine's new state.
 */
export class EngineTransaction extends Transaction {
  readonly #commitVia: (r: TransactionResult, base: State) => State;

  constructor(base: State, commitVia: (r: TransactionResult, base: State) => State) {
    super(base);
    this.#commitVia = commitVia;
  }

  /** Installs the changes in the engine; throws ConflictError (and commits nothing) when they conflict. */
  override commit(): State {
    return this.#commitVia(this.finish(), this.base);
  }
}

// ---------------------------------------------------------------------------------------------

function defaultExtensions(): string[] {
  const exts = ['.js', '.mjs', '.cjs'];
  // TypeScript sources can only be imported where a loader handles them (Vitest, tsx, Node ≥ 22.6).
  const features = process.features as { typescript?: unknown };
  if (features.typescript || process.env.VITEST || process.env.TSX) exts.push('.ts', '.mts', '.cts');
  return exts;
}
