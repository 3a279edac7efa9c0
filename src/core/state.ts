import { TheusError } from '../errors.js';
import { LOCKED, READ_ONLY, type Access } from './access.js';
import { Draft, DraftScope } from './draft.js';
import { Kind, kindOfRaw, NOT_DATA } from './kinds.js';
import { assertRootName, isHostileKey } from './path.js';
import { toPlain } from './plain.js';
import { sealValue } from './seal.js';
import { EMPTY_SIGNALS, nextState, registerState } from './state-link.js';
import { Transaction, type TransactionOptions } from './transaction.js';

export { nextState };

/**
 * An immutable, versioned snapshot. `domain`, `global` and `heavy` are the committed data itself:
 * deeply frozen (Maps, Sets, Dates and wide records behind read-only wrappers), so reading is a
 * native property load and a write at any depth throws. Old States stay valid forever.
 */
export class State {
  /**
   * The roots container. A transaction's commit hands it over unfrozen: it is reachable only
   * through this private field, every root in it is frozen, and `data` freezes it before it is
   * first handed out. Not freezing it per commit, and copying it unfrozen in the next
   * transaction, is a third of what a small commit costs in copying.
   */
  readonly #root: Readonly<Record<string, unknown>>;
  #rootFrozen = false;
  readonly #version: number;
  readonly #signals: Readonly<Record<string, unknown>>;
  #views: Map<Access, Draft> | undefined;

  static {
    // Transactions make States and read their roots through state-link.ts (no import cycle).
    registerState(
      (root, version, signals) => new State(root, version, signals),
      (x) => x instanceof State,
      (s) => s.#root,
    );
  }

  private constructor(root: Readonly<Record<string, unknown>>, version: number, signals: Readonly<Record<string, unknown>>) {
    this.#root = root;
    this.#version = version;
    this.#signals = signals;
    Object.freeze(this);
  }

  /** Builds version 0 from plain data. The input is copied, never frozen or modified. */
  static create(initial: Record<string, unknown> = {}): State {
    if (kindOfRaw(initial) !== Kind.Plain) {
      throw new TheusError('INVALID_ARGUMENT', 'State.create() takes a plain object such as { domain: {…}, global: {…} }.');
    }
    const roots: Record<string, unknown> = { domain: {}, global: {}, heavy: {} };
    for (const key of Object.keys(initial)) {
      if (isHostileKey(key)) throw new TheusError('INVALID_PATH', `The root '${key}' is refused.`, { path: key });
      roots[key] = initial[key];
    }
    for (const key of ['domain', 'global', 'heavy']) {
      if (kindOfRaw(roots[key]) !== Kind.Plain) throw new TheusError('INVALID_ARGUMENT', `The '${key}' root must be a plain object.`, { path: key });
    }
    const sealed: Record<string, unknown> = {};
    for (const key of Object.keys(roots)) sealed[key] = sealValue(roots[key], [key]);
    // Left unfrozen like every committed roots container (see #root): `data` freezes it.
    return new State(sealed, 0, EMPTY_SIGNALS);
  }

  get version(): number {
    return this.#version;
  }

  get domain(): any {
    return this.#root.domain;
  }

  get global(): any {
    return this.#root.global;
  }

  get heavy(): any {
    return this.#root.heavy;
  }

  /** Signals latched by the commit that produced this version (topic → payload). */
  get signals(): Readonly<Record<string, unknown>> {
    return this.#signals;
  }

  /** Every root (`domain`, `global`, `heavy` and namespaces), frozen. */
  get data(): Readonly<Record<string, any>> {
    if (!this.#rootFrozen) {
      Object.freeze(this.#root);
      this.#rootFrozen = true;
    }
    return this.#root;
  }

  /** A root by name. */
  get(name: string): any {
    assertRootName(name);
    return Object.prototype.hasOwnProperty.call(this.#root, name) ? this.#root[name] : undefined;
  }

  /** A supervisor proxy over `domain`: writes throw (PermissionDeniedError when readOnly, ContextLockedError otherwise). */
  domainProxy(options: { readOnly?: boolean } = {}): any {
    return this.#view(options.readOnly ? READ_ONLY : LOCKED).proxy.domain;
  }

  globalProxy(options: { readOnly?: boolean } = {}): any {
    return this.#view(options.readOnly ? READ_ONLY : LOCKED).proxy.global;
  }

  heavyProxy(options: { readOnly?: boolean } = {}): any {
    return this.#view(options.readOnly ? READ_ONLY : LOCKED).proxy.heavy;
  }

  #view(access: Access): Draft {
    this.#views ??= new Map();
    let view = this.#views.get(access);
    if (!view) {
      view = Draft.root(new DraftScope(), this.data, access);
      this.#views.set(access, view);
    }
    return view;
  }

  /** Opens a transaction; with a callback, runs it, commits and returns the next State (rolls back on throw). */
  transaction(): Transaction;
  transaction(fn: (tx: Transaction) => void, options?: TransactionOptions): State;
  transaction(fn: (tx: Transaction) => Promise<void>, options?: TransactionOptions): Promise<State>;
  transaction(fn?: (tx: Transaction) => void | Promise<void>, options?: TransactionOptions): Transaction | State | Promise<State> {
    const tx = new Transaction(this, options);
    if (fn === undefined) return tx;
    if (typeof fn !== 'function') throw new TheusError('INVALID_ARGUMENT', 'state.transaction(fn) takes a function.');
    let out: void | Promise<void>;
    try {
      out = fn(tx);
    } catch (err) {
      tx.rollback();
      throw err;
    }
    if (out && typeof (out as Promise<void>).then === 'function') {
      return (out as Promise<void>).then(
        () => (tx.active ? tx.commit() : this),
        (err: unknown) => {
          tx.rollback();
          throw err;
        },
      );
    }
    // A callback that rolled back on its own commits nothing: the result is this same State.
    return tx.active ? tx.commit() : this;
  }

  /** Marks states as machinery: storing a State inside state is refused (see kinds.ts). */
  get [NOT_DATA](): true {
    return true;
  }

  /** A plain, mutable deep copy of every root. */
  toJSON(): Record<string, unknown> {
    return toPlain(this.#root) as Record<string, unknown>;
  }

  toDict(): Record<string, unknown> {
    return this.toJSON();
  }
}

