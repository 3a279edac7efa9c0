import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { AuditRecipeError, loadAuditRecipe, parseAuditRecipe, isAuditRecipe } from '../../src/audit/index.js';
import { P_TRANSFER_OUTPUTS, P_TRANSFER_RULES } from '../fixtures/reference-examples.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'theus-audit-recipe-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeRecipe(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

function recipeError(fn: () => unknown): AuditRecipeError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AuditRecipeError);
    expect((error as AuditRecipeError).code).toBe('AUDIT_RECIPE');
    return error as AuditRecipeError;
  }
  throw new Error('expected an AuditRecipeError');
}

const SPEC = `
audit:
  level: "Block"
  threshold_max: 3
  threshold_min: 1
  reset_on_success: false

process_recipes:
${P_TRANSFER_RULES}${P_TRANSFER_OUTPUTS}`;

describe('loadAuditRecipe: valid recipes', () => {
  it('reads the format of REFERENCE §8.2 from a YAML file', async () => {
    const file = await writeRecipe('spec.yaml', SPEC);
    const recipe = loadAuditRecipe(file);
    expect(isAuditRecipe(recipe)).toBe(true);
    expect(recipe.file).toBe(file);
    expect(recipe.defaults).toEqual({ level: 'B', maxThreshold: 3, minThreshold: 1, resetOnSuccess: false });
    const p = recipe.processes.get('p_transfer');
    expect(p?.inputs.map((r) => [r.id, r.field, r.level, r.maxThreshold, r.message])).toEqual([
      ['input:amount', 'amount', 'B', 1, 'Amount must be >= 100'],
      ['input:dest', 'dest', 'C', undefined, undefined],
    ]);
    expect(p?.inputs[1]?.conditions).toEqual({ regex: '^User.*' });
    expect(p?.outputs[0]).toMatchObject({ id: 'output:domain.balance', conditions: { max: 5000 } });
    expect(p?.sideEffects).toEqual(['database']);
    expect(p?.errors).toEqual(['ValueError']);
    expect(p?.source).toBe(`${file}:9:3 (process_recipes.p_transfer)`);
    expect(Object.isFrozen(p?.inputs[0])).toBe(true);
  });

  it('reads the same structure as an object, and returns an already loaded recipe as is', () => {
    const recipe = loadAuditRecipe(parse(SPEC) as object);
    expect(recipe.processes.get('p_transfer')?.inputs[0]?.source).toBe('process_recipes.p_transfer.inputs[0]');
    expect(loadAuditRecipe(recipe)).toBe(recipe);
  });

  it('reads global keys from the top level when there is no audit: wrapper, with the legacy aliases', () => {
    const recipe = parseAuditRecipe('level: Count\nmax_retries: 7\nthreshold_min: 2\nprocess_recipes: {}\n');
    expect(recipe.defaults).toEqual({ level: 'C', maxThreshold: 7, minThreshold: 2, resetOnSuccess: true });
  });

  it('uses the original defaults (Block, 3, 0, reset) and accepts empty lists written as null', () => {
    const recipe = parseAuditRecipe('process_recipes:\n  p:\n    inputs:\n    outputs:\n');
    expect(recipe.defaults).toEqual({ level: 'B', maxThreshold: 3, minThreshold: 0, resetOnSuccess: true });
    expect(recipe.processes.get('p')?.inputs).toEqual([]);
  });

  it('honours per-process settings, per-rule min_threshold / reset_on_success and the gen-spec `threshold` key', () => {
    const recipe = parseAuditRecipe(`
process_recipes:
  p:
    level: A
    threshold_max: 4
    min_threshold: 2
    reset_on_success: false
    inputs:
      - { field: a, min: 1, threshold: 9, min_threshold: 3, reset_on_success: true, level: stop }
      - { field: a, max: 5 }
      - { field: a, eq: "x" }
`);
    const p = recipe.processes.get('p');
    expect(p).toMatchObject({ level: 'A', maxThreshold: 4, minThreshold: 2, resetOnSuccess: false });
    expect(p?.inputs.map((r) => r.id)).toEqual(['input:a', 'input:a#2', 'input:a#3']);
    expect(p?.inputs[0]).toMatchObject({ level: 'S', maxThreshold: 9, minThreshold: 3, resetOnSuccess: true });
  });

  it('resolves YAML anchors and aliases', () => {
    const recipe = parseAuditRecipe(`
process_recipes:
  a:
    inputs: &rules
      - { field: amount, min: 0 }
  b:
    inputs: *rules
`);
    expect(recipe.processes.get('b')?.inputs[0]?.conditions).toEqual({ min: 0 });
  });
});

interface ErrorCase {
  name: string;
  yaml: string;
  line: number;
  column: number;
  keyPath: string;
  text: RegExp;
}

