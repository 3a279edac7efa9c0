import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
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
  StorageError,
  SystemBusyError,
  TheusError,
  WorkerCrashedError,
  invalidArgument,
} from '../errors.js';
import { conflictKey, parseDottedPath, type Segment } from '../core/path.js';
import type { DeltaOp } from '../core/delta.js';
import { sealValue } from '../core/seal.js';
import { State, nextState } from '../core/state.js';
import { Transaction, type TransactionResult } from '../core/transaction.js';
import { Kind, kindOfRaw } from '../core/kinds.js';
import { Guard } from '../contracts/guard.js';
import { isProcess } from '../contracts/process.js';
import type { StateUpdateInit } from '../contracts/state-update.js';
import type { PathPattern } from '../contracts/pattern.js';
import type { Contract, ProcessDefinition } from '../contracts/types.js';
import { BUILTIN_ROOTS, validateContract } from '../contracts/validate.js';
import { ZONE_NAMES, isControlZone, zoneOfPath } from '../contracts/zones.js';
import { SignalHub, assertPublishableTopic } from '../signals/index.js';
import { AuditSystem } from '../audit/index.js';
import { SchemaGate } from '../schema/index.js';
import { orchestrate, runWorkflow, type FluxHost, type OrchestrateOptions, type OrchestratorHandle, type RunWorkflowOptions, type WorkflowResult, type Workflow } from '../flux/index.js';
import { HeavyAllocator, type Dtype, type HeavyArray, type HeavyStats } from '../heavy/index.js';
import { ParallelPool } from '../parallel/index.js';
import { MemoryOutbox } from '../storage/memory-outbox.js';
import { OutboxRelay, type DrainResult, type OutboxHandler, type OutboxRelayOptions } from '../storage/outbox-relay.js';
import type { CommitEntry, CommitVerdict, DeadLetter, HistoryQuery, HistoryRecord, OutboxMessageInit, TheusStore } from '../storage/store.js';
import type { ProcessTaskPayload, ProcessTaskResult } from './worker-task.js';
import { assertData } from './args.js';
import { runAttempt, type AttemptOutput, type AttemptSpec } from './attempt.js';
import { attemptChannel, auditChannel, commitChannel, conflictChannel, engineChannel, executeChannel, executeTraced, signalChannel, workerTaskChannel, type AttemptEvent, type CommitRoute, type EngineEvent, type ExecuteEvent, type WorkerTaskEvent } from './channels.js';
import type { AttachedInspector } from '../inspect/attach.js';
import type { Inspector } from '../inspect/start.js';
import { captureTraceCarrier } from '../otel/trace-hook.js';
import { CommitLog, displayPaths } from './commit-log.js';
import { notMarker, prefixOverlap, readPath, touchedKeys } from './commit-result.js';
import { OutboxBuffer } from './context.js';
import { Deadline, DeadlineWatcher } from './deadline.js';
import { PriorityLane, backoffMs } from './lane.js';
import { StoreLane, declaredKeys } from './store-lane.js';
import { RecentHistory } from './recent-history.js';
import { MetaLog, type MetaEntry } from './meta-log.js';
import { Metrics, type EngineMetrics } from './metrics.js';
import { checkOps, type Actor, type Restore } from './op-check.js';
import { resolveOptions, type EngineOptions, type ResolvedOptions } from './options.js';
import { assertWorkerLoadable, declaredData, reattach } from './parallel-data.js';
import { GroupCommitter } from './persist.js';
import { isThenable, throwIfAborted } from './results.js';
import { schemaPaths } from './schema-paths.js';
import { assertNotImportedByWorker } from './worker-mark.js';
import { applyOps, entriesOf, leafPaths, mergePath, setPath } from './updates.js';

export type OpenOptions = EngineOptions;

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

const PROCESS_TASK = new URL('./worker-task.js', import.meta.url).href;

interface Registered {
  readonly def: ProcessDefinition;
  readonly contract: Contract;
  /** The input that strict guards refuse (one in a control zone), found once at registration. */
  readonly controlInput: PathPattern | undefined;
}

function registered(def: ProcessDefinition, contract: Contract): Registered {
  const controlInput = contract.semantic === 'pure' ? undefined : contract.inputs.find((i) => isControlZone(zoneOfPath(i.segments)));
  return { def, contract, controlInput };
}

type Outcome = { kind: 'done'; value: unknown } | { kind: 'conflict'; paths: string[]; expected: number; actual: number };

/** Wait for the priority lane or refuse (SYSTEM_BUSY); await asynchronous gates or refuse them. */
interface CommitPolicy {
  readonly lane: 'wait' | 'refuse';
  readonly asyncGates: 'await' | 'refuse';
}

/**
 * A commit request: what every route builds and the one pipeline checks, gates, persists,
 * installs and publishes. Paths are segment arrays throughout.
 */
interface CommitRequest {
  readonly route: CommitRoute;
  readonly actor: Actor;
  readonly processName: string | null;
  readonly executionId: string | null;
  readonly attempt: number;
  /** The version whose commits this request has seen: later commits are checked for conflicts. */
  readonly baseVersion: number;
  /** The State `result.root` was built from (the same as the base, except for compareAndSwap). */
  readonly built: State;
  readonly result: TransactionResult;
  /** Conflict keys to check; default: everything read and written. */
  readonly conflictKeys?: Iterable<string>;
  readonly signals: readonly (readonly [string, unknown])[];
  readonly outbox: readonly OutboxMessageInit[];
  readonly adminWrites?: readonly (readonly Segment[])[];
  readonly policy: CommitPolicy;
  /** The execute call holding (or queueing for) the lane, if any. */
  readonly token?: object;
  readonly value: unknown;
}

const NO_RECORDED_SIGNALS: readonly { topic: string; payload: unknown }[] = Object.freeze([]);

const SETUP_POLICY: CommitPolicy = { lane: 'refuse', asyncGates: 'refuse' };
const WAITING_POLICY: CommitPolicy = { lane: 'wait', asyncGates: 'await' };

/** The usual execute() call passes no options: one shared empty object instead of one per call. */
const NO_OPTIONS: ExecuteOptions = Object.freeze({});

/**
 * Marks the async context of a running process, to refuse re-entrant engine calls. The mark is an
 * object whose `live` flag drops when the process's transaction ends: work the process scheduled
 * (a timer) may call the engine afterwards.
 */
interface RunMark {
  readonly engine: TheusEngine;
  live: boolean;
}
const running = new AsyncLocalStorage<RunMark>();

/** Calls the process as its definition's method, as `def.fn(ctx, args)` always has. */
function callProcess(def: ProcessDefinition, ctx: unknown, args: unknown): unknown {
  return def.fn(ctx as never, args);
}

/**
 * A main-thread attempt's spec, whose methods stand in for the closures each attempt would
 * otherwise allocate. The re-entrancy mark stays a small object of its own: work the process
 * schedules keeps its async context (and so the mark) alive, and must not pin the attempt's base
 * state and arguments with it.
 */
class MainThreadAttempt implements AttemptSpec {
  readonly #mark: RunMark;

  constructor(
    engine: TheusEngine,
    private readonly meta: MetaLog,
    readonly def: ProcessDefinition,
    readonly contract: Contract,
    readonly base: State,
    readonly args: unknown,
    readonly strict: boolean,
    readonly rootCeilings: ReadonlyMap<string, number>,
    readonly deadline: Deadline,
  ) {
    this.#mark = { engine, live: true };
  }

