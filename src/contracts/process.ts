import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { invalidArgument } from '../errors.js';
import { PROCESS, type ContextShape, type ContractSpec, type ProcessContext, type ProcessDefinition } from './types.js';
import type { PathCheck } from './typed-paths.js';

type TypedSpec<C, I, O> = Omit<ContractSpec, 'inputs' | 'outputs'> & { readonly inputs?: I; readonly outputs?: O } & PathCheck<'inputs', C, I> & PathCheck<'outputs', C, O>;

/** `process` bound to a context type: wrong paths are compile errors and `ctx` is typed. */
export interface TypedProcessFactory<C extends ContextShape> {
  <const I extends readonly string[] = readonly [], const O extends readonly string[] = readonly [], A = any, R = unknown>(
    spec: TypedSpec<C, I, O>,
    fn: (ctx: ProcessContext<C, A>, args: A) => R,
  ): ProcessDefinition<A, R, C>;
}

export interface ProcessFactory {
  <A = any, R = unknown>(spec: ContractSpec, fn: (ctx: ProcessContext<ContextShape, A>, args: A) => R): ProcessDefinition<A, R>;
  /** A typed `process` for the context type `C`. */
  for<C extends ContextShape>(): TypedProcessFactory<C>;
}

/**
 * Declares a process. The contract is checked when the process is registered (or first
 * executed); here only the shape of the call is checked, so module loading never throws on a
 * contract problem the engine can report better.
 */
function defineProcess(spec: ContractSpec, fn: (ctx: any, args: any) => unknown): ProcessDefinition {
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

export const process: ProcessFactory = Object.assign(defineProcess as ProcessFactory, {
  for<C extends ContextShape>(): TypedProcessFactory<C> {
    return defineProcess as unknown as TypedProcessFactory<C>;
  },
});

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

const sources = new Map<string, string[] | null>();

/**
 * The variable a process is assigned to (`export const transfer = process(…)`), so that the
 * name defaults to it as a user expects: an inline arrow function has no name of its own.
 */
function bindingName(site: CallSite): string | undefined {
  let lines = sources.get(site.file);
  if (lines === undefined) {
    try {
      lines = readFileSync(site.file, 'utf8').split('\n');
    } catch {
      lines = null;
    }
    sources.set(site.file, lines);
  }
  const text = lines?.[site.line - 1];
  if (text === undefined) return undefined;
  const before = text.slice(0, Math.max(0, site.column - 1));
  const m = before.match(/(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]*)?=\s*(?:await\s+)?[\w$.<>()\s]*$/) ?? text.match(/(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]*)?=\s*[\w$.]*process\b/);
  return m?.[1];
}
