/**
 * What drafts and read-only views answer for names their data does not hold (methods, accessors,
 * `constructor` …). Handing out a built-in function or a prototype object would let a chain of
 * keys from request data write onto it (`draft.toString.call.x = 1` reaches
 * `Function.prototype.call`). So every function handed out is a frozen wrapper whose own members
 * are frozen wrappers too, `constructor` reads as undefined, and object-valued prototype data
 * (shared machinery such as `Array.prototype[Symbol.unscopables]`) is not handed out at all.
 */

/** The prototype of every handed-out function: null-prototype, frozen, with frozen members only. */
const SAFE_FN_PROTO: Record<string, unknown> = Object.create(null) as Record<string, unknown>;

/** Makes a function of ours safe to hand out: frozen, and nothing mutable reachable from it. */
export function harden<F extends (...args: any[]) => unknown>(fn: F): F {
  Object.setPrototypeOf(fn, SAFE_FN_PROTO);
  return Object.freeze(fn);
}

SAFE_FN_PROTO.call = harden({
  call(this: (...a: unknown[]) => unknown, thisArg: unknown, ...args: unknown[]): unknown {
    return Reflect.apply(this, thisArg, args);
  },
}.call);
SAFE_FN_PROTO.apply = harden({
  apply(this: (...a: unknown[]) => unknown, thisArg: unknown, args?: ArrayLike<unknown>): unknown {
    return Reflect.apply(this, thisArg, args === undefined || args === null ? [] : Array.from(args));
  },
}.apply);
SAFE_FN_PROTO.bind = harden({
  bind(this: (...a: unknown[]) => unknown, thisArg: unknown, ...bound: unknown[]): unknown {
    return harden((...args: unknown[]) => Reflect.apply(this, thisArg, [...bound, ...args]));
  },
}.bind);
SAFE_FN_PROTO.toString = harden({
  toString(this: { name?: string }): string {
    return `function ${this.name ?? ''}() { [native code] }`;
  },
}.toString);
Object.freeze(SAFE_FN_PROTO);

const wrappers = new WeakMap<object, unknown>();

/** A frozen stand-in for `fn` that calls it with the same `this` (cached, so `d.map === d.map`). */
export function safeMethod(fn: (...args: unknown[]) => unknown): unknown {
  if (Object.getPrototypeOf(fn) === SAFE_FN_PROTO) return fn;
  let w = wrappers.get(fn);
  if (w === undefined) {
    const name = typeof fn.name === 'string' ? fn.name : 'method';
    // A method shorthand: no own `prototype` object and not constructible.
    w = harden(
      {
        [name](this: unknown, ...args: unknown[]): unknown {
          return Reflect.apply(fn, this, args);
        },
      }[name]!,
    );
    wrappers.set(fn, w);
  }
  return w;
}

/**
 * The value of a name that is not own data, as a draft or view may hand it out: primitives as
 * they are, functions wrapped, getters run against the proxy (their result is the caller's own),
 * and `constructor`, `__proto__` and object-valued prototype data never.
 */
export function inheritedMember(proto: object | null, key: PropertyKey, receiver: unknown): unknown {
  if (proto === null || key === 'constructor' || key === '__proto__' || key === 'prototype') return undefined;
  const v = Reflect.get(proto, key, receiver) as unknown;
  if (typeof v === 'function') return safeMethod(v as (...args: unknown[]) => unknown);
  if (typeof v !== 'object' || v === null) return v;
  return viaAccessor(proto, key) ? v : undefined;
}

function viaAccessor(proto: object, key: PropertyKey): boolean {
  for (let p: object | null = proto; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const d = Reflect.getOwnPropertyDescriptor(p, key);
    if (d) return d.get !== undefined;
  }
  return false;
}