  enter(def: ProcessDefinition, ctx: unknown, args: unknown): unknown {
    return running.run(this.#mark, callProcess, def, ctx, args);
  }

  onEnd(): void {
    this.#mark.live = false;
  }

  onAdmin(): void {
    this.meta.add('admin', `process '${this.contract.name}' ran an admin block`, this.base.version);
  }
}

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
  readonly #engineId = randomUUID();
  #commitSeq = 0;
  #executionSeq = 0;
  /** Deadlines of pending attempts: one timer for all; close() cuts them off. */
  readonly #watcher = new DeadlineWatcher();
  /** Set when the engine can no longer commit: a failed initial schema check, a failed durable write. */
  #broken: TheusError | undefined;
  /** A store the engine owns: the last State whose write is durable (memory may be ahead of it). */
  #acked: State | undefined;
  #initialCheck: Promise<void> | undefined;
  #store: TheusStore | undefined;
  /** Durable (awaited) persistence; false for the in-memory store, which records synchronously. */
  #durable = false;
  #committer: GroupCommitter | undefined;
  #unfollow: (() => void) | undefined;
  /** Authoritative stores: installs waiting for the versions before them. */
  /** Versions waiting for their predecessors: `apply` installs one; `fail` rejects whoever awaits it. */
  readonly #ordered = new Map<number, { apply: () => void; fail?: (e: unknown) => void }>();
  /** Stores with `lockPaths`: the priority lane shared by every engine on the store. */
  readonly #storeLane = new StoreLane();
  readonly #relays = new Set<OutboxRelay>();
  #outboxApi: EngineOutbox | undefined;
  /** Without a store: the recent versions, and the outbox (created when first needed). */
  #recent: RecentHistory | undefined;
  #memOutbox: MemoryOutbox | undefined;

  /**
   * A ready engine over durable storage (`storage`: a SQLite file path or a store object), or in
   * memory without it. On reopen the stored state wins; `initial` seeds an empty store only.
   * Awaits an asynchronous schema's verdict on the initial state.
   */
  static async open(initial: Record<string, unknown> = {}, options: OpenOptions = {}): Promise<TheusEngine> {
    if (typeof options !== 'object' || options === null) throw invalidArgument('TheusEngine.open(initial, options): options must be an object.');
    const { storage, durability, ...rest } = options;
    if (durability !== undefined && durability !== 'full' && durability !== 'normal') throw invalidArgument(`durability must be 'full' or 'normal' (got ${JSON.stringify(durability)}).`);
    let store: TheusStore | undefined;
    if (typeof storage === 'string') {
      if (storage.length === 0) throw invalidArgument('storage must be a file path or a store object.');
      const mod = (await import('../storage/sqlite/index.js' as string).catch((e: unknown) => {
        throw new StorageError(`SQLite storage could not be loaded (is better-sqlite3 installed? npm install better-sqlite3): ${(e as Error).message}`, { cause: e, file: storage });
      })) as { sqliteStore: (path: string, o?: { durability?: 'full' | 'normal' }) => TheusStore };
      store = mod.sqliteStore(storage, durability === undefined ? {} : { durability });
    } else if (storage !== undefined) {
      store = assertStore(storage);
    }
    const engine = new TheusEngine(initial, { ...rest, [STORE_KEY]: store } as EngineOptions);
    void durability;
    try {
      await engine.#openStore(initial);
      if (engine.#initialCheck) await engine.#initialCheck;
      if (engine.#broken) throw engine.#broken;
      engine.#announce();
    } catch (e) {
      await engine.close().catch(() => undefined);
      throw e;
    }
    return engine;
  }

  constructor(context: Record<string, unknown> = {}, options: EngineOptions = {}) {
    assertNotImportedByWorker();
    const given = options as EngineOptions & { [STORE_KEY]?: TheusStore };
    if (typeof options === 'object' && options !== null && options.storage !== undefined && !(STORE_KEY in given)) {
      throw invalidArgument('Durable storage is opened asynchronously: use `await TheusEngine.open(initial, { storage })` instead of new TheusEngine().');
    }
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
      if (isThenable(checked)) {
        // A constructor cannot wait: the verdict arrives later, and a rejection makes every later
        // commit fail with it (TheusEngine.open awaits it and rejects instead).
        this.#initialCheck = Promise.resolve(checked).then(
          () => {
            this.#initialCheck = undefined;
          },
          (e: unknown) => {
            this.#initialCheck = undefined;
            this.#broken = e instanceof TheusError ? e : new TheusError('SCHEMA_VIOLATION', String(e), { cause: e });
          },
        );
      }
    }
    const store = given[STORE_KEY];
    if (store) {
      this.#store = store;
      this.#durable = store.kind !== 'memory' || store.authoritative;
      if (this.#durable) this.#committer = new GroupCommitter(store);
    } else {
      // No store: history and time travel come from the recent States themselves and the outbox
      // from a memory outbox, so a commit costs one small record and no promise.
      if (this.#options.historyLimit > 0) {
        this.#recent = new RecentHistory(this.#options.historyLimit);
        this.#recent.start(this.#state);
      }
    }
    // An engine from TheusEngine.open() shows itself once its store is open (its state is the stored one).
    if (!(STORE_KEY in given)) this.#announce();
  }

  /**
   * Tells a process-wide inspector (the `theus inspect` preload) that this engine exists, and
   * starts the `inspect` option's own inspector. Its module is loaded on demand so that engines
   * without it never load node:http; the commits made before it loads are not in its timeline,
   * but the state it starts from includes them.
   */
  #announce(): void {
    if (engineChannel.hasSubscribers) engineChannel.publish({ engineId: this.#engineId, engine: this } satisfies EngineEvent);
    const inspect = this.#options.inspect;
    if (inspect === undefined) return;
    this.#inspecting = (async () => {
      try {
        const { attachInspector } = await import('../inspect/attach.js');
        return this.#closed ? undefined : attachInspector(this, inspect);
      } catch (e) {
        // Like a server that cannot listen: reported, never thrown into the application.
        process.stderr.write(`theus inspect: not started: ${e instanceof Error ? e.message : String(e)}\n`);
        return undefined;
      }
    })();
  }

  #inspecting: Promise<AttachedInspector | undefined> | undefined;

  /** The engine's id in diagnostics channel events (`engineId`), unique per engine instance. */
  get engineId(): string {
    return this.#engineId;
  }

