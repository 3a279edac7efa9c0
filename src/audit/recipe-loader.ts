import { readFileSync } from 'node:fs';
import { parsePositionedYaml } from '../source/positioned-yaml.js';
import { AuditRecipeError, formatLocation } from './audit-recipe-error.js';
import { fieldPathProblem, isHostileName } from './field-path.js';
import { describeLevelChoices, parseAuditLevel } from './levels.js';
import { objectRecipeNode, yamlRecipeNode, type RecipeEntry, type RecipeNode } from './recipe-node.js';
import { compileLinearRegex } from './linear-regex.js';
import type { AuditConditions, AuditDefaults, AuditDirection, AuditLevel, AuditProcessRecipe, AuditRecipe, AuditRuleSpec, AuditScalar } from './recipe-types.js';

export interface LoadAuditRecipeOptions {
  /** File name used in error positions (defaults to the path given to `loadAuditRecipe`). */
  file?: string;
}

/** The original's defaults: Block, act after 3 failures, no warnings, reset on success. */
export const DEFAULT_AUDIT_SETTINGS: AuditDefaults = Object.freeze({ level: 'B', maxThreshold: 3, minThreshold: 0, resetOnSuccess: true });
const MAX_THRESHOLD_VALUE = 1_000_000_000;
const MAX_RECIPE_BYTES = 4 * 1024 * 1024;
const MAX_RECIPE_NODES = 100_000;
const MAX_RECIPE_DEPTH = 64;

const loadedRecipes = new WeakSet<AuditRecipe>();

/** True for recipes produced by this module (validated and frozen). */
export function isAuditRecipe(value: unknown): value is AuditRecipe {
  return typeof value === 'object' && value !== null && loadedRecipes.has(value as AuditRecipe);
}

/**
 * Loads and validates an audit recipe in the original's format (REFERENCE §8.2): a YAML file path, or the same
 * structure as a plain object. Every key is either honoured or rejected with an {@link AuditRecipeError} that names
 * the key and its `file:line:column` (YAML) or key path (object).
 */
