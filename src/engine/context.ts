import { PermissionDeniedError, StaleReferenceError, TheusError } from '../errors.js';
import type { OutboxMessageInit } from '../storage/store.js';
import type { Transaction } from '../core/transaction.js';
import { isHostileKey } from '../core/path.js';
import { sealValue } from '../core/seal.js';
import { covers } from '../contracts/pattern.js';
import type { Guard } from '../contracts/guard.js';
import type { Deadline } from './deadline.js';

/** Signals a process emits through `ctx.signal`; published only if its attempt commits. */
export class SignalBuffer {
  readonly pending: [string, unknown][] = [];
  /** Set when the attempt ends: a leaked `ctx.signal` refuses to emit into a finished transaction. */
  closed = false;

  constructor(private readonly guard: Guard) {}

  push(topic: unknown, payload: unknown): void {
    if (this.closed) {
      throw new StaleReferenceError(`ctx.signal was used after its process's transaction ended: the signal '${String(topic)}' was not emitted. Emit signals while the process runs (await the work that produces them).`, {
        path: `signal.${String(topic)}`,
      });
    }
    if (typeof topic !== 'string' || topic.length === 0 || topic.length > 256 || isHostileKey(topic)) {
      throw new TheusError('INVALID_ARGUMENT', `A signal topic is a non-empty string of at most 256 characters (got ${typeof topic === 'string' ? JSON.stringify(topic.slice(0, 40)) : typeof topic}).`);
    }
    const { contract, strict, mode } = this.guard;
    if (mode !== 'system' && (contract.semantic === 'pure' || (strict && !contract.outputs.some((o) => covers(o, ['signal', topic]))))) {
      throw new PermissionDeniedError('write', `Process '${contract.name}' emitted signal '${topic}' without declaring the output 'signal.${topic}' (or 'signal').`, { path: `signal.${topic}` });
    }
    this.pending.push([topic, sealValue(payload, ['signal', topic])]);
  }

  /** `ctx.signal`: assign a topic to emit it, or call `publish(topic, payload)`. */
  writer(): Record<string, unknown> {
    return new Proxy(Object.create(null) as Record<string, unknown>, {
      get: (_t, key) => {
        if (key === 'publish') return (topic: string, payload?: unknown) => this.push(topic, payload);
        if (typeof key !== 'string') return undefined;
        for (let i = this.pending.length - 1; i >= 0; i--) if (this.pending[i]![0] === key) return this.pending[i]![1];
        return undefined;
      },
      set: (_t, key, value) => {
        this.push(key, value);
        return true;
      },
      defineProperty: () => {
        throw new TheusError('INVALID_ARGUMENT', 'Emit signals by assignment (ctx.signal.topic = payload) or ctx.signal.publish(topic, payload).');
      },
      deleteProperty: (_t, key) => {
        throw new PermissionDeniedError('write', `Signals are append-only: the emitted signal '${String(key)}' cannot be deleted.`, { path: `signal.${String(key)}` });
      },
      ownKeys: () => [...new Set(this.pending.map(([t]) => t))],
      getOwnPropertyDescriptor: (_t, key) => {
        if (typeof key !== 'string') return undefined;
        const hit = this.pending.findLast(([t]) => t === key);
        return hit ? { value: hit[1], writable: false, enumerable: true, configurable: true } : undefined;
      },
    });
  }
}

const MAX_OUTBOX_MESSAGES = 10_000;

/** Messages a process adds with `ctx.outbox.add`: they commit with its state change, or not at all. */
export class OutboxBuffer {
  readonly pending: OutboxMessageInit[] = [];
  closed = false;

  add(topic: unknown, payload?: unknown): void {
    if (this.closed) throw new StaleReferenceError(`outbox.add('${String(topic)}') was called after its transaction ended; the message was not added.`);
    if (typeof topic !== 'string' || topic.length === 0 || topic.length > 256 || isHostileKey(topic)) {
      throw new TheusError('INVALID_ARGUMENT', `An outbox topic is a non-empty string of at most 256 characters (got ${typeof topic === 'string' ? JSON.stringify(topic.slice(0, 40)) : typeof topic}).`);
    }
    if (this.pending.length >= MAX_OUTBOX_MESSAGES) throw new TheusError('INVALID_ARGUMENT', `At most ${MAX_OUTBOX_MESSAGES} outbox messages per commit.`);
    // Copied and frozen now: the caller may reuse its object; what commits is what was added.
    this.pending.push(Object.freeze({ topic, payload: sealValue(payload, ['outbox', topic]) }));
  }

