import { invalidArgument } from '../errors.js';

export interface StateUpdateInit {
  /** Paths (dotted, or nested objects) under the state root: `{ 'domain.x': 1 }` or `{ domain: { x: 1 } }`. */
  readonly data?: Record<string, unknown>;
  /** Entries of the heavy root, by key or dotted path below `heavy`. */
  readonly heavy?: Record<string, unknown>;
  /** Topic → payload, published after the commit. */
  readonly signal?: Record<string, unknown>;
  /** Paths below the `meta` root. */
  readonly meta?: Record<string, unknown>;
}

const BRAND = Symbol.for('theus.stateUpdate');

export interface StateUpdate extends StateUpdateInit {
  readonly [BRAND]: true;
}

// Generic so that the sections keep their keys: a typed process checks them against its outputs.
interface StateUpdateFactory {
  <I extends StateUpdateInit>(init: I): StateUpdate & Readonly<I>;
  new <I extends StateUpdateInit>(init: I): StateUpdate & Readonly<I>;
}

/** An explicit update returned by a process (or built for compareAndSwap). Callable with or without `new`. */
export const StateUpdate = function StateUpdate(init: StateUpdateInit): StateUpdate {
  if (typeof init !== 'object' || init === null || Array.isArray(init)) throw invalidArgument('StateUpdate takes an object { data?, heavy?, signal?, meta? }.');
  for (const key of Object.keys(init)) {
    if (key !== 'data' && key !== 'heavy' && key !== 'signal' && key !== 'meta') throw invalidArgument(`StateUpdate: unknown section '${key}' (expected data, heavy, signal or meta).`);
    const section = (init as Record<string, unknown>)[key];
    if (section !== undefined && (typeof section !== 'object' || section === null || Array.isArray(section))) {
      throw invalidArgument(`StateUpdate: '${key}' must be an object of path → value.`);
    }
  }
  return Object.freeze({ ...init, [BRAND]: true as const });
} as unknown as StateUpdateFactory;

export function isStateUpdate(value: unknown): value is StateUpdate {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
