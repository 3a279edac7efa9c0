import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { invalidArgument } from '../errors.js';
import { PROCESS, type ContextShape, type ContractSpec, type ProcessContext, type ProcessDefinition, type Semantic } from './types.js';
import type { TypedContext } from './typed-context.js';
import type { ReturnFor, UpdateCheck } from './typed-return.js';
import type { PathCheck } from './typed-paths.js';

// The path checks are `NoInfer`: `I` and `O` come from the lists alone, and inference does not walk
// into the checks (conditional types whose branches hold template literals) for every call.
type TypedSpec<C, I, O, S> = Omit<ContractSpec, 'inputs' | 'outputs' | 'semantic'> & { readonly inputs?: I; readonly outputs?: O; readonly semantic?: S } & NoInfer<PathCheck<'inputs', C, I> & PathCheck<'outputs', C, O>>;

/** The `ctx` a typed contract gives: reads of inputs ∪ outputs, writes of outputs (none when pure). */
export type ContractContext<C, I extends readonly string[], O extends readonly string[], S extends Semantic, A> = TypedContext<C, I[number] | O[number], S extends 'pure' ? never : O[number], A>;

// While `F` is being inferred it stands for its default, whose result is the whole `ReturnFor`
// (a plain `StateUpdate` among it, which names no path): nothing to check until the real result is known.
type ResultCheck<C, O extends readonly string[], R> = [ReturnFor<C, O>] extends [R] ? unknown : UpdateCheck<C, O[number], R>;

/**
 * The arguments a process function declares (its second parameter, `any` when it declares none)
 * and its result, read in one inference pass (an object, not a tuple: indexing a tuple resolves
 * every member of the array type behind it).
 */
type Signature<F> = F extends (ctx: never, args: infer A, ...rest: never[]) => infer R ? { args: unknown extends A ? any : A; result: R } : { args: any; result: unknown };

// A function that returns nothing: TypeScript 5 infers `void` against this contextual return type,
// TypeScript 7 infers `undefined`. The definition says `void` under both, so a result type does not
// change with the compiler.
type Returned<R> = [R] extends [never] ? R : [R] extends [undefined] ? void : [R] extends [Promise<undefined>] ? Promise<void> : R;

// One alias for the constraint and the default of a typed process function, so that the compiler
// sees one type where two identical literals would be compared member by member for every call.
type ProcessFunction<C, I extends readonly string[], O extends readonly string[], S extends Semantic> = (ctx: ContractContext<C, I, O, S, any>, args: any) => ReturnFor<C, O>;

/** `defineProcess` bound to a context type: wrong paths, undeclared reads and writes, and wrong results are compile errors. */
export interface TypedProcessFactory<C extends ContextShape> {
  // The function is one type parameter (not separate argument and result parameters) so that its
  // return statements are contextually typed by the outputs: an array literal is read as a tuple.
  <
    const I extends readonly string[] = readonly [],
    const O extends readonly string[] = readonly [],
    const S extends Semantic = 'effect',
    F extends ProcessFunction<C, I, O, S> = ProcessFunction<C, I, O, S>,
  >(
    spec: TypedSpec<C, I, O, S> & NoInfer<ResultCheck<C, O, Signature<F>['result']>>,
    fn: F,
  ): ProcessDefinition<Signature<F>['args'], Returned<Signature<F>['result']>, C>;
}

export interface ProcessFactory {
  <A = any, R = unknown>(spec: ContractSpec, fn: (ctx: ProcessContext<ContextShape, A>, args: A) => R): ProcessDefinition<A, R>;
  /** A typed `defineProcess` for the context type `C`. */
  for<C extends ContextShape>(): TypedProcessFactory<C>;
}

/**
 * Declares a process. The contract is checked when the process is registered (or first
 * executed); here only the shape of the call is checked, so module loading never throws on a
 * contract problem the engine can report better.
 */
function define(spec: ContractSpec, fn: (ctx: any, args: any) => unknown): ProcessDefinition {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw invalidArgument('process(contract, fn): the contract must be an object.');
  if (typeof fn !== 'function') throw invalidArgument('process(contract, fn): fn must be a function (ctx, args) => result.');
  const site = callSite();
  const name = spec.name ?? (fn.name || (site ? bindingName(site) : undefined) || '');
  const moduleUrl = site?.url;
  const def = function (this: unknown, ctx: unknown, args: unknown) {
    return fn.call(this, ctx, args);
  } as unknown as ProcessDefinition;
  Object.defineProperties(def, {
    name: { value: name, configurable: true },
    [PROCESS]: { value: true },
    processName: { value: name, enumerable: true },
    spec: { value: frozenSpec(spec), enumerable: true },
    fn: { value: fn },
    moduleUrl: { value: moduleUrl, enumerable: true },
  });
  return Object.freeze(def);
}

/** A frozen copy of the contract, lists included, so the caller's object cannot change it later. */
function frozenSpec(spec: ContractSpec): ContractSpec {
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec)) copy[k] = Array.isArray(v) ? Object.freeze([...(v as unknown[])]) : v;
  return Object.freeze(copy) as ContractSpec;
}

/** The process factory. Named so that it does not shadow Node's global `process` in user modules. */
export const defineProcess: ProcessFactory = Object.assign(define as ProcessFactory, {
  for<C extends ContextShape>(): TypedProcessFactory<C> {
    return define as unknown as TypedProcessFactory<C>;
  },
});

