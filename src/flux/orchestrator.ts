import { TheusError, invalidArgument } from '../errors.js';
import type { FluxHost, TransitionEntry } from './host.js';
import { CHAIN_DONE, CHAIN_FAIL, parseStateMachine } from './machine.js';
import type { StateMachine } from './machine.js';
import { assertHost, assertProcessesExist, DEFAULT_MAX_ITERATIONS, runWorkflow } from './run.js';
import { publishStep } from './step-events.js';

export interface OrchestrateOptions {
  /** Passed to every entry workflow (conditions see it as `args`; processes receive it). */
  args?: Record<string, unknown> | undefined;
  /** Loop limit for each entry workflow run (default 10 000). */
  maxIterations?: number | undefined;
  /** Aborting it is the same as calling `stop()`. */
  signal?: AbortSignal | undefined;
}

export interface OrchestratorResult {
  /** The state the machine ended in. */
  state: string;
  history: TransitionEntry[];
  /** `true` when a final state was reached, `false` when `stop()` ended the machine. */
  final: boolean;
}

export interface OrchestratorHandle {
  readonly name: string;
  /** The current state. */
  readonly state: string;
  /** Every transition so far, oldest first. */
  readonly history: readonly TransitionEntry[];
  /** Settles when a final state's entry has finished (or `stop()` was called); rejects when an entry fails with no `EVT_CHAIN_FAIL` transition. */
  readonly done: Promise<OrchestratorResult>;
  /** Unsubscribes, aborts the running entry, waits for it to settle, and resolves `done` with the current state. */
  stop(): Promise<void>;
}

/** Events waiting while an entry runs. Only topics some state listens to are queued, so the cap is a safety net. */
const MAX_QUEUED_EVENTS = 10_000;

interface QueuedEvent {
  topic: string;
  /** Completion events belong to the state visit that produced them and are dropped once the machine has moved on. */
  visit?: number;
}

/**
 * Starts a state machine whose transitions are driven by signal topics. The initial state's entry
 * runs first. Events that arrive while an entry runs are queued and handled in arrival order once
 * it finishes; an event the current state does not handle is ignored. When an entry finishes, the
 * internal event `EVT_CHAIN_DONE` (or `EVT_CHAIN_FAIL` if it threw) is queued after the events
 * already waiting, as in the original. Every transition goes to `host.recordTransition`.
 */
export function orchestrate(host: FluxHost, definition: unknown, options: OrchestrateOptions = {}): OrchestratorHandle {
  assertHost(host);
  if (typeof host.subscribe !== 'function') throw invalidArgument('The Flux host must implement subscribe() to drive a state machine.');
  if (options === null || typeof options !== 'object') throw invalidArgument('orchestrate options must be an object.');
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw invalidArgument('signal must be an AbortSignal.', 'signal');
  const machine = parseStateMachine(definition);
  for (const state of machine.states.values()) if (state.entry !== undefined) assertProcessesExist(host, state.entry);
  const runner = new MachineRun(host, machine, options);
  runner.start();
  return runner.handle;
}

class MachineRun {
  readonly handle: OrchestratorHandle;
  private current: string;
  private readonly history: TransitionEntry[] = [];
  private readonly queue: QueuedEvent[] = [];
  private readonly topics: ReadonlySet<string>;
  private readonly entryAbort = new AbortController();
  private visit = 0;
  private busy = false;
  private finished = false;
  private activity: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private readonly onAbort = (): void => void this.stop();
  private settle!: { resolve(result: OrchestratorResult): void; reject(error: unknown): void };

  constructor(
    private readonly host: FluxHost,
    private readonly machine: StateMachine,
    private readonly options: OrchestrateOptions,
  ) {
    this.current = machine.initial;
    this.topics = new Set([...machine.states.values()].flatMap((s) => [...s.events.keys()]));
    const done = new Promise<OrchestratorResult>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // A caller that only uses stop() must not crash the process with an unhandled rejection.
    done.catch(() => undefined);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const run = this;
    this.handle = {
      name: machine.name,
      get state() {
        return run.current;
      },
      get history() {
        return run.history.slice();
      },
      done,
      stop: () => this.stop(),
    };
  }