export function loadAuditRecipe(source: string | object, options: LoadAuditRecipeOptions = {}): AuditRecipe {
  if (typeof source === 'string') {
    let text: string;
    try {
      text = readFileSync(source, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : (error as Error).message;
      throw new AuditRecipeError(`cannot read the audit recipe file '${source}': ${reason}.`, { file: source, keyPath: '' }, { cause: error });
    }
    return parseAuditRecipe(text, { file: options.file ?? source });
  }
  if (isAuditRecipe(source)) return source;
  if (source === null || typeof source !== 'object') {
    throw new AuditRecipeError('expected a YAML file path or a recipe object.', { keyPath: '' });
  }
  return buildRecipe(objectRecipeNode(source), options.file);
}

/** Parses recipe YAML text (positions are reported against `options.file`, or `<inline>`). */
export function parseAuditRecipe(text: string, options: LoadAuditRecipeOptions = {}): AuditRecipe {
  if (typeof text !== 'string') throw new AuditRecipeError('the recipe YAML text must be a string.', { keyPath: '' });
  if (text.length > MAX_RECIPE_BYTES) {
    throw new AuditRecipeError(`the recipe is larger than ${MAX_RECIPE_BYTES} characters.`, { file: options.file, keyPath: '' });
  }
  const parsed = parsePositionedYaml(text, { maxNodes: MAX_RECIPE_NODES, maxDepth: MAX_RECIPE_DEPTH });
  if (!parsed.ok) {
    const { message, at } = parsed.problem;
    const limit = /^the document (expands|nests)|^alias refers/.test(message);
    throw new AuditRecipeError(limit ? `${message.replace(/^the document/, 'the recipe')}; simplify it.` : `invalid YAML: ${message}`, {
      file: options.file,
      line: at.line,
      column: at.column,
      keyPath: '',
    });
  }
  return buildRecipe(yamlRecipeNode(parsed.root, options.file), options.file);
}

// ---- the validator -------------------------------------------------------------------------------------------

/** canonical key → accepted spellings (the original's aliases are kept so existing recipes load). */
type KeySpec = Readonly<Record<string, readonly string[]>>;

const SETTING_KEYS: KeySpec = {
  level: ['level'],
  max_threshold: ['max_threshold', 'threshold_max'],
  min_threshold: ['min_threshold', 'threshold_min'],
  reset_on_success: ['reset_on_success'],
};
const GLOBAL_KEYS: KeySpec = { ...SETTING_KEYS, max_threshold: ['threshold_max', 'max_threshold', 'max_retries'], strict: ['strict'] };
const PROCESS_KEYS: KeySpec = { ...SETTING_KEYS, inputs: ['inputs'], outputs: ['outputs'], side_effects: ['side_effects'], errors: ['errors'] };
const RULE_KEYS: KeySpec = {
  ...SETTING_KEYS,
  // `threshold` is what the original's `gen-spec` wrote; it meant the act threshold, so it is honoured as such.
  max_threshold: ['max_threshold', 'threshold_max', 'threshold'],
  field: ['field'],
  min: ['min'],
  max: ['max'],
  eq: ['eq'],
  neq: ['neq'],
  min_len: ['min_len'],
  max_len: ['max_len'],
  regex: ['regex'],
  message: ['message'],
};

const KEY_HINTS: Readonly<Record<string, string>> = {
  inherits: 'recipe inheritance is not supported; repeat the rules or share them with YAML anchors (&name / *name)',
  default_level: "write 'level'",
  default_threshold_max: "write 'threshold_max'",
  default_threshold_min: "write 'threshold_min'",
  rules: "this legacy format is not supported; put rules under 'process_recipes.<process>.inputs' or '.outputs'",
  input_rules: "this legacy format is not supported; put rules under 'process_recipes.<process>.inputs'",
  output_rules: "this legacy format is not supported; put rules under 'process_recipes.<process>.outputs'",
  defaults: "this legacy format is not supported; put global settings under 'audit:' (level, threshold_max, threshold_min, reset_on_success)",
  key: "rules name their value with 'field'",
  pattern: "write 'regex'",
};

function takeKeys(map: RecipeNode, spec: KeySpec, where: string): Map<string, RecipeEntry> {
  const spellings = new Map<string, string>();
  for (const [canonical, names] of Object.entries(spec)) for (const name of names) spellings.set(name, canonical);
  const found = new Map<string, RecipeEntry>();
  for (const entry of entriesOf(map, where)) {
    const canonical = spellings.get(entry.key);
    if (canonical === undefined) {
      const hint = Object.hasOwn(KEY_HINTS, entry.key) ? ` (${KEY_HINTS[entry.key]})` : '';
      const allowed = [...spellings.keys()].join(', ');
      throw new AuditRecipeError(`unknown key '${entry.key}' in ${where}${hint}. Allowed keys: ${allowed}.`, entry.keyLocation);
    }
    const previous = found.get(canonical);
    if (previous !== undefined) {
      throw new AuditRecipeError(`'${entry.key}' repeats '${previous.key}' (they are the same setting); keep one.`, entry.keyLocation);
    }
    found.set(canonical, entry);
  }
  return found;
}

function typeName(node: RecipeNode): string {
  if (node.kind !== 'scalar') return node.kind === 'map' ? 'a mapping' : 'a list';
  return node.value === null ? 'null' : `${typeof node.value} ${JSON.stringify(node.value) ?? String(node.value)}`;
}

/** A mapping's entries; `key:` left empty (null) counts as an empty mapping. */
function entriesOf(node: RecipeNode, what: string): RecipeEntry[] {
  if (node.kind === 'map') return node.entries();
  if (node.kind === 'scalar' && node.value === null) return [];
  throw new AuditRecipeError(`${what} must be a mapping, got ${typeName(node)}.`, node.location);
}

/** A list's items; `key:` left empty (null) counts as an empty list. */
function itemsOf(node: RecipeNode, what: string): RecipeNode[] {
  if (node.kind === 'seq') return node.items();
  if (node.kind === 'scalar' && node.value === null) return [];
  throw new AuditRecipeError(`${what} must be a list, got ${typeName(node)}.`, node.location);
}

function readString(node: RecipeNode, what: string): string {
  if (node.kind !== 'scalar' || typeof node.value !== 'string') {
    throw new AuditRecipeError(`${what} must be a string, got ${typeName(node)}.`, node.location);
  }
  return node.value;
}

function readNumber(node: RecipeNode, what: string): number {
  if (node.kind !== 'scalar' || typeof node.value !== 'number' || !Number.isFinite(node.value)) {
    throw new AuditRecipeError(`${what} must be a finite number, got ${typeName(node)}.`, node.location);
  }
  return node.value;
}

function readCount(node: RecipeNode, what: string, max: number): number {
  const n = readNumber(node, what);
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new AuditRecipeError(`${what} must be a whole number from 0 to ${max}, got ${n}.`, node.location);
  }
  return n;
}

function readBoolean(node: RecipeNode, what: string): boolean {
  if (node.kind !== 'scalar' || typeof node.value !== 'boolean') {
    throw new AuditRecipeError(`${what} must be true or false, got ${typeName(node)}.`, node.location);
  }
  return node.value;
}