/** The same factory under its first name, kept for existing code. */
export const process: ProcessFactory = defineProcess;

export function isProcess(value: unknown): value is ProcessDefinition {
  return typeof value === 'function' && (value as unknown as Record<symbol, unknown>)[PROCESS] === true;
}

interface CallSite {
  readonly url: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Where `process()` was called, read from the stack once at definition time. */
function callSite(): CallSite | undefined {
  const stack = new Error().stack?.split('\n') ?? [];
  for (const line of stack.slice(1)) {
    const m = line.match(/\(?((?:file:\/\/)?\/[^():]+|[A-Za-z]:\\[^():]+):(\d+):(\d+)\)?\s*$/);
    if (!m) continue;
    const file = m[1]!.replace(/\?.*$/, '');
    if (/[\\/]contracts[\\/]process\.[jt]s$/.test(file)) continue;
    const path = file.startsWith('file://') ? fileURLToPath(file) : file;
    return { url: pathToFileURL(path).href, file: path, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

const sources = new Map<string, SourceText | null>();

interface SourceText {
  readonly text: string;
  /** Offset of the first character of each line. */
  readonly lineStarts: readonly number[];
}

function sourceOf(file: string): SourceText | null {
  let source = sources.get(file);
  if (source === undefined) {
    try {
      const text = readFileSync(file, 'utf8');
      const lineStarts = [0];
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
      source = { text, lineStarts };
    } catch {
      source = null;
    }
    sources.set(file, source);
  }
  return source;
}

/**
 * The name a process is bound to where it is defined, so that the name defaults to it as a user
 * expects (an inline arrow function has no name of its own): `const transfer = defineProcess(…)`,
 * `x = …`, `{ transfer: defineProcess(…) }`, over several lines, several on one line, through a
 * typed factory (`p(…)`, `defineProcess.for<C>()(…)`) or `await`. The stack gives the position of
 * the call (the callee's last name or the call's parenthesis); from there the source is read
 * backwards over the callee to the token that binds it. Anything else (an argument, an array
 * element, `export default`) has no name: the contract's `name:` is then required.
 */
function bindingName(site: CallSite): string | undefined {
  const source = sourceOf(site.file);
  const lineStart = source?.lineStarts[site.line - 1];
  if (!source || lineStart === undefined) return undefined;
  const text = source.text;
  let i = skipCallee(text, Math.min(text.length - 1, lineStart + site.column - 1));
  if (text.slice(Math.max(0, i - 4), i + 1) === 'await' && !isIdentChar(text[i - 5])) i = skipSpace(text, i - 5);
  const c = text[i];
  if (c === '=' && !'=!<>+-*/%&|^?'.includes(text[i - 1] ?? '')) return assignedName(text, skipSpace(text, i - 1));
  if (c === ':') return memberKey(text, skipSpace(text, i - 1));
  return undefined;
}

function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && /[\w$]/.test(c);
}

function skipSpace(text: string, i: number): number {
  while (i >= 0 && /\s/.test(text[i]!)) i--;
  return i;
}

/** Moves left over the callee expression: names, `.`, `?.`, `!`, balanced `(…)` and `<…>`. */
function skipCallee(text: string, i: number): number {
  for (;;) {
    i = skipSpace(text, i);
    const c = text[i];
    if (c === undefined) return i;
    if (isIdentChar(c)) {
      while (i >= 0 && isIdentChar(text[i])) i--;
      const before = skipSpace(text, i);
      if (text[before] === '.' || text[before] === ')' || (text[before] === '>' && text[before - 1] !== '=')) {
        i = text[before] === '.' ? before - 1 : before;
        if (text[i] === '?') i--;
        continue;
      }
      return before;
    }
    if (c === ')' || (c === '>' && text[i - 1] !== '=')) {
      const open = c === ')' ? '(' : '<';
      let depth = 0;
      for (; i >= 0; i--) {
        if (text[i] === c) depth++;
        else if (text[i] === open && --depth === 0) break;
      }
      if (i < 0) return i;
      i--;
      continue;
    }
    if (c === '(' || c === '!') {
      i--;
      continue;
    }
    return i;
  }
}

/** `const x =`, `x =`, `obj.x =`, `const x: Type =`. */
function assignedName(text: string, i: number): string | undefined {
  const end = i + 1;
  while (i >= 0 && isIdentChar(text[i])) i--;
  const name = text.slice(i + 1, end);
  if (/^[A-Za-z_$][\w$]*$/.test(name)) return name;
  const statement = text.slice(Math.max(0, text.lastIndexOf(';', end) + 1), end);
  return statement.match(/(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*:[^=]*$/)?.[1];
}

/** `{ transfer: …` or `{ 'transfer': …`, but not the `:` of a conditional expression. */
function memberKey(text: string, i: number): string | undefined {
  let key: string | undefined;
  let start: number;
  const quote = text[i];
  if (quote === "'" || quote === '"') {
    start = text.lastIndexOf(quote, i - 1);
    if (start < 0) return undefined;
    key = text.slice(start + 1, i);
  } else {
    start = i;
    while (start >= 0 && isIdentChar(text[start])) start--;
    key = text.slice(++start, i + 1);
  }
  const before = text[skipSpace(text, start - 1)];
  return key !== '' && (before === '{' || before === ',') ? key : undefined;
}