  start(): void {
    this.unsubscribe = this.host.subscribe('*', (message) => this.receive(message.topic));
    this.options.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (this.options.signal?.aborted === true) {
      void this.stop();
      return;
    }
    this.drive(() => this.enter(this.machine.initial));
  }

  private receive(topic: string): void {
    if (this.finished || !this.topics.has(topic)) return;
    this.enqueue({ topic });
  }

  private enqueue(event: QueuedEvent): void {
    if (this.queue.length >= MAX_QUEUED_EVENTS) {
      this.fail(new TheusError('CAPACITY_EXCEEDED', `State machine '${this.machine.name}' has ${MAX_QUEUED_EVENTS} events waiting in state '${this.current}'; its entry action is not keeping up with the signals.`));
      return;
    }
    this.queue.push(event);
    if (!this.busy) this.drive(async () => undefined);
  }

  private drive(first: () => Promise<void>): void {
    this.busy = true;
    this.activity = (async () => {
      try {
        await first();
        while (!this.finished && this.queue.length > 0) await this.handleEvent(this.queue.shift() as QueuedEvent);
      } catch (error) {
        this.fail(error);
      } finally {
        this.busy = false;
      }
    })();
  }

  private async handleEvent(event: QueuedEvent): Promise<void> {
    if (event.visit !== undefined && event.visit !== this.visit) return;
    const target = this.machine.states.get(this.current)?.events.get(event.topic);
    if (target === undefined) return;
    const entry: TransitionEntry = { machine: this.machine.name, from: this.current, to: target, event: event.topic, version: this.host.version(), at: Date.now() };
    this.history.push(entry);
    this.current = target;
    this.visit++;
    this.host.recordTransition?.(entry);
    await this.enter(target);
  }

  private async enter(name: string): Promise<void> {
    const state = this.machine.states.get(name);
    if (state === undefined) return;
    const visit = this.visit;
    let completion: string | undefined;
    publishStep(this.host, this.machine.name, 'machine', name, 'transition');
    if (state.entry !== undefined) {
      try {
        await runWorkflow(this.host, state.entry, { signal: this.entryAbort.signal, maxIterations: this.options.maxIterations ?? DEFAULT_MAX_ITERATIONS, args: this.options.args });
        completion = CHAIN_DONE;
        publishStep(this.host, this.machine.name, 'machine', name, 'done');
      } catch (error) {
        if (this.finished) return;
        publishStep(this.host, this.machine.name, 'machine', name, 'failed', error);
        if (!state.events.has(CHAIN_FAIL)) throw error;
        completion = CHAIN_FAIL;
      }
    }
    if (this.finished) return;
    if (state.final) {
      this.finish({ state: this.current, history: this.history.slice(), final: true });
      return;
    }
    if (completion !== undefined && state.events.has(completion)) this.queue.push({ topic: completion, visit });
  }

  private finish(result: OrchestratorResult): void {
    if (this.finished) return;
    this.close();
    this.settle.resolve(result);
  }

  private fail(error: unknown): void {
    if (this.finished) return;
    this.close();
    this.entryAbort.abort(error);
    this.settle.reject(error);
  }

  private close(): void {
    this.finished = true;
    this.queue.length = 0;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.options.signal?.removeEventListener('abort', this.onAbort);
  }

  async stop(): Promise<void> {
    if (this.finished) {
      await this.activity;
      return;
    }
    this.close();
    this.entryAbort.abort(new TheusError('ABORTED', `State machine '${this.machine.name}' was stopped in state '${this.current}'.`));
    // The running entry sees the abort before its next step; `done` settles once it has let go.
    await this.activity;
    this.settle.resolve({ state: this.current, history: this.history.slice(), final: false });
  }
}
