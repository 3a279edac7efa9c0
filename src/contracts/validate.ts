import { ContractViolationError } from '../errors.js';
import { BUILTIN_ROOTS, CONTRACT_KEYS, SEMANTICS, isHostileKey } from './grammar.js';
import { parsePattern, type PathPattern } from './pattern.js';
import { Zone, ZONE_NAMES, isControlZone, zoneOfPath } from './zones.js';
import type { Contract, ContractSpec, ProcessDefinition, Semantic } from './types.js';

export { BUILTIN_ROOTS };
const SPEC_KEYS = CONTRACT_KEYS;
const SEMANTIC_SET: ReadonlySet<string> = new Set<Semantic>(SEMANTICS);

/** Checks a process's contract against the engine's roots; throws ContractViolationError naming the offending path. */
export function validateContract(def: ProcessDefinition, roots: ReadonlySet<string>): Contract {
  const spec = def.spec as ContractSpec & Record<string, unknown>;
  const name = def.processName;
  const where = `process '${typeof name === 'string' && name.length > 0 ? name : '<anonymous>'}'`;
  if (typeof name !== 'string' || name.length === 0) throw new ContractViolationError(`A process needs a name: it could not be inferred from where it is defined, so add name: 'myProcess' to its contract (or pass a named function).`);
  if (name.length > 200 || isHostileKey(name) || /[\s\0]/.test(name)) throw new ContractViolationError(`${where}: invalid process name.`);
  for (const key of Object.keys(spec)) {
    if (!SPEC_KEYS.has(key)) throw new ContractViolationError(`${where}: unknown contract key '${key}' (expected one of ${[...SPEC_KEYS].join(', ')}).`);
  }
  const semantic = spec.semantic ?? 'effect';
  if (!SEMANTIC_SET.has(semantic)) throw new ContractViolationError(`${where}: semantic must be 'pure', 'effect' or 'guide' (got ${JSON.stringify(semantic)}).`);
  const inputs = patterns(spec.inputs, `${where} inputs`, roots);
  const outputs = patterns(spec.outputs, `${where} outputs`, roots);
  for (const o of outputs) {
    if (zoneOfPath(o.segments) === Zone.Constant) throw new ContractViolationError(`${where}: output '${o.text}' is in a const_ zone, which no process may write.`, { path: o.text });
  }
  if (semantic === 'pure') {
    for (const i of inputs) {
      const z = zoneOfPath(i.segments);
      if (isControlZone(z)) throw new ContractViolationError(`${where}: a pure process cannot take inputs from the ${ZONE_NAMES[z]} zone ('${i.text}').`, { path: i.text });
    }
    for (const o of outputs) {
      const z = zoneOfPath(o.segments);
      if (z === Zone.Signal || z === Zone.Meta || z === Zone.Heavy) {
        throw new ContractViolationError(`${where}: a pure process may only output data, not '${o.text}' (${ZONE_NAMES[z]} zone).`, { path: o.text });
      }
    }
  }
  return Object.freeze({
    name,
    inputs,
    outputs,
    semantic,
    errors: stringList(spec.errors, `${where} errors`),
    sideEffects: stringList(spec.sideEffects, `${where} sideEffects`),
    parallel: booleanFlag(spec.parallel, `${where} parallel`),
  });
}

function patterns(list: unknown, where: string, roots: ReadonlySet<string>): PathPattern[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new ContractViolationError(`${where} must be an array of paths.`);
  if (list.length > 1000) throw new ContractViolationError(`${where}: at most 1000 paths.`);
  const out: PathPattern[] = [];
  const seen = new Set<string>();
  for (const raw of list) {
    const p = parsePattern(raw, where);
    const root = p.segments[0]!;
    if (!roots.has(root)) {
      throw new ContractViolationError(`${where}: '${p.text}' starts with unknown root '${root}' (roots: ${[...roots].join(', ')}).`, { path: p.text });
    }
    if (!seen.has(p.text)) {
      seen.add(p.text);
      out.push(p);
    }
  }
  return out;
}

function stringList(list: unknown, where: string): string[] {
  if (list === undefined) return [];
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) throw new ContractViolationError(`${where} must be an array of strings.`);
  return [...(list as string[])];
}

function booleanFlag(v: unknown, where: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new ContractViolationError(`${where} must be a boolean.`);
  return v;
}
