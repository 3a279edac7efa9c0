/**
 * How the core treats a value. Decided by the value's own prototype, never by duck typing, so a
 * hostile object cannot masquerade as another kind.
 */
export const enum Kind {
  Primitive = 0,
  Plain = 1,
  Array = 2,
  Map = 3,
  Set = 4,
  Date = 5,
  Instance = 6,
  /** Stored by reference and never copied, frozen or proxied (heavy arrays, opaque handles). */
  Opaque = 7,
  Unsupported = 8,
  /** A committed object with many keys, held in a persistent trie (see wide.ts). */
  Wide = 9,
}

/**
 * Class instances carrying this symbol (as an own property or on their prototype) are kept by
 * reference. Plain objects and arrays are always copied, marker or not: the check runs only for
 * non-plain prototypes, so sealing plain data never pays for it, and a JSON-shaped value can never
 * opt out of copying by accident.
 */
export const OPAQUE = Symbol.for('theus.opaque');

/**
 * Marks the core's own machinery (Transaction, State). Without it a transaction stored in state
 * would be copied as an empty class instance (its fields are private) instead of refused (INC-020).
 */
export const NOT_DATA = Symbol('theus.notData');

export function kindOfRaw(value: unknown): Kind {
  if (value === null) return Kind.Primitive;
  const t = typeof value;
  if (t !== 'object') {
    // BigInt is refused: JSON.stringify of state (and every delta consumer) would throw on it.
    return t === 'function' || t === 'symbol' || t === 'bigint' ? Kind.Unsupported : Kind.Primitive;
  }
  const obj = value as object;
  const proto = Object.getPrototypeOf(obj) as object | null;
  if (proto === Object.prototype || proto === null) return Kind.Plain;
  if (proto === Array.prototype) return Kind.Array;
  if ((obj as Record<symbol, unknown>)[OPAQUE] === true) return Kind.Opaque;
  if ((obj as Record<symbol, unknown>)[NOT_DATA] === true) return Kind.Unsupported;
  if (proto === Map.prototype) return Kind.Map;
  if (proto === Set.prototype) return Kind.Set;
  if (proto === Date.prototype) return Kind.Date;
  if (Array.isArray(obj)) return Kind.Array; // array subclasses behave as arrays
  if (
    obj instanceof Map || obj instanceof Set || obj instanceof Date || obj instanceof Promise || obj instanceof WeakMap ||
    obj instanceof WeakSet || obj instanceof RegExp || obj instanceof Error || ArrayBuffer.isView(obj) ||
    obj instanceof ArrayBuffer || obj instanceof SharedArrayBuffer || obj instanceof WeakRef || isBoxed(obj)
  ) {
    return Kind.Unsupported;
  }
  return Kind.Instance;
}

/** `new Number(1)`, `new String('a')` …: their value lives in an internal slot no copy can carry. */
function isBoxed(obj: object): boolean {
  return obj instanceof Number || obj instanceof String || obj instanceof Boolean || obj instanceof BigInt || obj instanceof Symbol;
}

export function unsupportedReason(value: unknown): string {
  if (typeof value === 'function') return 'functions are behaviour, not data';
  if (typeof value === 'symbol') return 'symbols cannot be serialised or compared across versions';
  if (typeof value === 'bigint') return 'BigInt cannot be serialised to JSON; store it as a string (String(x)) or, if it fits, a number';
  if (typeof value === 'object' && value !== null && isBoxed(value)) return 'boxed primitives (new Number, new String …) cannot be copied; store the primitive value itself';
  if (typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[NOT_DATA] === true) {
    return 'transactions and states are not data; store the values read from them instead';
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
    return 'binary buffers belong in the heavy zone (engine.heavy.alloc), where they are shared without copying';
  }
  if (value instanceof Map || value instanceof Set || value instanceof Date) return 'subclasses of Map, Set and Date cannot be supervised';
  return 'only plain data, arrays, Map, Set, Date and class instances can live in state';
}