function readComparable(node: RecipeNode, what: string): AuditScalar {
  const v = node.value;
  if (node.kind !== 'scalar' || !(v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))) {
    throw new AuditRecipeError(`${what} must be a string, number, boolean or null, got ${typeName(node)}.`, node.location);
  }
  return v as AuditScalar;
}

function readLevel(node: RecipeNode): AuditLevel {
  const level = parseAuditLevel(node.value);
  if (node.kind !== 'scalar' || level === undefined) {
    const text = typeName(node);
    const hint = typeof node.value === 'string' && /^i(nfo)?$/i.test(node.value) ? " Level 'I' (info) does not exist here: use 'C' to count and log without acting." : '';
    throw new AuditRecipeError(`level must be ${describeLevelChoices()}, got ${text}.${hint}`, node.location);
  }
  return level;
}

function readStringList(node: RecipeNode, what: string): string[] {
  return itemsOf(node, what).map((item, i) => readString(item, `${what}[${i}]`));
}

interface Settings {
  level?: AuditLevel;
  minThreshold?: number;
  maxThreshold?: number;
  resetOnSuccess?: boolean;
}

function readSettings(keys: Map<string, RecipeEntry>, where: string): Settings {
  const settings: Settings = {};
  const level = keys.get('level');
  if (level !== undefined) settings.level = readLevel(level.node);
  const max = keys.get('max_threshold');
  if (max !== undefined) settings.maxThreshold = readCount(max.node, `'${max.key}'`, MAX_THRESHOLD_VALUE);
  const min = keys.get('min_threshold');
  if (min !== undefined) settings.minThreshold = readCount(min.node, `'${min.key}'`, MAX_THRESHOLD_VALUE);
  const reset = keys.get('reset_on_success');
  if (reset !== undefined) settings.resetOnSuccess = readBoolean(reset.node, "'reset_on_success'");
  if (min !== undefined && max !== undefined && (settings.minThreshold as number) > (settings.maxThreshold as number)) {
    throw new AuditRecipeError(
      `'${min.key}' (${settings.minThreshold}) is greater than '${max.key}' (${settings.maxThreshold}) in ${where}: warnings must start before the action fires.`,
      min.node.location,
    );
  }
  return settings;
}

function buildRecipe(root: RecipeNode, file: string | undefined): AuditRecipe {
  if (root.kind !== 'map') {
    throw new AuditRecipeError(`the recipe must be a mapping with 'process_recipes' (and optional 'audit' settings), got ${typeName(root)}.`, root.location);
  }
  const topLevel = root.entries();
  const wrapper = topLevel.find((e) => e.key === 'audit');
  let settingKeys: Map<string, RecipeEntry>;
  let processesEntry: RecipeEntry | undefined;
  if (wrapper !== undefined) {
    const top = takeKeys(root, { audit: ['audit'], process_recipes: ['process_recipes'] }, 'the recipe root (global settings belong under audit:)');
    processesEntry = top.get('process_recipes');
    settingKeys = takeKeys(wrapper.node, GLOBAL_KEYS, "'audit'");
  } else {
    const top = takeKeys(root, { ...GLOBAL_KEYS, process_recipes: ['process_recipes'] }, 'the recipe root');
    processesEntry = top.get('process_recipes');
    top.delete('process_recipes');
    settingKeys = top;
  }
  const globals = readSettings(settingKeys, 'the global settings');
  const strictEntry = settingKeys.get('strict');
  const strict = strictEntry === undefined ? false : readBoolean(strictEntry.node, "'strict'");
  const defaults: AuditDefaults = Object.freeze({
    level: globals.level ?? DEFAULT_AUDIT_SETTINGS.level,
    maxThreshold: globals.maxThreshold ?? DEFAULT_AUDIT_SETTINGS.maxThreshold,
    minThreshold: globals.minThreshold ?? DEFAULT_AUDIT_SETTINGS.minThreshold,
    resetOnSuccess: globals.resetOnSuccess ?? DEFAULT_AUDIT_SETTINGS.resetOnSuccess,
  });
  const processes = new Map<string, AuditProcessRecipe>();
  if (processesEntry !== undefined) {
    for (const entry of entriesOf(processesEntry.node, "'process_recipes'")) {
      processes.set(entry.key, buildProcess(entry));
    }
  }
  const recipe: AuditRecipe = Object.freeze({ file, defaults, processes, strict });
  loadedRecipes.add(recipe);
  return recipe;
}

