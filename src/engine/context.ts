import { PermissionDeniedError, TheusError } from '../errors.js';
import type { Transaction } from '../core/transaction.js';
import { isHostileKey } from '../core/path.js';
import { sealValue } from '../core/seal.js';
import { covers } from '../contracts/pattern.js';
import type { Guard } from '../contracts/guard.js';

/** Signals a process emits through `ctx.signal`; published only if its attempt commits. */
export class SignalBuffer {
  readonly pending: [string, unknown][] = [];

  constructor(private readonly guard: Guard) {}

  push(topic: unknown, payload: unknown): void {
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

export interface ContextDeps {
  readonly tx: Transaction;
  readonly guard: Guard;
  readonly input: unknown;
  readonly signals: SignalBuffer;
  readonly abortSignal: () => AbortSignal;
  readonly onAdmin: () => void;
}

/**
 * The `ctx` a process receives. Roots are read through the transaction's guarded proxies on each
 * access, so an undeclared root fails at the statement that touches it.
 */
export class ExecutionContext {
  readonly #deps: ContextDeps;
  #local: Record<string, unknown> | undefined;
  #signal: Record<string, unknown> | undefined;

  constructor(deps: ContextDeps) {
    this.#deps = deps;
  }

  get domain(): any {
    return this.#deps.tx.root('domain');
  }

  get global(): any {
    return this.#deps.tx.root('global');
  }

  get heavy(): any {
    return this.#deps.tx.root('heavy');
  }

  get meta(): any {
    return this.#deps.tx.root('meta');
  }

  get signal(): any {
    return (this.#signal ??= this.#deps.signals.writer());
  }

  get local(): Record<string, unknown> {
    return (this.#local ??= {});
  }

  get input(): unknown {
    return this.#deps.input;
  }

  get abortSignal(): AbortSignal {
    return this.#deps.abortSignal();
  }

  /** A configured namespace root. */
  ns(name: string): any {
    if (typeof name !== 'string' || isHostileKey(name)) throw new TheusError('INVALID_ARGUMENT', `Invalid namespace name.`);
    return this.#deps.tx.root(name);
  }

  asAdmin<T>(fn: () => T): T {
    if (typeof fn !== 'function') throw new TheusError('INVALID_ARGUMENT', 'ctx.asAdmin(fn) takes a function.');
    const guard = this.#deps.guard;
    const previous = guard.mode;
    guard.mode = 'admin';
    this.#deps.onAdmin();
    let out: T;
    try {
      out = fn();
    } catch (e) {
      guard.mode = previous;
      throw e;
    }
    if (out && typeof (out as { then?: unknown }).then === 'function') {
      return (out as unknown as Promise<unknown>).finally(() => {
        guard.mode = previous;
      }) as T;
    }
    guard.mode = previous;
    return out;
  }

  toJSON(): never {
    throw new TheusError('UNSUPPORTED_VALUE', 'A process context is not data: read the values you need from it instead of serialising it.');
  }
}
