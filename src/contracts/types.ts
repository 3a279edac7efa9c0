import type { PathPattern } from './pattern.js';

export type Semantic = 'pure' | 'effect' | 'guide';

/** Enum-style access to the semantic names (`SemanticType.PURE === 'pure'`). */
export const SemanticType = Object.freeze({ PURE: 'pure', EFFECT: 'effect', GUIDE: 'guide' } as const);

/** What a user writes in `process({ … }, fn)`. */
export interface ContractSpec {
  /** Registry name; defaults to the function's name, else to the variable or object key the definition is bound to. */
  readonly name?: string;
  readonly inputs?: readonly string[];
  readonly outputs?: readonly string[];
  readonly semantic?: Semantic;
  /** Expected business errors (class names): documentation and linting. */
  readonly errors?: readonly string[];
  /** Declared external effects: documentation and linting. */
  readonly sideEffects?: readonly string[];
  /** Runs in the worker pool. */
  readonly parallel?: boolean;
}

/** A contract after validation: patterns parsed, defaults applied. */
export interface Contract {
  readonly name: string;
  readonly inputs: readonly PathPattern[];
  readonly outputs: readonly PathPattern[];
  readonly semantic: Semantic;
  readonly errors: readonly string[];
  readonly sideEffects: readonly string[];
  readonly parallel: boolean;
}

/** The context a process receives. `domain`, `global`, `heavy`, `meta` are supervisor proxies. */
export interface ProcessContext<C extends ContextShape = ContextShape, A = unknown> {
  readonly domain: C['domain'];
  readonly global: C['global'];
  readonly heavy: C['heavy'];
  readonly meta: C['meta'];
  /** Signals to publish after commit: `ctx.signal.topic = payload` or `ctx.signal.publish(topic, payload)`. */
  readonly signal: SignalWriter;
  /** Per-execution scratch space, never committed. */
  readonly local: Record<string, unknown>;
  /** The arguments the process was called with. */
  readonly input: A;
  /** Fires when the caller aborts or the write deadline passes. */
  readonly abortSignal: AbortSignal;
  /** Runs `fn` with zone ceilings lifted (except `const_`); every use is logged. */
  asAdmin<T>(fn: (admin: ProcessContext<C, A>) => T): T;
  /** Messages committed atomically with this process's changes; delivered by `engine.attachWorker`. */
  readonly outbox: { add(topic: string, payload?: unknown): void };
  /** A configured namespace root by name. */
  ns(name: string): any;
}

export interface SignalWriter {
  publish(topic: string, payload?: unknown): void;
  [topic: string]: unknown;
}

/** The shape of a context type: any roots, the well-known ones typed loosely by default. */
export interface ContextShape {
  domain?: any;
  global?: any;
  heavy?: any;
  meta?: any;
  [root: string]: any;
}

export type ProcessFunction<C extends ContextShape = ContextShape, A = any, R = unknown> = (ctx: ProcessContext<C, A>, args: A) => R;

export const PROCESS = Symbol.for('theus.process');

/**
 * A process: its contract, its function, and where it was defined (for worker threads).
 * `C` defaults to `any` so that a definition typed with `process.for<AppContext>()` is accepted
 * wherever a plain `ProcessDefinition` is expected (register, execute, workflows).
 */
export interface ProcessDefinition<A = any, R = unknown, C extends ContextShape = any> {
  (ctx: ProcessContext<C, A>, args: A): R;
  readonly [PROCESS]: true;
  readonly processName: string;
  readonly spec: ContractSpec;
  readonly fn: ProcessFunction<C, A, R>;
  /** File URL of the module that defined the process, when it could be determined. */
  readonly moduleUrl: string | undefined;
}
