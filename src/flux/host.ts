/**
 * What the Flux runner and the orchestrator need from an engine. Flux never touches engine
 * internals: the engine implements this interface (and tests use an in-memory fake), so the
 * workflow language can evolve without reaching into transactions or proxies.
 */

/** The read-only roots a condition can name, besides the workflow's own `args`. */
export interface ConditionRoots {
  domain?: unknown;
  global?: unknown;
  /** Latched signals of the current committed version (`topic → payload`). */
  signal?: unknown;
  /** Same latch as `signal`, under the original's second name. */
  cmd?: unknown;
  meta?: unknown;
}

export interface SignalMessage {
  topic: string;
  payload: unknown;
  version: number;
}

export interface TransitionEntry {
  machine: string;
  from: string;
  to: string;
  event: string;
  version: number;
  at: number;
}

export interface FluxHost {
  /** Names the engine in the step events of the `theus:workflow.step` diagnostics channel. */
  readonly engineId?: string;
  hasProcess(name: string): boolean;
  /** Runs one registered process in its own transaction; resolves with its return value or rejects with its error. */
  execute(name: string, args: unknown, options: { signal?: AbortSignal }): Promise<unknown>;
  /**
   * The condition scope read from the CURRENT committed state: `{ domain, global, signal, cmd, meta }`.
   * Values must be plain data (objects, arrays, Maps, Sets, primitives; frozen is fine): conditions
   * read own data properties only and never call methods or getters on them.
   */
  conditionScope(): ConditionRoots;
  /** Current committed version (for step reports). */
  version(): number;
  /** Called at the start of each process step so the engine can latch signals. */
  beginStep?(): void;
  /** Where the orchestrator records transitions (the engine appends them to its meta log). */
  recordTransition?(entry: TransitionEntry): void;
  /** Subscribes to signal topics (exact topic, `*`, or a glob); returns an unsubscribe function. */
  subscribe(pattern: string, listener: (message: SignalMessage) => void): () => void;
}