  /** `ctx.outbox` / `tx.outbox`. */
  writer(): { add(topic: string, payload?: unknown): void } {
    return Object.freeze({ add: (topic: string, payload?: unknown) => this.add(topic, payload) });
  }
}

export interface ContextDeps {
  readonly tx: Transaction;
  readonly guard: Guard;
  readonly input: unknown;
  readonly signals: SignalBuffer;
  /** Behind `ctx.abortSignal`; absent in workers, where the pool's timeout cuts the attempt off. */
  readonly deadline: Deadline | undefined;
  onAdmin(): void;
  readonly outbox: OutboxBuffer;
}

const NEVER_ABORTED = new AbortController().signal;

function replaced(root: string): never {
  throw new PermissionDeniedError(
    'write',
    `ctx.${root} cannot be replaced: write its keys instead (ctx.${root}.key = value), or declare outputs and return the new value.`,
    { path: root },
  );
}

/**
 * The `ctx` a process receives. Roots are read through the transaction's guarded proxies on each
 * access, so an undeclared root fails at the statement that touches it.
 */
export class ExecutionContext {
  readonly #deps: ContextDeps;
  #local: Record<string, unknown> | undefined;
  #signal: Record<string, unknown> | undefined;
  #outbox: { add(topic: string, payload?: unknown): void } | undefined;
  #admin: ExecutionContext | undefined;

  constructor(deps: ContextDeps) {
    this.#deps = deps;
  }

  get domain(): any {
    return this.#deps.tx.root('domain');
  }

  set domain(_v: unknown) {
    replaced('domain');
  }

  get global(): any {
    return this.#deps.tx.root('global');
  }

  set global(_v: unknown) {
    replaced('global');
  }

  get heavy(): any {
    return this.#deps.tx.root('heavy');
  }

  set heavy(_v: unknown) {
    replaced('heavy');
  }

  get meta(): any {
    return this.#deps.tx.root('meta');
  }

  set meta(_v: unknown) {
    replaced('meta');
  }

  get signal(): any {
    return (this.#signal ??= this.#deps.signals.writer());
  }

  set signal(_v: unknown) {
    replaced('signal');
  }

  /** Messages committed atomically with this process's changes (delivered by engine.attachWorker). */
  get outbox(): { add(topic: string, payload?: unknown): void } {
    return (this.#outbox ??= this.#deps.outbox.writer());
  }

  get local(): Record<string, unknown> {
    return (this.#local ??= {});
  }

  get input(): unknown {
    return this.#deps.input;
  }

  get abortSignal(): AbortSignal {
    return this.#deps.deadline?.signal() ?? NEVER_ABORTED;
  }

  /** A configured namespace root. */
  ns(name: string): any {
    if (typeof name !== 'string' || isHostileKey(name)) throw new TheusError('INVALID_ARGUMENT', `Invalid namespace name.`);
    return this.#deps.tx.root(name);
  }

  /**
   * Runs `fn(admin)` with zone ceilings lifted (except const_), inside this same transaction.
   * Elevation follows `fn`'s own execution (what it awaits included): this ctx, used outside
   * `fn`, is never elevated, even while an async `fn` is pending.
   */
  asAdmin<T>(fn: (admin: ExecutionContext) => T): T {
    if (typeof fn !== 'function') throw new TheusError('INVALID_ARGUMENT', 'ctx.asAdmin(fn) takes a function: ctx.asAdmin((admin) => { admin.domain.internal_x = 1; }).');
    this.#deps.onAdmin();
    let view = this.#admin;
    if (view === undefined) {
      view = this.#admin = new ExecutionContext(this.#deps);
      // One scratch object per execution, whichever view reaches it.
      view.#local = this.#local ??= {};
    }
    return this.#deps.guard.runAdmin(() => fn(view));
  }

  toJSON(): never {
    throw new TheusError('UNSUPPORTED_VALUE', 'A process context is not data: read the values you need from it instead of serialising it.');
  }
}
