/**
 * Workflows written in TypeScript, checked against the processes they run: a misspelt process
 * name, or step `args` that do not fit that process's arguments, is a compile error. At run time
 * the definition is returned unchanged and goes to `engine.executeWorkflow` as any object does.
 */
import type { ProcessDefinition } from './types.js';

type IsAny<T> = 0 extends 1 & T ? true : false;

/** Step arguments for a process: its declared arguments, partial (workflow `args` are merged under them). */
type StepArgs<D> = D extends ProcessDefinition<infer A, any, any> ? (IsAny<A> extends true ? Readonly<Record<string, unknown>> : A extends object ? Partial<A> : never) : never;

type ProcessStep<P> = { [K in keyof P & string]: K | { readonly process: K; readonly args?: StepArgs<P[K]> } }[keyof P & string];

/** One step of a typed workflow (the Flux format: process names, `flux: if / while / run`). */
export type TypedStep<P> =
  | ProcessStep<P>
  | { readonly flux: 'if'; readonly condition: string | boolean; readonly then?: readonly TypedStep<P>[]; readonly else?: readonly TypedStep<P>[] }
  | { readonly flux: 'while'; readonly condition: string | boolean; readonly do: readonly TypedStep<P>[] }
  | { readonly flux: 'run'; readonly steps: readonly TypedStep<P>[] };

/** A workflow definition whose process steps name keys of `P` (a map of name → process). */
export type TypedWorkflow<P> = {
  readonly name?: string;
  readonly description?: string;
  readonly version?: string | number;
  readonly steps: readonly TypedStep<P>[];
};

/**
 * Checks a workflow against a map of processes, keyed by the names they are registered under:
 * `defineWorkflow<typeof processes>({ steps: [...] })`. A typed identity function.
 */
export function defineWorkflow<P extends Record<string, ProcessDefinition>, const W extends TypedWorkflow<P> = TypedWorkflow<P>>(workflow: W): W {
  return workflow;
}
