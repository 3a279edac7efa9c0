import type { Severity } from './types.js';

export interface RuleInfo {
  /** Stable identifier printed in reports and used by `--format json` consumers. */
  id: RuleId;
  /** Kebab-case name: the ESLint rule is `theus/<name>`. */
  name: string;
  severity: Severity;
  description: string;
  /** The default fix advice; a finding may carry a more specific one. */
  hint: string;
}

export type RuleId =
  | 'POP-E01'
  | 'POP-E02'
  | 'POP-E03'
  | 'POP-E04'
  | 'POP-E05'
  | 'POP-E06'
  | 'POP-E07'
  | 'POP-E08'
  | 'POP-C01'
  | 'POP-T01'
  | 'POP-T02'
  | 'POP-T03'
  | 'POP-T04'
  | 'POP-T05'
  | 'POP-T06'
  | 'POP-T07'
  | 'POP-T08'
  | 'POP-T09'
  | 'POP-X01'
  | 'POP-A01';

/**
 * The rule table. E01–E08 and C01 keep the original Python linter's numbering (adapted to TypeScript and to this
 * engine's model); T01–T09 are new; X01 is about the file itself.
 */
const TABLE: Record<RuleId, Omit<RuleInfo, 'id'>> = {
  'POP-E01': {
    name: 'no-console-output',
    severity: 'warning',
    description: 'console.* or process.stdout/stderr output inside a process body that does not declare it in sideEffects.',
    hint: "The body re-runs on every conflict retry, so output repeats. Return data, or emit a signal (published once, after commit); or declare sideEffects: ['console'].",
  },
  'POP-E02': {
    name: 'no-undeclared-file-io',
    severity: 'error',
    description: 'File-system or subprocess call (fs, fs/promises, child_process…) in an effect/guide process whose sideEffects does not declare it.',
    hint: "Move the I/O out of the process (after execute() resolves, or in a signal subscriber) or declare it (sideEffects: ['fs']); it is not rolled back and re-runs on every retry.",
  },
  'POP-E03': {
    name: 'no-undeclared-network-io',
    severity: 'error',
    description: 'Network call (fetch, http, https, net, dns, WebSocket…) in an effect/guide process whose sideEffects does not declare it.',
    hint: "Emit a signal (ctx.signal.topic = payload, published once after commit) and do the call in a subscriber, or declare it (sideEffects: ['http']).",
  },
  'POP-E04': {
    name: 'no-outer-state-mutation',
    severity: 'error',
    description: 'A process body assigns or mutates a variable declared outside it (module state, globalThis, an implicit global).',
    hint: 'Outer variables are neither transactional nor rolled back; keep the value in the context and declare it in outputs.',
  },
  'POP-E05': {
    name: 'no-pure-mutation',
    severity: 'error',
    description: 'A pure process mutates context state (assignment, ++, delete, a mutating method, Object.assign…).',
    hint: 'Pure processes get read-only views: compute a new value and return it (it is written to the declared output).',
  },
  'POP-E06': {
    name: 'pure-must-return',
    severity: 'error',
    description: 'A pure process declares outputs but never returns a value, so its outputs can never be written.',
    hint: 'Return the new value (one output), an object keyed by output path, or a StateUpdate.',
  },
  'POP-E07': {
    name: 'zone-physics',
    severity: 'error',
    description: 'An operation the zone of the path forbids: replacing/reordering/deleting in log_/audit_/sig_/cmd_ (append-only), appending/deleting in meta_, any write to const_, touching internal_ outside ctx.asAdmin.',
    hint: 'Append to append-only zones (push), overwrite meta_ values, never write const_; use ctx.asAdmin((admin) => …) and write internal_ through admin.',
  },
  'POP-E08': {
    name: 'no-restricted-alias',
    severity: 'warning',
    description: 'A field with a restricted prefix (log_, audit_, meta_, const_, internal_, sig_, cmd_) is aliased to a name without that prefix.',
    hint: 'Keep the prefix in the local name (const log_history = ctx.domain.log_history) so readers see its zone rules.',
  },
  'POP-C01': {
    name: 'no-undeclared-read',
    severity: 'error',
    description: 'The body reads a context path that is neither an input nor an output of the contract.',
    hint: 'Add the path to inputs (outputs imply read access).',
  },
  'POP-T01': {
    name: 'no-input-mutation',
    severity: 'error',
    description: 'In-place mutation (assignment, ++, compound assignment, delete, push/splice/sort/set/add/clear…) of a path declared only as an input.',
    hint: 'Declare the path in outputs, or copy it before changing it ([...xs], {...obj}, new Map(m)).',
  },
  'POP-T02': {
    name: 'no-undeclared-write',
    severity: 'error',
    description: 'The body writes a context path that no output covers.',
    hint: 'Add the path (or a parent of it) to outputs.',
  },
  'POP-T03': {
    name: 'no-io-in-pure',
    severity: 'error',
    description: 'A pure process performs I/O or schedules work: fs, child_process, network modules, fetch, timers, require/import().',
    hint: 'Make the process an effect (semantic: effect) or move the I/O out of the process.',
  },
  'POP-T04': {
    name: 'no-nondeterminism-in-pure',
    severity: 'warning',
    description: 'A pure process depends on time or randomness (Date.now, new Date(), Math.random, crypto.randomUUID, performance.now, process.env).',
    hint: 'Pass the value in through the arguments or an input path so the process stays deterministic.',
  },
  'POP-T05': {
    name: 'no-escaping-ctx',
    severity: 'error',
    description: 'ctx (or a ctx-derived alias) is captured by something that outlives the process: a timer, an un-awaited .then, an event listener, an outer variable or this, or the return value.',
    hint: 'Proxies go stale when the transaction ends. Await the work inside the process, or copy plain values out first.',
  },
  'POP-T06': {
    name: 'valid-contract',
    severity: 'error',
    description: 'Malformed contract: unknown root, hostile segment (__proto__, constructor, prototype), empty or malformed segment, inputs/outputs not an array of strings, unknown semantic.',
    hint: 'Paths are root.key.sub… with roots domain, global, heavy, signal, meta (or a configured namespace); * is a whole segment.',
  },
  'POP-T07': {
    name: 'unique-process-name',
    severity: 'error',
    description: 'Two processes have the same name (in one file or across the linted files); register() would reject the second.',
    hint: "Rename one of them, or give it an explicit name: 'unique-name' in its contract.",
  },
  'POP-T08': {
    name: 'pure-contract-firewall',
    severity: 'error',
    description: 'A pure contract crosses the semantic firewall: inputs in signal/meta zones, outputs in signal/meta/heavy zones, or declared sideEffects.',
    hint: "Use semantic: 'effect' for processes that touch signals, meta or heavy data or have side effects.",
  },
  'POP-T09': {
    name: 'no-unknown-contract-key',
    severity: 'warning',
    description: 'A contract key that the process contract does not know (usually a typo such as input or output).',
    hint: 'Known keys: name, inputs, outputs, semantic, errors, sideEffects, parallel.',
  },
  'POP-A01': {
    name: 'audit-recipe-process',
    severity: 'warning',
    description: 'The audit recipe has rules for a process that no checked file declares: they would never run (theus check on a directory only).',
    hint: "Fix the process name in the recipe, remove the entry, or check the directory that declares the process. The engine warns about it too; set strict: true under audit: to make it an error there.",
  },
  'POP-X01': {
    name: 'parse-error',
    severity: 'error',
    description: 'The file has a syntax error (analysed only as far as the parser could recover) or is nested too deeply to parse at all.',
    hint: 'Fix the syntax error; the other findings for this file may be incomplete.',
  },
};

/** Every rule, in report order. The `Record` type above makes a forgotten entry a compile error. */
export const RULES: readonly RuleInfo[] = Object.entries(TABLE).map(([id, rule]) => ({ id: id as RuleId, ...rule }));

export function ruleInfo(id: RuleId): RuleInfo {
  return { id, ...TABLE[id] };
}
