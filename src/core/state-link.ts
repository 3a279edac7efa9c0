import type { State } from './state.js';

/**
 * How transactions make States without importing the State class (which imports Transaction):
 * state.ts registers its private constructor and its brand check here when it loads.
 */

type Make = (root: Readonly<Record<string, unknown>>, version: number, signals: Readonly<Record<string, unknown>>) => State;

let make: Make | undefined;
let check: ((x: unknown) => boolean) | undefined;
let rootReader: ((s: State) => Readonly<Record<string, unknown>>) | undefined;

export const EMPTY_SIGNALS: Readonly<Record<string, unknown>> = Object.freeze({});

export function registerState(m: Make, isState: (x: unknown) => boolean, readRoot: (s: State) => Readonly<Record<string, unknown>>): void {
  make = m;
  check = isState;
  rootReader = readRoot;
}

/**
 * Internal: a State's root container as it is held, for the transaction's root draft, which
 * reads it and copies it but never hands it out. `state.data` freezes it first (see State).
 */
export function rootOf(s: State): Readonly<Record<string, unknown>> {
  return rootReader!(s);
}

export function isState(x: unknown): x is State {
  return check !== undefined && check(x);
}

/** Internal: the State that follows `base` (used by transactions and the engine, not exported publicly). */
export function nextState(_base: State, root: Readonly<Record<string, unknown>>, version: number, signals: Readonly<Record<string, unknown>> = EMPTY_SIGNALS): State {
  return make!(root, version, signals);
}