  /**
   * With the `inspect` option: resolves once the inspector page listens (`(await engine.inspector)?.url`);
   * undefined without the option, when the server could not start, or after close().
   */
  get inspector(): Promise<Inspector | undefined> {
    const attaching = this.#inspecting;
    if (attaching === undefined) return Promise.resolve(undefined);
    return attaching.then((a) => (a === undefined || this.#closed ? undefined : a.ready));
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

  /**
   * Without storage: how many recent versions `history()` and `stateAt()` keep (the
   * `historyLimit` option). Settable, so a tool that attaches later (an inspector) can start
   * recording; raising it keeps recording from the current version on.
   */
  get historyLimit(): number {
    return this.#store ? Infinity : this.#options.historyLimit;
  }

  set historyLimit(limit: number) {
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0 || limit > 1_000_000) throw invalidArgument('historyLimit must be an integer from 0 to 1000000.');
    if (this.#store) throw invalidArgument('historyLimit applies to engines without storage: a store keeps its own history.');
    if (limit === this.#options.historyLimit) return;
    this.#options.historyLimit = limit;
    if (limit === 0) {
      this.#recent = undefined;
      return;
    }
    const recent = new RecentHistory(limit);
    recent.start(this.#state);
    this.#recent = recent;
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
    if (this.#byDef.has(def)) throw new ContractViolationError(`The process '${contract.name}' is already registered (execute it by name or by definition; registering it again is a mistake).`);
    const existing = this.#registry.get(contract.name);
    if (existing) {
      if (existing.def.moduleUrl === def.moduleUrl && sameContract(existing.contract, contract)) {
        // The same process defined again (inline, per request): its function runs under the registered contract.
        this.#byDef.set(def, registered(def, existing.contract));
        return this;
      }
      throw differentContract(existing, def, contract);
    }
    if (contract.parallel) assertWorkerLoadable(def);
    const entry = registered(def, contract);
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
  async execute<R = unknown>(target: ProcessDefinition<any, R> | string, args?: unknown, options: ExecuteOptions = NO_OPTIONS): Promise<Awaited<R>> {
    this.#assertOpen();
    this.#assertNotNested('execute');
    const entry = this.#resolve(target);
    const { contract } = entry;
    assertData(args, 'args');
    if (typeof options !== 'object' || options === null) throw invalidArgument('execute options must be an object.');
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw invalidArgument('execute options.signal must be an AbortSignal.');
    if (this.#initialCheck) await this.#initialCheck;
    this.#assertWritable();
    this.#verifyAudit();
    const control = entry.controlInput;
    if (this.#options.strictGuards && control !== undefined) {
      throw new PermissionDeniedError('read', `Process '${contract.name}' declares input '${control.text}' in the ${ZONE_NAMES[zoneOfPath(control.segments)]} zone, which strict guards forbid as an input (control zones are not business data).`, { path: control.text });
    }
    if (this.#audit?.hasRules(contract.name)) this.#audit.checkInputs(contract.name, args, this.#state.version);
    const executionId = executeChannel.hasSubscribers || attemptChannel.hasSubscribers || commitChannel.hasSubscribers || conflictChannel.hasSubscribers ? `${this.#engineId}:${++this.#executionSeq}` : null;
    // The execute tracing channel wraps the whole call; built only when someone listens (to more than errors).
    const event: ExecuteEvent | undefined = executeTraced() ? { engineId: this.#engineId, process: contract.name, executionId: executionId!, parallel: contract.parallel } : undefined;
    if (event) executeChannel.start.publish(event);
    const token = {};
    let conflicts = 0;
    let waited = 0;
    try {
      for (let attempt = 1; ; attempt++) {
        throwIfAborted(options.signal);
        const pending = this.#traceAttempt(entry, args, token, options, executionId, attempt, waited);
        const outcome = isThenable(pending) ? await pending : pending;
        if (outcome.kind === 'done') {
          this.#metrics.bump(contract.name, 'commits');
          if (this.#audit?.names(contract.name)) this.#audit.recordSuccess(contract.name, this.#state.version);
          if (event) event.result = outcome.value;
          return outcome.value as Awaited<R>;
        }
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
          const store = this.#store;
          if (store?.authoritative && store.lockPaths) {
            // Other engines overtake a lane that is only local: lock the declared paths in the
            // store too, then run on a snapshot holding every version committed before the lock.
            const lock = await this.#storeLane.take(token, store, declaredKeys(contract)).catch((e: unknown) => {
              if (!(e instanceof StorageError)) throw e;
              // The lane only helps this process win: without it every attempt is still checked in full.
              this.#meta.add('vip', `process '${contract.name}' runs without the store's priority lane, which could not be taken: ${e.message}`, this.#state.version);
              return undefined;
            });
            this.#assertOpen();
            if (lock) await this.#storeLane.waitApplied(this.#state.version, lock.version, () => this.#closed || options.signal?.aborted === true);
            this.#assertOpen();
          }
          this.#metrics.bump(contract.name, 'vipGrants');
          this.#meta.add('vip', `process '${contract.name}' took the priority lane after ${conflicts} conflicts`, this.#state.version);
        }
        waited = 0;
        if (!this.#lane.isHeldBy(token)) {
          waited = backoffMs(conflicts - 1, this.#options.backoffBaseMs, this.#options.backoffMaxMs);
          await sleep(waited);
        }
      }
    } catch (e) {
      this.#metrics.bump(contract.name, 'rollbacks');
      // Only processes the recipe names are audited: an unrelated process's business errors must
      // not turn into audit blocks because some other process has rules.
      if (this.#audit?.names(contract.name) && !isAuditError(e)) this.#audit.recordFailure(contract.name, e, this.#state.version);
      if (event) {
        event.error = e;
        executeChannel.error.publish(event);
      } else if (executeChannel.error.hasSubscribers) {
        executeChannel.error.publish({ engineId: this.#engineId, process: contract.name, executionId: executionId ?? '', parallel: contract.parallel, error: e } satisfies ExecuteEvent);
      }
      throw e;
    } finally {
      const unlocked = this.#storeLane.release(token);
      if (unlocked) await unlocked;
      this.#lane.release(token);
      if (event) executeChannel.end.publish(event);
    }
  }


  #traceAttempt(entry: Registered, args: unknown, token: object, options: ExecuteOptions, executionId: string | null, attempt: number, waited: number): Outcome | Promise<Outcome> {
    if (!attemptChannel.hasSubscribers) {
      return entry.contract.parallel ? this.#attemptParallel(entry, args, token, options, executionId, attempt) : this.#attempt(entry, args, token, options.signal, executionId, attempt);
    }
    const run = () => (entry.contract.parallel ? this.#attemptParallel(entry, args, token, options, executionId, attempt) : this.#attempt(entry, args, token, options.signal, executionId, attempt));
    const event: AttemptEvent = {
      engineId: this.#engineId,
      process: entry.contract.name,
      executionId: executionId ?? '',
      attempt,
      baseVersion: this.#state.version,
      backoffMs: waited,
      vip: this.#lane.isHeldBy(token),
    };
    const settle = (o: Outcome): Outcome => {
      event.result = o.kind;
      attemptChannel.end.publish(event);
      return o;
    };
    const fail = (e: unknown): never => {
      event.error = e;
      attemptChannel.error.publish(event);
      attemptChannel.end.publish(event);
      throw e;
    };
    try {
      // runStores publishes `start` and runs the body inside every store bound to the channel
      // (awaits included): a tracer's bound context is then the active one in user code.
      const out = attemptChannel.start.runStores(event, run);
      return isThenable(out) ? out.then(settle, fail) : settle(out);
    } catch (e) {
      return fail(e);
    }
  }

  /**
   * Runs a registered `parallel: true` process in the worker pool. The worker sees copies of the
   * declared inputs and the declared heavy arrays over the same shared memory; its delta commits
   * here through the same pipeline as any process, and a conflict re-runs the task.
   */
  async executeParallel<R = unknown>(name: string | ProcessDefinition<any, R>, args?: unknown, options: ExecuteOptions = NO_OPTIONS): Promise<Awaited<R>> {
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
        this.#assertNotNested('heavy.alloc');
        if (typeof key === 'string' && Object.prototype.hasOwnProperty.call(this.#state.heavy, key)) throw invalidArgument(`heavy.alloc: '${key}' already exists in the heavy zone; free it first.`, `heavy.${key}`);
        const array = allocator.alloc(key, shape, dtype);
        try {
          this.#setup('heavy', (all) => {
            all.heavy[key] = array;
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
        this.#assertNotNested('heavy.free');
        if (typeof key === 'string' && Object.prototype.hasOwnProperty.call(this.#state.heavy, key)) {
          this.#setup('heavy', (all) => {
            delete all.heavy[key];
          });
          allocator.free(key);
          return true;
        }
        return allocator.free(key);
      },
      stats: () => allocator.stats(),
    };
  }

  #attemptParallel(entry: Registered, args: unknown, token: object, options: ExecuteOptions, executionId: string | null, attempt: number): Promise<Outcome> {
    const { def, contract } = entry;
    const base = this.#state;
    const payload: ProcessTaskPayload = {
      moduleUrl: def.moduleUrl!,
      processName: contract.name,
      args,
      ...declaredData(base, contract),
      rootNames: [...this.#roots],
      ceilings: [...this.#rootCeilings],
      strict: this.#options.strictGuards,
      // The attempt span's context, so spans the process starts in the worker are its children.
      trace: captureTraceCarrier(),
    };
    this.#pool ??= new ParallelPool(this.#workerOptions ?? {});
    const runOptions: { timeoutMs?: number; signal?: AbortSignal } = { timeoutMs: options.timeoutMs ?? this.#options.writeTimeoutMs };
    if (options.signal) runOptions.signal = options.signal;
    const deadline = new Deadline(this.#options.writeTimeoutMs, options.signal, `Parallel process '${contract.name}'`, this.#watcher);
    const task = this.#pool.run<ProcessTaskResult>({ module: PROCESS_TASK, exportName: 'runProcessTask', payload }, runOptions);
    const startedAt = workerTaskChannel.hasSubscribers ? performance.now() : -1;
    return deadline.raceThen(
      task,
      (r) => {
        deadline.dispose();
        if (startedAt >= 0) this.#workerTask(contract.name, r.threadId, 'done', startedAt);
        this.#assertOpen();
        const ops: DeltaOp[] = r.ops.map((op) => (op.op === 'remove' ? op : { ...op, value: reattach(op.value) }));
        const root = applyOps(base, ops);
        const result: TransactionResult = { root, ops, writes: new Set(r.writes), reads: new Set(r.reads) };
        const output: AttemptOutput = { result, signals: r.signals, outbox: r.outbox, adminWrites: r.adminWrites, value: reattach(r.value) };
        return this.#submitProcess('parallel', contract, base, executionId, attempt, token, output);
      },
      (e: unknown) => {
        deadline.dispose();
        if (startedAt >= 0) this.#workerTask(contract.name, 0, e instanceof WorkerCrashedError ? 'crashed' : 'failed', startedAt);
        throw e;
      },
    );
  }

  /**
   * A settled worker task, for the inspector's pool lanes. Published here rather than by the pool,
   * which stays generic: only the engine knows the task is a process. The thread is known from the
   * result alone, so only the settled task is published (0: thread unknown).
   */
  #workerTask(task: string, worker: number, status: 'done' | 'failed' | 'crashed', startedAt: number): void {
    if (!workerTaskChannel.hasSubscribers) return;
    workerTaskChannel.publish({ pool: `engine ${this.#engineId.slice(0, 8)}`, worker, task, status, durationMs: performance.now() - startedAt } satisfies WorkerTaskEvent);
  }

  /**
   * One attempt on the main thread: run the process on the current snapshot, then submit what it
   * produced. Stays synchronous when the process is synchronous and nothing needs waiting for.
   */
  #attempt(entry: Registered, args: unknown, token: object, external: AbortSignal | undefined, executionId: string | null, attempt: number): Outcome | Promise<Outcome> {
    const { def, contract } = entry;
    const base = this.#state;
    const deadline = new Deadline(this.#options.writeTimeoutMs, external, `Process '${contract.name}'`, this.#watcher);
    const spec = new MainThreadAttempt(this, this.#meta, def, contract, base, args, this.#options.strictGuards, this.#rootCeilings, deadline);
    return runAttempt(spec, (o) => this.#submitProcess('execute', contract, base, executionId, attempt, token, o));
  }

  /** What a process attempt produced, on the main thread or in a worker, as one commit request. */
  #submitProcess(route: 'execute' | 'parallel', contract: Contract, base: State, executionId: string | null, attempt: number, token: object, o: AttemptOutput): Outcome | Promise<Outcome> {
    return this.#submit({
      route,
      actor: { kind: 'process', contract, strict: this.#options.strictGuards },
      processName: contract.name,
      executionId,
      attempt,
      baseVersion: base.version,
      built: base,
      result: o.result,
      signals: o.signals,
      outbox: o.outbox,
      adminWrites: o.adminWrites,
      policy: WAITING_POLICY,
      token,
      value: o.value,
    });
  }

  // -------------------------------------------------------------------------------------------
  // The commit pipeline: op checks → conflict check → gates (audit output rules, schema) →
  // persist → install → publish. Every route ends here.

  #submit(req: CommitRequest): Outcome | Promise<Outcome> {
    this.#assertOpen();
    this.#assertWritable();
    if (this.#lane.held && !(req.token !== undefined && this.#lane.isHeldBy(req.token))) {
      if (req.policy.lane === 'refuse') throw new SystemBusyError(`${routeName(req.route)} refused: a priority (VIP) writer holds the commit lane; retry shortly.`);
      return this.#lane.waitFor(req.token ?? {}).then(() => this.#submit(req));
    }
    let { result } = req;
    const empty = result.ops.length === 0 && req.signals.length === 0 && req.outbox.length === 0;
    // A request that names what it means to write (compareAndSwap) is checked even when its values
    // are already there: the caller's expectation about the version is what is being tested.
    if (empty && req.conflictKeys === undefined) return { kind: 'done', value: req.value };
    if (empty) {
      const head = this.#state;
      const hits = head.version === req.baseVersion ? undefined : this.#options.strictCas ? ['*'] : this.#log.conflicts(req.baseVersion, head.version, req.conflictKeys!);
      return hits ? this.#conflict(req, hits, head.version) : { kind: 'done', value: req.value };
    }
    // 1. The rules, on the ops whatever produced them.
    if (result.ops.length > 0) {
      const restores = checkOps({ actor: req.actor, ops: result.ops, before: req.built.data, ceilings: this.#rootCeilings, adminWrites: req.adminWrites });
      if (restores.length > 0) result = withRestores(req.built, result, restores);
    }
    // 2. Conflicts: against the commits made since the request's base (the store decides for authoritative stores).
    const head = this.#state;
    let root = result.root;
    const authoritative = this.#store?.authoritative === true;
    if (!authoritative) {
      if (head.version !== req.baseVersion) {
        const hits = this.#options.strictCas ? ['*'] : this.#log.conflicts(req.baseVersion, head.version, req.conflictKeys ?? touchedKeys(result));
        if (hits) return this.#conflict(req, hits, head.version);
      }
      if (req.built !== head) root = applyOps(head, result.ops);
    }
    // 3. Gates, in order: audit output rules, then the schema.
    if (req.processName !== null && this.#audit?.hasRules(req.processName)) this.#auditOutputs(req.processName, result.ops, root, head.version);
    if (this.#schema) {
      const pending = this.#schema.validate(schemaPaths(result.ops), (path) => readPath(root, parseDottedPath(path)));
      if (isThenable(pending)) {
        if (req.policy.asyncGates === 'refuse') {
          void Promise.resolve(pending).catch(() => undefined);
          throw invalidArgument('The schema has asynchronous validators: commit through engine.execute() or await engine.transaction(async (tx) => …), which can wait for them.');
        }
        return Promise.resolve(pending).then(() => {
          this.#assertOpen();
          // Another commit landed while the validator ran: go round again, as for a conflict.
          if (!authoritative && this.#state !== head) return this.#conflict(req, ['*'], this.#state.version);
          return this.#land(req, result, root, head);
        });
      }
    }
    return this.#land(req, result, root, head);
  }

  /** Persist, install, publish. */
  #land(req: CommitRequest, result: TransactionResult, root: Readonly<Record<string, unknown>>, head: State): Outcome | Promise<Outcome> {
    // Signal payloads are copied and frozen whatever route produced them: the caller's objects stay theirs.
    const signals = req.signals.length === 0 ? req.signals : req.signals.map(([topic, payload]) => {
      assertPublishableTopic(topic);
      return [topic, sealValue(payload, ['signal', topic])] as const;
    });
    if (!this.#durable) {
      const version = head.version + 1;
      this.#install(root, version, result.writes, signals);
      this.#record(req, result, signals, version);
      this.#recent?.add(this.#state, req.processName, result.ops, recordedSignals(signals));
      this.#published(req, result, signals, version);
      return { kind: 'done', value: req.value };
    }
    const entry = this.#entry(req, result, signals, this.#store!.authoritative ? undefined : head.version + 1);
    // A value the store could not restore fails this commit alone, here, while nothing is
    // installed: found later by the write, it would break the engine with the state ahead of disk.
    this.#store!.check?.(entry);
    if (!this.#store!.authoritative) {
      // One engine owns the store: install now (later commits are checked against this one) and
      // acknowledge once the group write is durable; signals publish only then.
      const version = head.version + 1;
      this.#acked ??= head;
      this.#install(root, version, result.writes, signals);
      const installed = this.#state;
      return this.#committer!.submit(
        entry,
        (): Outcome => {
          if (installed.version > this.#acked!.version) this.#acked = installed;
          this.#published(req, result, signals, version);
          return { kind: 'done', value: req.value };
        },
        (e: unknown) => this.#storageFailed(e),
      );
    }
    const decided = (verdict: CommitVerdict): Outcome | Promise<Outcome> => {
      if (!verdict.ok) return this.#conflict(req, [...verdict.paths], verdict.actualVersion);
      return this.#installInOrder(verdict.version, () => {
        const r = applyOps(this.#state, result.ops);
        this.#install(r, verdict.version, result.writes, signals);
        this.#published(req, result, signals, verdict.version);
      }).then(() => ({ kind: 'done', value: req.value }) as Outcome);
    };
    const failed = (e: unknown) => this.#storageFailed(e);
    // The priority lane's holder commits through its lock; everyone else groups.
    const viaLane = this.#storeLane.commit(req.token, entry);
    return viaLane ? viaLane.then(decided, failed) : this.#committer!.submit(entry, decided, failed);
  }

  #conflict(req: CommitRequest, hits: string[], actual: number): Outcome {
    if (conflictChannel.hasSubscribers) {
      conflictChannel.publish({
        engineId: this.#engineId,
        process: req.processName,
        route: req.route,
        executionId: req.executionId,
        attempt: req.attempt,
        baseVersion: req.baseVersion,
        winningVersion: actual,
        paths: displayPaths(hits),
        ops: req.result.ops,
      });
    }
    return { kind: 'conflict', paths: hits, expected: req.baseVersion, actual };
  }

  #auditOutputs(processName: string, ops: readonly DeltaOp[], root: Readonly<Record<string, unknown>>, version: number): void {
    // Output rules see what this commit writes: a path it leaves alone reads as undefined (the
    // rule is skipped), so an old value cannot block an unrelated process.
    const written = ops.map((op) => op.path);
    try {
      this.#audit!.checkOutputs(
        processName,
        (path) => {
          const segs = parseDottedPath(path);
          return written.some((w) => prefixOverlap(w, segs)) ? readPath(root, segs) : undefined;
        },
        // The state the check ran against: the would-be version never exists if the rule blocks.
        version,
      );
    } catch (e) {
      if (auditChannel.hasSubscribers && isAuditError(e)) {
        const err = e as AuditBlockError;
        auditChannel.publish({ engineId: this.#engineId, process: processName, level: err.code === 'AUDIT_BLOCK' ? 'B' : err.code === 'AUDIT_ABORT' ? 'A' : 'S', rule: err.rule, message: err.message, version });
      }
      throw e;
    }
    if (auditChannel.hasSubscribers) auditChannel.publish({ engineId: this.#engineId, process: processName, level: 'pass', rule: null, message: 'output rules passed', version });
  }

  #entry(req: CommitRequest, result: TransactionResult, signals: readonly (readonly [string, unknown])[], version: number | undefined): CommitEntry {
    const writes: string[] = [];
    for (const w of result.writes) if (notMarker(w)) writes.push(w);
    const entry: { -readonly [K in keyof CommitEntry]: CommitEntry[K] } = {
      id: `${this.#engineId}:${++this.#commitSeq}`,
      baseVersion: req.baseVersion,
      process: req.processName,
      ops: result.ops,
      reads: [...(req.conflictKeys ?? result.reads)],
      writes,
      signals: recordedSignals(signals),
      outbox: req.outbox,
      at: Date.now(),
    };
    // Set afterwards rather than spread into the literal: a conditional spread builds the entry
    // property by property on every commit. Absent (not undefined) when the store numbers it.
    if (version !== undefined) entry.version = version;
    return entry;
  }

  /** Non-durable recording: the recent-history ring (or a memory store given to open()), synchronous. */
  #record(req: CommitRequest, result: TransactionResult, signals: readonly (readonly [string, unknown])[], version: number): void {
    if (!this.#store) {
      if (req.outbox.length > 0) (this.#memOutbox ??= new MemoryOutbox()).enqueue(version, req.outbox);
    } else {
      // A memory store records synchronously (its promise is already settled): nothing to await.
      void this.#store.commit([this.#entry(req, result, signals, version)]).catch((e: unknown) => this.#meta.add('storage', `recording version ${version} failed: ${(e as Error).message}`, version));
    }
    if (req.outbox.length > 0) for (const relay of this.#relays) relay.notify();
  }

  #outboxStore(): TheusStore['outbox'] {
    return this.#store ? this.#store.outbox : (this.#memOutbox ??= new MemoryOutbox());
  }

  #published(req: CommitRequest, result: TransactionResult, signals: readonly (readonly [string, unknown])[], version: number): void {
    if (this.#durable && req.outbox.length > 0) for (const relay of this.#relays) relay.notify();
    if (commitChannel.hasSubscribers) {
      commitChannel.publish({
        engineId: this.#engineId,
        version,
        baseVersion: req.baseVersion,
        process: req.processName,
        route: req.route,
        executionId: req.executionId,
        ops: result.ops,
        signals: signals.map(([topic, payload]) => ({ topic, payload })),
        outbox: req.outbox.length,
        at: Date.now(),
      });
    }
    if (signals.length > 0) {
      if (signalChannel.hasSubscribers) for (const [topic, payload] of signals) signalChannel.publish({ engineId: this.#engineId, topic, payload, version });
      this.#signals.publishAll(signals.map(([topic, payload]) => ({ topic, payload, version })));
    }
  }

  #install(root: Readonly<Record<string, unknown>>, version: number, writes: ReadonlySet<string>, signals: readonly (readonly [string, unknown])[]): void {
    this.#state = nextState(this.#state, root, version, latchOf(signals));
    this.#log.add(version, writes);
  }

  /** Authoritative stores: versions install strictly in order, ours and other engines' alike. */
  #installInOrder(version: number, install: () => void): Promise<void> {
    if (version <= this.#state.version) return Promise.resolve();
    if (this.#broken) return Promise.reject(this.#broken);
    return new Promise<void>((resolve, reject) => {
      this.#ordered.set(version, {
        apply: () => {
          install();
          resolve();
        },
        fail: reject,
      });
      this.#drainOrdered();
    });
  }

  #drainOrdered(): void {
    for (let next = this.#ordered.get(this.#state.version + 1); next; next = this.#ordered.get(this.#state.version + 1)) {
      const version = this.#state.version + 1;
      this.#ordered.delete(version);
      try {
        next.apply();
      } catch (e) {
        throw this.#cannotFollow(version, e);
      }
    }
    this.#storeLane.applied(this.#state.version);
  }

  /**
   * A version of the shared log that cannot be applied here (a row this engine refuses) would
   * leave every later version, this engine's own commits included, waiting behind it forever.
   * The engine stops at the last version it applied instead: whoever waits is rejected and every
   * later commit is refused. Returns the error the engine now answers with.
   */
  #cannotFollow(version: number, cause: unknown): TheusError {
    const why = String((cause as Error)?.message ?? cause).replace(/\.?$/, '.');
    this.#broken ??= new StorageError(`Version ${version} of the shared log cannot be applied by this engine, which stays at version ${this.#state.version} and accepts no more commits: ${why} Close the engine and open the store again.`, { cause });
    const waiting = [...this.#ordered.values()];
    this.#ordered.clear();
    for (const w of waiting) w.fail?.(this.#broken);
    this.#storeLane.applied(Number.MAX_SAFE_INTEGER);
    return this.#broken;
  }

  #storageFailed(e: unknown): never {
    if (!this.#store!.authoritative) {
      // Memory is ahead of the store: the failed commit, and every commit installed on top of it,
      // may be lost and is never acknowledged. The engine goes back to the last acknowledged State
      // (so no reader acts on a lost version) and refuses every later commit; reopening resumes
      // from what is on disk.
      const acked = this.#acked ?? this.#state;
      if (this.#state.version > acked.version) this.#state = acked;
      const why = String((e as Error)?.message ?? e).replace(/\.?$/, '.');
      this.#broken ??= new StorageError(`A durable write failed, so the engine accepts no more commits (it shows version ${acked.version}, the last acknowledged one): ${why} Close the engine and open the store again.`, { cause: e, file: e instanceof StorageError ? e.file : undefined });
      throw this.#broken;
    }
    const err = e instanceof TheusError ? e : new StorageError(`The store failed to write a commit: ${(e as Error)?.message ?? String(e)}. The engine stopped accepting commits; reopen it.`, { cause: e });
    // Memory may now be ahead of the store: nothing more may commit on top of it.
    this.#broken ??= err;
    throw err;
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
      engineId: this.#engineId,
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
  // Setup and manual commits: each builds a request for the same pipeline.

  /**
   * Setup outside processes: `fn` edits a transaction over every root; commits atomically, rolls
   * back on throw. No contract applies; zone physics and namespace policies do.
   */
  edit(fn: (ctx: any) => void): State {
    this.#assertOpen();
    this.#assertNotNested('edit');
    if (typeof fn !== 'function') throw invalidArgument('edit(fn) takes a function.');
    this.#setup('edit', (all) => {
      const out = fn(all);
      if (isThenable(out)) {
        void Promise.resolve(out).catch(() => undefined);
        throw invalidArgument('edit(fn) must be synchronous so that it is atomic; use engine.transaction(async (tx) => …) for async work.');
      }
    });
    return this.#state;
  }

  /** A synchronous route cannot wait for a shared store's verdict: refused there, with the way out. */
  #assertSyncRoute(what: string): void {
    if (this.#store?.authoritative) {
      throw invalidArgument(`${what} is synchronous, and this engine's ${this.#store.kind} store decides commits asynchronously: use await engine.transaction(async (tx) => …) instead.`);
    }
  }

  /** A synchronous setup commit (edit, heavy): refuses the lane and asynchronous gates. */
  #setup(route: 'edit' | 'heavy', fn: (all: any) => void): void {
    this.#assertWritable();
    this.#assertSyncRoute(route === 'edit' ? 'engine.edit()' : 'engine.heavy');
    if (this.#lane.held) throw new SystemBusyError(`${routeName(route)} refused: a priority (VIP) writer holds the commit lane; retry shortly.`);
    const base = this.#state;
    const guard = this.#setupGuard(route);
    const tx = new Transaction(base, { access: guard.root(), trackReads: true });
    const mark: RunMark = { engine: this, live: true };
    try {
      running.run(mark, () => fn(tx.all));
    } catch (e) {
      tx.rollback();
      throw e;
    } finally {
      mark.live = false;
    }
    const outcome = this.#submit({
      route,
      actor: { kind: 'setup', route },
      processName: null,
      executionId: null,
      attempt: 1,
      baseVersion: base.version,
      built: base,
      result: tx.finish(),
      signals: [],
      outbox: [],
      policy: SETUP_POLICY,
      value: undefined,
    });
    this.#settledSetup(outcome);
  }

  /** Setup routes act without a contract: zone physics and namespace policies only (internal_ stays invisible). */
  #setupGuard(route: string): Guard {
    const contract: Contract = Object.freeze({ name: `<${route}>`, inputs: [], outputs: [], semantic: 'effect', errors: [], sideEffects: [], parallel: false });
    return new Guard(contract, false, this.#rootCeilings);
  }

  /** A synchronous route's outcome: a conflict is the caller's to handle (not retried). */
  #settledSetup(outcome: Outcome | Promise<Outcome>): void {
    if (isThenable(outcome)) {
      // Only durable stores make a synchronous route's commit asynchronous: it is installed, and
      // the group write acknowledges it; a failure marks the engine broken.
      void Promise.resolve(outcome).catch(() => undefined);
      this.#metrics.bump(undefined, 'commits');
      return;
    }
    this.#manualOutcome(outcome);
  }

  /**
   * An explicit transaction against the current version, committed through the pipeline: what it
   * read and wrote is checked against the commits made since it began (no write skew, no stale read).
   * With a callback: runs it, commits, returns the new State (rolls back and rethrows on error).
   */
  transaction(): EngineTransaction;
  transaction(fn: (tx: EngineTransaction) => void | Promise<void>): Promise<State>;
  transaction(fn?: (tx: EngineTransaction) => void | Promise<void>): EngineTransaction | Promise<State> {
    this.#assertOpen();
    this.#assertNotNested('transaction');
    if (fn !== undefined && typeof fn !== 'function') throw invalidArgument('transaction(fn) takes a function.');
    this.#assertWritable();
    const base = this.#state;
    const guard = this.#setupGuard('transaction');
    const outbox = new OutboxBuffer();
    const request = (result: TransactionResult, policy: CommitPolicy): CommitRequest => ({
      route: 'transaction',
      actor: { kind: 'setup', route: 'transaction' },
      processName: null,
      executionId: null,
      attempt: 1,
      baseVersion: base.version,
      built: base,
      result,
      signals: [],
      outbox: outbox.pending,
      policy,
      value: undefined,
    });
    const tx = new EngineTransaction(base, guard, outbox, (result) => {
      outbox.closed = true;
      this.#assertSyncRoute('tx.commit()');
      const outcome = this.#submit(request(result, SETUP_POLICY));
      this.#settledSetup(outcome);
      return this.#state;
    });
    if (fn === undefined) return tx;
    return (async () => {
      const mark: RunMark = { engine: this, live: true };
      // The same deadline as a process: writeTimeoutMs and close() settle a callback that never
      // does, and its transaction ends then (later writes through `tx` throw STALE_REFERENCE).
      const deadline = new Deadline(this.#options.writeTimeoutMs, undefined, 'transaction(fn)', this.#watcher);
      try {
        const ran = running.run(mark, () => fn(tx));
        if (isThenable(ran)) await deadline.raceThen(ran, () => undefined, (e: unknown) => Promise.reject(e));
        deadline.assertWithin();
      } catch (e) {
        tx.rollback();
        throw e;
      } finally {
        deadline.dispose();
        mark.live = false;
        outbox.closed = true;
      }
      if (!tx.active) throw invalidArgument('transaction(fn): the transaction was already committed or rolled back inside fn; let transaction(fn) commit it.');
      const outcome = await this.#submit(request(tx.finish(), WAITING_POLICY));
      this.#manualOutcome(outcome);
      return this.#state;
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
    this.#assertWritable();
    this.#assertSyncRoute('compareAndSwap()');
    if (this.#lane.held) throw new SystemBusyError('compareAndSwap refused: a priority (VIP) writer holds the commit lane; retry shortly.');
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
    const outcome = this.#submit({
      route: 'compareAndSwap',
      actor: { kind: 'setup', route: 'compareAndSwap' },
      processName: null,
      executionId: null,
      attempt: 1,
      baseVersion: expectedVersion,
      built: current,
      result,
      conflictKeys: intended(entries, signals.length),
      signals,
      outbox: [],
      policy: SETUP_POLICY,
      value: undefined,
    });
    if (!isThenable(outcome) && outcome.kind === 'conflict') {
      this.#metrics.bump(undefined, 'conflicts');
      const paths = displayPaths(outcome.paths);
      throw new ConflictError(
        `compareAndSwap expected version ${expectedVersion} but found ${outcome.actual}${this.#options.strictCas ? ' (strict CAS)' : `; changed since: ${paths.join(', ')}`}.`,
        { expectedVersion, actualVersion: outcome.actual, paths },
      );
    }
    this.#settledSetup(outcome);
    return this.#state;
  }

  /** A manual commit (transaction, not a process) is not retried: a conflict is the caller's to handle. */
  #manualOutcome(outcome: Outcome): void {
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
  }

  // -------------------------------------------------------------------------------------------
  // Durable state: history, time travel, the outbox

  async #openStore(initial: Record<string, unknown>): Promise<void> {
    const store = this.#store;
    if (!store) return;
    const opened = await store.open(this.#state.data);
    void initial;
    if (opened.root !== undefined) {
      // On reopen the stored state wins.
      this.#state = nextState(this.#state, State.create(opened.root).data, opened.version);
      this.#log.reset(opened.version);
    }
    if (store.authoritative && store.follow) {
      this.#unfollow = store.follow(this.#state.version, (record: HistoryRecord) => {
        if (record.version <= this.#state.version || this.#ordered.has(record.version)) return;
        this.#ordered.set(record.version, { apply: () => {
          const root = applyOps(this.#state, record.delta as DeltaOp[]);
          const writes = new Set(record.delta.map((op) => conflictKey(op.path)));
          const signals = record.signals.map((s) => [s.topic, s.payload] as const);
          this.#install(root, record.version, writes, signals);
          this.#published(
            { route: 'remote', actor: { kind: 'setup', route: 'remote' }, processName: record.process, executionId: null, attempt: 1, baseVersion: record.version - 1, built: this.#state, result: { root, ops: record.delta as DeltaOp[], writes, reads: new Set() }, signals, outbox: [], policy: SETUP_POLICY, value: undefined },
            { root, ops: record.delta as DeltaOp[], writes, reads: new Set() },
            signals,
            record.version,
          );
        } });
        this.#drainOrdered();
      }, (error) => void this.#cannotFollow(this.#state.version + 1, error));
    }
  }

  /** Committed records, oldest first: `{ version, process, delta, signals, at }`. */
  history(query: HistoryQuery = {}): AsyncIterable<HistoryRecord> {
    this.#assertOpen();
    if (this.#store) return this.#store.history(query);
    return (this.#recent ?? new RecentHistory(0)).history(query);
  }

  /** The State at a retained version (undefined when it is no longer retained). */
  async stateAt(version: number): Promise<State | undefined> {
    this.#assertOpen();
    if (version === this.#state.version) return this.#state;
    if (!this.#store) return (this.#recent ?? new RecentHistory(0)).stateAt(version);
    const root = await this.#store.stateAt(version);
    return root === undefined ? undefined : nextState(this.#state, State.create(root).data, version);
  }

  /**
   * Delivers committed outbox messages to `handler` in commit order, at least once, in the
   * background: a handler that throws is retried with backoff, then dead-lettered after
   * `maxAttempts` calls. Returns a function that stops this worker.
   */
  attachWorker(handler: OutboxHandler, options: OutboxRelayOptions = {}): () => Promise<void> {
    this.#assertOpen();
    const relay = new OutboxRelay(this.#outboxStore(), handler, options);
    this.#relays.add(relay);
    relay.start();
    return async () => {
      this.#relays.delete(relay);
      await relay.stop();
    };
  }

  /**
   * Drains the outbox by hand: with `handler`, delivers to it; without, waits for the attached
   * workers to deliver what is pending. Resolves with what was delivered, failed and dead-lettered.
   */
  async processOutbox(handler?: OutboxHandler, options: OutboxRelayOptions = {}): Promise<DrainResult> {
    this.#assertOpen();
    if (handler === undefined) {
      if (this.#relays.size === 0) throw invalidArgument('processOutbox() needs a handler when no worker is attached: engine.processOutbox(async (message) => …).');
      const results = await Promise.all([...this.#relays].map((r) => r.drain()));
      return results.reduce((a, b) => ({ delivered: a.delivered + b.delivered, failed: a.failed + b.failed, dead: a.dead + b.dead }), { delivered: 0, failed: 0, dead: 0 });
    }
    const relay = new OutboxRelay(this.#outboxStore(), handler, options);
    try {
      return await relay.drain();
    } finally {
      await relay.stop();
    }
  }

  /** Dead letters and redrive. */
  get outbox(): EngineOutbox {
    return (this.#outboxApi ??= {
      deadLetters: () => this.#outboxStore().deadLetters(),
      redrive: async (ids?: readonly string[]) => {
        const n = await this.#outboxStore().redrive(ids);
        for (const relay of this.#relays) relay.notify();
        return n;
      },
      pending: () => this.#outboxStore().pending(),
    });
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
    // Executions still running settle now (rejected, nothing committed), whatever their process does.
    this.#watcher.cancelAll(new TheusError('ENGINE_CLOSED', 'The engine was closed while the process or transaction(fn) ran; nothing was committed.'));
    this.#lane.releaseAll();
    this.#unfollow?.();
    const relays = [...this.#relays];
    this.#relays.clear();
    await Promise.all(relays.map((r) => r.stop().catch(() => undefined)));
    if (this.#committer) await this.#committer.idle();
    await this.#store?.close().catch(() => undefined);
    // Not awaited: a machine whose entry is stuck in user code must not keep close() from returning.
    for (const machine of this.#machines) void machine.stop();
    this.#signals.close();
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool) await pool.close();
    await (await this.#inspecting)?.close();
    // Last, once nothing more can commit: a process-wide inspector lets go of this engine.
    if (engineChannel.hasSubscribers) engineChannel.publish({ engineId: this.#engineId, engine: this, closed: true } satisfies EngineEvent);
  }

  #assertOpen(): void {
    if (this.#closed) throw new TheusError('ENGINE_CLOSED', 'The engine is closed.');
  }

  /** Audit S, a failed initial schema or a failed durable write stop every route. */
  #assertWritable(): void {
    this.#audit?.assertRunning();
    if (this.#broken) throw this.#broken;
  }

  #assertNotNested(what: string): void {
    const mark = running.getStore();
    if (mark !== undefined && mark.engine === this && mark.live) {
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
    // register() accepts a new definition with a registered name only under the same contract.
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
 * A transaction whose commit goes through the engine's pipeline: zone physics and namespace
 * policies, then the conflict check on everything it read and wrote since it began.
 */
export class EngineTransaction extends Transaction {
  readonly #commitVia: (r: TransactionResult) => State;
  readonly #outbox: OutboxBuffer;
  #outboxWriter: { add(topic: string, payload?: unknown): void } | undefined;

  constructor(base: State, guard: Guard, outbox: OutboxBuffer, commitVia: (r: TransactionResult) => State) {
    super(base, { access: guard.root(), trackReads: true });
    this.#outbox = outbox;
    this.#commitVia = commitVia;
  }

  /** Messages committed atomically with this transaction. */
  get outbox(): { add(topic: string, payload?: unknown): void } {
    return (this.#outboxWriter ??= this.#outbox.writer());
  }

  /** Installs the changes in the engine; throws ConflictError (and commits nothing) when they conflict. */
  override commit(): State {
    return this.#commitVia(this.finish());
  }

  override rollback(): void {
    this.#outbox.closed = true;
    super.rollback();
  }
}

/** `engine.outbox`. */
export interface EngineOutbox {
  deadLetters(): Promise<readonly DeadLetter[]>;
  redrive(ids?: readonly string[]): Promise<number>;
  pending(): Promise<number>;
}

// ---------------------------------------------------------------------------------------------

/** Hands a store from TheusEngine.open to the constructor without making it a public option. */
const STORE_KEY = Symbol('theus.store');

function assertStore(s: unknown): TheusStore {
  const store = s as Partial<TheusStore> | null;
  const fns = ['open', 'commit', 'history', 'stateAt', 'close'] as const;
  if (typeof store !== 'object' || store === null || fns.some((f) => typeof store[f] !== 'function') || typeof store.outbox !== 'object' || store.outbox === null) {
    throw invalidArgument(`storage must be a SQLite file path or a store object implementing ${fns.join(', ')} and outbox (see the store interface).`);
  }
  // Optional members, when present, must be what the engine will take them for: a misspelt flag
  // or a non-function hook would otherwise be silently ignored, or throw on the commit path.
  for (const f of ['check', 'follow', 'lockPaths'] as const) {
    if (store[f] !== undefined && typeof store[f] !== 'function') throw invalidArgument(`storage.${f} must be a function when given, got ${typeof store[f]}.`);
  }
  for (const flag of ['authoritative', 'groupsCommits'] as const) {
    if (store[flag] !== undefined && typeof store[flag] !== 'boolean') throw invalidArgument(`storage.${flag} must be a boolean when given, got ${typeof store[flag]}.`);
  }
  return store as TheusStore;
}

/** compareAndSwap's conflict keys: every leaf its update names, whether or not the value changes. */
function intended(entries: readonly (readonly [Segment[], unknown])[], signals: number): string[] {
  const keys = new Set<string>();
  for (const [path, value] of entries) for (const leaf of leafPaths(path, value)) keys.add(conflictKey(leaf));
  // A signal-only update still tests the version (strictCas) but names no state path.
  void signals;
  return [...keys];
}

function routeName(route: CommitRoute): string {
  return route === 'heavy' ? 'heavy.alloc/free' : route === 'compareAndSwap' ? 'compareAndSwap' : route === 'transaction' ? 'Commit' : `${route}()`;
}

/** Signals as history records and stores keep them; the usual commit has none and shares one empty list. */
function recordedSignals(signals: readonly (readonly [string, unknown])[]): readonly { topic: string; payload: unknown }[] {
  return signals.length === 0 ? NO_RECORDED_SIGNALS : signals.map(([topic, payload]) => ({ topic, payload }));
}

function latchOf(signals: readonly (readonly [string, unknown])[]): Readonly<Record<string, unknown>> {
  if (signals.length === 0) return NO_SIGNALS;
  const l: Record<string, unknown> = {};
  for (const [topic, payload] of signals) l[topic] = payload;
  return Object.freeze(l);
}

/** Puts back the `internal_` values a replacement dropped without seeing them (as extra ops). */
function withRestores(built: State, result: TransactionResult, restores: readonly Restore[]): TransactionResult {
  const tx = new Transaction(nextState(built, result.root, built.version));
  for (const [path, value] of restores) setPath(tx.all, path, value);
  const extra = tx.finish();
  const writes = new Set(result.writes);
  for (const w of extra.writes) writes.add(w);
  return { root: extra.root, ops: [...result.ops, ...extra.ops], writes, reads: result.reads };
}

function sameContract(a: Contract, b: Contract): boolean {
  const texts = (l: readonly { text: string }[]) => l.map((p) => p.text).join('\u0000');
  return (
    a.name === b.name &&
    a.semantic === b.semantic &&
    a.parallel === b.parallel &&
    texts(a.inputs) === texts(b.inputs) &&
    texts(a.outputs) === texts(b.outputs) &&
    a.errors.join('\u0000') === b.errors.join('\u0000') &&
    a.sideEffects.join('\u0000') === b.sideEffects.join('\u0000')
  );
}

function describeContract(c: Contract): string {
  return `{ inputs: [${c.inputs.map((p) => p.text).join(', ')}], outputs: [${c.outputs.map((p) => p.text).join(', ')}], semantic: ${c.semantic}${c.parallel ? ', parallel' : ''} }`;
}

function differentContract(existing: Registered, def: ProcessDefinition, contract: Contract): ContractViolationError {
  const where = (d: ProcessDefinition) => (d.moduleUrl ? ` (defined in ${d.moduleUrl})` : '');
  if (sameContract(existing.contract, contract)) {
    return new ContractViolationError(
      `Two processes are named '${contract.name}': one${where(existing.def)} is registered, the other${where(def)} comes from another module. Give one of them another name ({ name: '…' } in its contract).`,
    );
  }
  return new ContractViolationError(
    `Two different processes are named '${contract.name}': the registered one${where(existing.def)} has the contract ${describeContract(existing.contract)}, the new one${where(def)} has ${describeContract(contract)}. Give one of them another name ({ name: '…' } in its contract).`,
  );
}

function defaultExtensions(): string[] {
  const exts = ['.js', '.mjs', '.cjs'];
  // TypeScript sources can only be imported where a loader handles them (Vitest, tsx, Node ≥ 22.6).
  const features = process.features as { typescript?: unknown };
  if (features.typescript || process.env.VITEST || process.env.TSX) exts.push('.ts', '.mts', '.cts');
  return exts;
}
