import { ContractViolationError } from '../errors.js';
import { Kind, kindOfRaw } from '../core/kinds.js';
import { formatPath, type Segment } from '../core/path.js';
import { covers, WILDCARD, type PathPattern } from '../contracts/pattern.js';
import { isStateUpdate } from '../contracts/state-update.js';
import type { Contract } from '../contracts/types.js';
import type { Transaction } from '../core/transaction.js';
import type { Guard } from '../contracts/guard.js';
import { entriesOf, leafPaths, mergePath, setPath } from './updates.js';

/** What a process's return value asks the engine to write. */
export interface MappedOutputs {
  /** Values to write (replace) at a path. */
  readonly sets: (readonly [Segment[], unknown])[];
  /** StateUpdate payload entries (merge semantics). */
  readonly merges: (readonly [Segment[], unknown])[];
  /** Signals to publish after commit. */
  readonly signals: (readonly [string, unknown])[];
}

const EMPTY: MappedOutputs = { sets: [], merges: [], signals: [] };

/**
 * Turns a return value into writes, following API.md §3:
 * - `undefined` writes nothing; `null` writes null;
 * - one output: the value is written to it;
 * - several outputs: an array (positional) or an object keyed by output path or unambiguous last
 *   segment; `undefined` entries leave that output alone;
 * - a `StateUpdate` writes its sections (merging nested objects);
 * - a returned value for a path the process mutated through `ctx` is ignored: the mutation wins
 *   and the value is only `execute`'s result.
 */
export function mapOutputs(contract: Contract, result: unknown, mutatedPaths: () => readonly (readonly Segment[])[], strict: boolean): MappedOutputs {
  if (result === undefined) return EMPTY;
  if (isStateUpdate(result)) return mapStateUpdate(contract, result, strict);
  const outputs = contract.outputs;
  if (outputs.length === 0) return EMPTY;
  const targets: (readonly [PathPattern, unknown])[] = [];
  if (outputs.length === 1) {
    targets.push([outputs[0]!, result]);
  } else if (Array.isArray(result)) {
    if (result.length > outputs.length) {
      throw new ContractViolationError(`Process '${contract.name}' returned ${result.length} values for ${outputs.length} outputs [${outputs.map((o) => o.text).join(', ')}].`);
    }
    result.forEach((v, i) => targets.push([outputs[i]!, v]));
  } else if (kindOfRaw(result) === Kind.Plain) {
    for (const key of Object.keys(result as object)) {
      const target = outputs.find((o) => o.text === key) ?? uniqueLeaf(outputs, key);
      if (!target) {
        throw new ContractViolationError(`Process '${contract.name}' returned a value for '${key}', which is not a declared output [${outputs.map((o) => o.text).join(', ')}]. Nothing was committed.`, { path: key });
      }
      targets.push([target, (result as Record<string, unknown>)[key]]);
    }
  } else {
    throw new ContractViolationError(
      `Process '${contract.name}' declares ${outputs.length} outputs [${outputs.map((o) => o.text).join(', ')}] but returned a single ${typeof result} value. Return undefined, an array in output order, an object keyed by output path, or a StateUpdate.`,
    );
  }
  const sets: [Segment[], unknown][] = [];
  const signals: [string, unknown][] = [];
  // What the process mutated through ctx is diffed only if some returned value needs the check.
  let mutated: readonly (readonly Segment[])[] | undefined;
  for (const [pattern, value] of targets) {
    if (value === undefined) continue;
    if (pattern.segments.includes(WILDCARD)) {
      throw new ContractViolationError(`Process '${contract.name}' returned a value for the wildcard output '${pattern.text}': return a StateUpdate naming the concrete paths instead.`, { path: pattern.text });
    }
    const path = pattern.segments as Segment[];
    mutated ??= mutatedPaths();
    if (mutated.some((m) => overlaps(m, path))) continue;
    if (path[0] === 'signal') {
      if (path.length !== 2) throw new ContractViolationError(`Signal output '${pattern.text}' must name one topic (signal.<topic>).`, { path: pattern.text });
      signals.push([path[1] as string, value]);
    } else sets.push([[...path], value]);
  }
  return { sets, merges: [], signals };
}

function mapStateUpdate(contract: Contract, update: { data?: unknown; heavy?: unknown; meta?: unknown; signal?: unknown }, strict: boolean): MappedOutputs {
  const merges = [
    ...entriesOf(update.data, [], 'StateUpdate.data'),
    ...entriesOf(update.heavy, ['heavy'], 'StateUpdate.heavy'),
    ...entriesOf(update.meta, ['meta'], 'StateUpdate.meta'),
  ];
  const signals: [string, unknown][] = [];
  if (update.signal !== undefined) {
    for (const [path, value] of entriesOf(update.signal, [], 'StateUpdate.signal')) signals.push([path.join('.'), value]);
  }
  if (strict || contract.semantic === 'pure') {
    for (const [path, value] of merges) {
      for (const leaf of leafPaths(path, value)) {
        if (!contract.outputs.some((o) => covers(o, leaf))) {
          throw new ContractViolationError(`Process '${contract.name}' returned a StateUpdate writing '${formatPath(leaf)}', which is not among its outputs. Nothing was committed.`, { path: formatPath(leaf) });
        }
      }
    }
    for (const [topic] of signals) {
      if (!contract.outputs.some((o) => covers(o, ['signal', topic]))) {
        throw new ContractViolationError(`Process '${contract.name}' emitted signal '${topic}' without declaring the output 'signal.${topic}' (or 'signal').`, { path: `signal.${topic}` });
      }
    }
  }
  return { sets: [], merges, signals };
}

/**
 * Maps a process's return value onto its transaction, writing as the engine (past the process's
 * own guard, which only governs what the process itself does through ctx), and returns the
 * signals the value emits. Shared by the main thread and the worker threads.
 */
export function applyOutputs(tx: Transaction, guard: Guard, value: unknown, strict: boolean): readonly (readonly [string, unknown])[] {
  const mapped = mapOutputs(guard.contract, value, () => tx.delta().map((op) => op.path), strict);
  if (mapped.sets.length > 0 || mapped.merges.length > 0) {
    guard.mode = 'system';
    try {
      const root = tx.all;
      for (const [path, v] of mapped.sets) setPath(root, path, v);
      for (const [path, v] of mapped.merges) mergePath(root, path, v);
    } finally {
      guard.mode = 'process';
    }
  }
  return mapped.signals;
}

function uniqueLeaf(outputs: readonly PathPattern[], key: string): PathPattern | undefined {
  const found = outputs.filter((o) => o.segments[o.segments.length - 1] === key);
  return found.length === 1 ? found[0] : undefined;
}

function overlaps(a: readonly Segment[], b: readonly Segment[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (String(a[i]) !== String(b[i])) return false;
  return true;
}
