import type { Document, Node as YamlNode, YAMLMap } from 'yaml';
import { yamlLibrary } from '../source/positioned-yaml.js';
import { invalidArgument } from '../errors.js';
import { AuditRecipeError } from './audit-recipe-error.js';
import { fieldPathProblem, isHostileName } from './field-path.js';
import { parseAuditRecipe, DEFAULT_AUDIT_SETTINGS } from './recipe-loader.js';

/** What `theus audit gen-spec` knows about a registered process. */
export interface ProcessSkeletonInfo {
  readonly name: string;
  /** Contract input paths (context paths; shown as a hint, input rules read the call's args). */
  readonly inputs: readonly string[];
  /** Contract output paths: the example output rule uses the first concrete one. */
  readonly outputs: readonly string[];
  readonly sideEffects?: readonly string[];
  readonly errors?: readonly string[];
}

const HEADER = [
  ' Theus audit recipe.',
  ' Global settings (under audit:) apply to every rule that does not set its own.',
  ' level: S = stop the engine until reset, A = abort the workflow, B = block (roll the transaction back),',
  '        C = count and log only. A rule acts when its failure count exceeds max_threshold (threshold_max here);',
  '        S and A rules without a threshold of their own act on the first failure.',
  ' Rule keys: field, min, max, eq, neq, min_len, max_len, regex (matched at the start of the string),',
  '            level, min_threshold (warn from this count), max_threshold, reset_on_success, message.',
].join('\n');

function checkInfos(processes: readonly ProcessSkeletonInfo[]): void {
  if (!Array.isArray(processes)) throw invalidArgument('The recipe skeleton needs an array of { name, inputs, outputs }.');
  const names = new Set<string>();
  processes.forEach((p, i) => {
    if (p === null || typeof p !== 'object') throw invalidArgument(`processes[${i}] must be an object { name, inputs, outputs }.`);
    if (typeof p.name !== 'string' || p.name.trim() === '' || isHostileName(p.name)) throw invalidArgument(`processes[${i}].name must be a usable process name.`);
    if (names.has(p.name)) throw invalidArgument(`Process '${p.name}' is listed twice.`);
    names.add(p.name);
    for (const key of ['inputs', 'outputs', 'sideEffects', 'errors'] as const) {
      const list = p[key];
      if (list === undefined && (key === 'sideEffects' || key === 'errors')) continue;
      if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) throw invalidArgument(`processes[${i}].${key} must be an array of strings.`);
    }
  });
}

function commentLines(lines: readonly string[]): string {
  return lines.map((l) => ` ${l}`).join('\n');
}

function processNode(doc: Document, info: ProcessSkeletonInfo): YAMLMap {
  const { isScalar } = yamlLibrary();
  const node = doc.createNode({ inputs: [], outputs: [], side_effects: [...(info.sideEffects ?? [])], errors: [...(info.errors ?? [])] }) as YAMLMap;
  const exampleOutput = info.outputs.find((path) => fieldPathProblem(path) === undefined && path.includes('.')) ?? 'domain.example';
  const inputHint = [
    "Input rules check the call's args, for example:",
    '  - field: amount        # reads args.amount',
    '    min: 0',
    '    level: B',
    ...(info.inputs.length > 0 ? [`(the contract reads ${info.inputs.join(', ')})`] : []),
  ];
  const outputHint = ['Output rules check the values the commit writes, for example:', `  - field: ${exampleOutput}`, '    min: 0', '    level: B'];
  for (const pair of node.items) {
    if (!isScalar(pair.key)) continue;
    if (pair.key.value === 'inputs') pair.key.commentBefore = commentLines(inputHint);
    if (pair.key.value === 'outputs') pair.key.commentBefore = commentLines(outputHint);
  }
  return node;
}

/**
 * A recipe skeleton for `theus audit gen-spec`: global defaults plus one entry per process with empty rule lists and
 * commented examples. It loads with {@link parseAuditRecipe} as is.
 */
export function generateRecipeSkeleton(processes: readonly ProcessSkeletonInfo[]): string {
  checkInfos(processes);
  const doc = new (yamlLibrary().Document)({
    audit: {
      level: DEFAULT_AUDIT_SETTINGS.level,
      threshold_max: DEFAULT_AUDIT_SETTINGS.maxThreshold,
      threshold_min: DEFAULT_AUDIT_SETTINGS.minThreshold,
      reset_on_success: DEFAULT_AUDIT_SETTINGS.resetOnSuccess,
    },
    process_recipes: {},
  });
  doc.commentBefore = HEADER;
  const recipes = doc.get('process_recipes') as YAMLMap;
  for (const info of processes) recipes.set(doc.createNode(info.name), processNode(doc, info));
  return doc.toString();
}

/**
 * Adds skeleton entries for the processes the existing recipe text does not mention, keeping everything already there
 * (entries, order, comments). The existing text must be a valid recipe; its errors are reported with positions.
 */
export function mergeRecipeSkeleton(existing: string, processes: readonly ProcessSkeletonInfo[], options: { file?: string } = {}): { text: string; added: string[] } {
  checkInfos(processes);
  const recipe = parseAuditRecipe(existing, options);
  const missing = processes.filter((p) => !recipe.processes.has(p.name));
  if (missing.length === 0) return { text: existing, added: [] };
  const { parseDocument, isMap } = yamlLibrary();
  const doc = parseDocument(existing);
  if (!isMap(doc.contents)) {
    throw new AuditRecipeError('cannot merge into a recipe whose root is not a mapping.', { file: options.file, keyPath: '' });
  }
  const root = doc.contents as unknown as YAMLMap;
  let recipes = root.get('process_recipes', true) as YamlNode | null | undefined;
  if (!isMap(recipes)) {
    // Absent or left empty (`process_recipes:`): start a fresh mapping in its place.
    recipes = doc.createNode({}) as YAMLMap;
    root.set(doc.createNode('process_recipes'), recipes);
  }
  for (const info of missing) (recipes as YAMLMap).set(doc.createNode(info.name), processNode(doc, info));
  return { text: doc.toString(), added: missing.map((p) => p.name) };
}