function buildProcess(entry: RecipeEntry): AuditProcessRecipe {
  const name = entry.key;
  if (name.trim() === '' || name.length > 256 || isHostileName(name)) {
    throw new AuditRecipeError(`'${name}' is not a usable process name.`, entry.keyLocation);
  }
  const where = `process '${name}'`;
  const keys = takeKeys(entry.node, PROCESS_KEYS, where);
  const settings = readSettings(keys, where);
  const ids = new Map<string, number>();
  const rules = (direction: AuditDirection, key: string): AuditRuleSpec[] => {
    const listEntry = keys.get(key);
    if (listEntry === undefined) return [];
    return itemsOf(listEntry.node, `'${key}' of ${where}`).map((node, i) => buildRule(node, direction, ids, `${where} ${key}[${i}]`));
  };
  const inputs = rules('input', 'inputs');
  const outputs = rules('output', 'outputs');
  const sideEffects = keys.get('side_effects');
  const errors = keys.get('errors');
  return Object.freeze({
    name,
    source: formatLocation(entry.keyLocation),
    location: entry.keyLocation,
    ...settings,
    inputs: Object.freeze(inputs),
    outputs: Object.freeze(outputs),
    sideEffects: Object.freeze(sideEffects === undefined ? [] : readStringList(sideEffects.node, "'side_effects'")),
    errors: Object.freeze(errors === undefined ? [] : readStringList(errors.node, "'errors'")),
  });
}

function buildRule(node: RecipeNode, direction: AuditDirection, ids: Map<string, number>, where: string): AuditRuleSpec {
  const keys = takeKeys(node, RULE_KEYS, where);
  const fieldEntry = keys.get('field');
  if (fieldEntry === undefined) throw new AuditRecipeError(`${where} has no 'field': name the value the rule checks.`, node.location);
  const field = readString(fieldEntry.node, "'field'");
  const fieldProblem = fieldPathProblem(field);
  if (fieldProblem !== undefined) throw new AuditRecipeError(`bad 'field': ${fieldProblem}.`, fieldEntry.node.location);

  const conditions: { -readonly [K in keyof AuditConditions]: AuditConditions[K] } = {};
  const min = keys.get('min');
  const max = keys.get('max');
  if (min !== undefined) conditions.min = readNumber(min.node, "'min'");
  if (max !== undefined) conditions.max = readNumber(max.node, "'max'");
  if (conditions.min !== undefined && conditions.max !== undefined && conditions.min > conditions.max) {
    throw new AuditRecipeError(`'min' (${conditions.min}) is greater than 'max' (${conditions.max}): no value could pass.`, (min as RecipeEntry).node.location);
  }
  const eq = keys.get('eq');
  const neq = keys.get('neq');
  if (eq !== undefined) conditions.eq = readComparable(eq.node, "'eq'");
  if (neq !== undefined) conditions.neq = readComparable(neq.node, "'neq'");
  const minLen = keys.get('min_len');
  const maxLen = keys.get('max_len');
  if (minLen !== undefined) conditions.minLen = readCount(minLen.node, "'min_len'", Number.MAX_SAFE_INTEGER);
  if (maxLen !== undefined) conditions.maxLen = readCount(maxLen.node, "'max_len'", Number.MAX_SAFE_INTEGER);
  if (conditions.minLen !== undefined && conditions.maxLen !== undefined && conditions.minLen > conditions.maxLen) {
    throw new AuditRecipeError(`'min_len' (${conditions.minLen}) is greater than 'max_len' (${conditions.maxLen}): no value could pass.`, (minLen as RecipeEntry).node.location);
  }
  const regex = keys.get('regex');
  if (regex !== undefined) conditions.regex = readRegex(regex.node);
  if (Object.keys(conditions).length === 0) {
    throw new AuditRecipeError(`${where} checks nothing: give at least one of min, max, eq, neq, min_len, max_len, regex.`, node.location);
  }
  const settings = readSettings(keys, where);
  const message = keys.get('message');
  const base = `${direction}:${field}`;
  const seen = (ids.get(base) ?? 0) + 1;
  ids.set(base, seen);
  return Object.freeze({
    id: seen === 1 ? base : `${base}#${seen}`,
    direction,
    field,
    conditions: Object.freeze(conditions),
    ...settings,
    ...(message === undefined ? {} : { message: readString(message.node, "'message'") }),
    source: formatLocation(node.location),
  });
}

function readRegex(node: RecipeNode): string {
  const source = readString(node, "'regex'");
  const { problem } = compileLinearRegex(source);
  if (problem !== undefined) throw new AuditRecipeError(`regex '${source}' is refused: ${problem}. Recipe regexes run on a linear-time engine (RE2 syntax).`, node.location);
  return source;
}