const P = 'process_recipes:\n  p:\n    inputs:\n';
const CASES: ErrorCase[] = [
  { name: 'unknown top-level key', yaml: 'process_recipes: {}\nfoo: 1\n', line: 2, column: 1, keyPath: 'foo', text: /unknown key 'foo'/ },
  { name: 'unknown rule key', yaml: `${P}      - field: a\n        minn: 3\n`, line: 5, column: 9, keyPath: 'process_recipes.p.inputs[0].minn', text: /unknown key 'minn'/ },
  { name: 'unknown process key', yaml: 'process_recipes:\n  p:\n    inherits: _base\n', line: 3, column: 5, keyPath: 'process_recipes.p.inherits', text: /inheritance is not supported/ },
  { name: 'legacy rules format', yaml: 'process_recipes:\n  p:\n    rules: []\n', line: 3, column: 5, keyPath: 'process_recipes.p.rules', text: /legacy format/ },
  { name: 'bad level', yaml: `${P}      - field: a\n        min: 1\n        level: X\n`, line: 6, column: 16, keyPath: 'process_recipes.p.inputs[0].level', text: /level must be S, A, B or C/ },
  { name: 'level I', yaml: `${P}      - field: a\n        min: 1\n        level: I\n`, line: 6, column: 16, keyPath: 'process_recipes.p.inputs[0].level', text: /use 'C'/ },
  { name: 'bad global level', yaml: 'audit:\n  level: Warn\n', line: 2, column: 10, keyPath: 'audit.level', text: /level must be/ },
  { name: 'regex that does not compile', yaml: `${P}      - field: a\n        regex: "(unclosed"\n`, line: 5, column: 16, keyPath: 'process_recipes.p.inputs[0].regex', text: /does not compile/ },
  { name: 'regex with lookahead', yaml: `${P}      - field: a\n        regex: "^(?=x)"\n`, line: 5, column: 16, keyPath: 'process_recipes.p.inputs[0].regex', text: /lookahead/ },
  { name: 'over-long regex', yaml: `${P}      - field: a\n        regex: "${'x'.repeat(300)}"\n`, line: 5, column: 16, keyPath: 'process_recipes.p.inputs[0].regex', text: /limit is 256/ },
  { name: 'thresholds out of order on a rule', yaml: `${P}      - field: a\n        min: 1\n        min_threshold: 5\n        max_threshold: 2\n`, line: 6, column: 24, keyPath: 'process_recipes.p.inputs[0].min_threshold', text: /greater than 'max_threshold'/ },
  { name: 'global thresholds out of order', yaml: 'audit:\n  threshold_min: 4\n  threshold_max: 3\n', line: 2, column: 18, keyPath: 'audit.threshold_min', text: /greater than 'threshold_max'/ },
  { name: 'min > max', yaml: `${P}      - field: a\n        min: 10\n        max: 5\n`, line: 5, column: 14, keyPath: 'process_recipes.p.inputs[0].min', text: /no value could pass/ },
  { name: 'min_len > max_len', yaml: `${P}      - field: a\n        min_len: 10\n        max_len: 5\n`, line: 5, column: 18, keyPath: 'process_recipes.p.inputs[0].min_len', text: /no value could pass/ },
  { name: 'min of the wrong type', yaml: `${P}      - field: a\n        min: ten\n`, line: 5, column: 14, keyPath: 'process_recipes.p.inputs[0].min', text: /must be a finite number, got string "ten"/ },
  { name: 'negative min_len', yaml: `${P}      - field: a\n        min_len: -1\n`, line: 5, column: 18, keyPath: 'process_recipes.p.inputs[0].min_len', text: /whole number/ },
  { name: 'fractional threshold', yaml: `${P}      - field: a\n        min: 1\n        max_threshold: 1.5\n`, line: 6, column: 24, keyPath: 'process_recipes.p.inputs[0].max_threshold', text: /whole number/ },
  { name: 'reset_on_success not a boolean', yaml: 'audit:\n  reset_on_success: "yes"\n', line: 2, column: 21, keyPath: 'audit.reset_on_success', text: /true or false/ },
  { name: 'eq given a mapping', yaml: `${P}      - field: a\n        eq: { x: 1 }\n`, line: 5, column: 13, keyPath: 'process_recipes.p.inputs[0].eq', text: /string, number, boolean or null/ },
  { name: 'message not a string', yaml: `${P}      - field: a\n        min: 1\n        message: [1]\n`, line: 6, column: 18, keyPath: 'process_recipes.p.inputs[0].message', text: /must be a string/ },
  { name: 'rule without field', yaml: `${P}      - min: 1\n`, line: 4, column: 9, keyPath: 'process_recipes.p.inputs[0]', text: /has no 'field'/ },
  { name: 'rule without condition', yaml: `${P}      - field: a\n        level: B\n`, line: 4, column: 9, keyPath: 'process_recipes.p.inputs[0]', text: /checks nothing/ },
  { name: 'hostile field', yaml: `${P}      - field: __proto__.x\n        min: 1\n`, line: 4, column: 16, keyPath: 'process_recipes.p.inputs[0].field', text: /'__proto__' is not allowed/ },
  { name: 'wildcard field', yaml: `${P}      - field: a.*\n        min: 1\n`, line: 4, column: 16, keyPath: 'process_recipes.p.inputs[0].field', text: /wildcards are not supported/ },
  { name: 'empty segment in field', yaml: `${P}      - field: a..b\n        min: 1\n`, line: 4, column: 16, keyPath: 'process_recipes.p.inputs[0].field', text: /empty segment/ },
  { name: 'inputs not a list', yaml: 'process_recipes:\n  p:\n    inputs: { field: a, min: 1 }\n', line: 3, column: 13, keyPath: 'process_recipes.p.inputs', text: /must be a list, got a mapping/ },
  { name: 'process entry not a mapping', yaml: 'process_recipes:\n  p: 3\n', line: 2, column: 6, keyPath: 'process_recipes.p', text: /must be a mapping, got number 3/ },
  { name: 'process_recipes not a mapping', yaml: 'process_recipes: [a]\n', line: 1, column: 18, keyPath: 'process_recipes', text: /must be a mapping, got a list/ },
  { name: 'two spellings of one setting', yaml: 'threshold_max: 3\nmax_retries: 4\n', line: 2, column: 1, keyPath: 'max_retries', text: /same setting/ },
  { name: 'global key beside audit:', yaml: 'audit:\n  level: B\nlevel: C\n', line: 3, column: 1, keyPath: 'level', text: /belong under audit/ },
  { name: 'side_effects not strings', yaml: 'process_recipes:\n  p:\n    side_effects: [1]\n', line: 3, column: 20, keyPath: 'process_recipes.p.side_effects[0]', text: /must be a string/ },
  { name: 'root is a list', yaml: '- a\n- b\n', line: 1, column: 1, keyPath: '', text: /must be a mapping/ },
  { name: 'hostile process name', yaml: 'process_recipes:\n  constructor:\n    inputs: []\n', line: 2, column: 3, keyPath: 'process_recipes.constructor', text: /not a usable process name/ },
];

describe('loadAuditRecipe: every problem is an AuditRecipeError with its position', () => {
  it.each(CASES)('$name (YAML file: file:line:column)', async ({ yaml, line, column, keyPath, text }) => {
    const file = await writeRecipe('bad.yaml', yaml);
    const error = recipeError(() => loadAuditRecipe(file));
    expect(error.message).toMatch(text);
    expect({ file: error.file, line: error.line, column: error.column, keyPath: error.keyPath }).toEqual({ file, line, column, keyPath });
    expect(error.message).toContain(`${file}:${line}:${column}`);
    expect(error.path).toBe(keyPath);
  });

  it.each(CASES)('$name (object form: key path)', ({ yaml, keyPath, text }) => {
    const error = recipeError(() => loadAuditRecipe(parse(yaml) as object));
    expect(error.message).toMatch(text);
    expect(error.keyPath).toBe(keyPath);
    expect(error.line).toBeUndefined();
  });

  it('reports YAML syntax errors and duplicate keys with their position', () => {
    const syntax = recipeError(() => parseAuditRecipe('process_recipes:\n  p: [unclosed\n', { file: 'r.yaml' }));
    expect(syntax.message).toMatch(/^Audit recipe error at r\.yaml:\d+:\d+: invalid YAML/);
    const duplicate = recipeError(() => parseAuditRecipe('process_recipes: {}\nprocess_recipes: {}\n', { file: 'r.yaml' }));
    expect([duplicate.line, duplicate.column]).toEqual([2, 1]);
  });

  it('a missing file, a non-object and non-plain values are refused', () => {
    expect(recipeError(() => loadAuditRecipe(path.join(dir, 'nope.yaml'))).message).toMatch(/does not exist/);
    expect(recipeError(() => loadAuditRecipe(42 as unknown as object)).message).toMatch(/file path or a recipe object/);
    expect(recipeError(() => loadAuditRecipe({ process_recipes: { p: new Map() } })).keyPath).toBe('process_recipes.p');
    expect(recipeError(() => parseAuditRecipe(7 as unknown as string)).message).toMatch(/must be a string/);
  });

  it('an empty recipe document is refused', () => {
    expect(recipeError(() => parseAuditRecipe('')).message).toMatch(/must be a mapping/);
  });
});
