import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { AuditRecipeError, AuditSystem, generateRecipeSkeleton, mergeRecipeSkeleton, parseAuditRecipe } from '../../src/audit/index.js';
import { TheusError } from '../../src/errors.js';

const PROCESSES = [
  { name: 'transfer', inputs: ['domain.accounts'], outputs: ['domain.accounts.*', 'domain.balance'], sideEffects: ['database'], errors: ['RangeError'] },
  { name: 'audit_log', inputs: [], outputs: [] },
];

describe('generateRecipeSkeleton', () => {
  it('produces a recipe that loads without error, one entry per process, with the global defaults', () => {
    const text = generateRecipeSkeleton(PROCESSES);
    const recipe = parseAuditRecipe(text, { file: 'specs/audit_recipe.yaml' });
    expect([...recipe.processes.keys()]).toEqual(['transfer', 'audit_log']);
    expect(recipe.defaults).toEqual({ level: 'B', maxThreshold: 3, minThreshold: 0, resetOnSuccess: true });
    expect(recipe.processes.get('transfer')).toMatchObject({ inputs: [], outputs: [], sideEffects: ['database'], errors: ['RangeError'] });
    new AuditSystem(recipe).verifyProcesses(['transfer', 'audit_log']);
  });

  it('documents the format in comments, with an example output rule on a concrete output path', () => {
    const text = generateRecipeSkeleton(PROCESSES);
    expect(text).toMatch(/^# Theus audit recipe/);
    expect(text).toContain('#   - field: domain.balance');
    expect(text).toContain('(the contract reads domain.accounts)');
  });

  it('the commented examples, once uncommented, are valid rules', () => {
    const lines = generateRecipeSkeleton([PROCESSES[0] as (typeof PROCESSES)[number]]).split('\n');
    const example = (heading: string): unknown => {
      const at = lines.findIndex((l) => l.includes(heading));
      const block: string[] = [];
      for (const line of lines.slice(at + 1)) {
        const m = /^\s*# (\s+.*)$/.exec(line);
        if (m === null) break;
        block.push(m[1] as string);
      }
      return parse(block.join('\n'));
    };
    const recipe = parseAuditRecipe(stringify({ process_recipes: { transfer: { inputs: example('# Input rules'), outputs: example('# Output rules') } } }));
    expect(recipe.processes.get('transfer')?.inputs[0]).toMatchObject({ field: 'amount', conditions: { min: 0 }, level: 'B' });
    expect(recipe.processes.get('transfer')?.outputs[0]).toMatchObject({ field: 'domain.balance', conditions: { min: 0 } });
  });

  it('an empty process list gives an empty but valid recipe', () => {
    expect(parseAuditRecipe(generateRecipeSkeleton([])).processes.size).toBe(0);
  });

  it.each([
    ['not an array', 'x'],
    ['a non-object entry', [3]],
    ['a missing name', [{ inputs: [], outputs: [] }]],
    ['a hostile name', [{ name: '__proto__', inputs: [], outputs: [] }]],
    ['a duplicate name', [{ name: 'a', inputs: [], outputs: [] }, { name: 'a', inputs: [], outputs: [] }]],
    ['non-string outputs', [{ name: 'a', inputs: [], outputs: [1] }]],
    ['missing inputs', [{ name: 'a', outputs: [] }]],
  ])('refuses %s', (_label, bad) => {
    try {
      generateRecipeSkeleton(bad as never);
      expect.unreachable();
    } catch (error) {
      expect((error as TheusError).code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('mergeRecipeSkeleton', () => {
  const existing = '# my notes stay\naudit:\n  threshold_max: 9\nprocess_recipes:\n  transfer:\n    inputs:\n      - field: amount\n        min: 1 # keep me\n';

  it('adds only missing processes and keeps existing entries and comments', () => {
    const { text, added } = mergeRecipeSkeleton(existing, PROCESSES);
    expect(added).toEqual(['audit_log']);
    expect(text).toContain('# my notes stay');
    expect(text).toContain('# keep me');
    const recipe = parseAuditRecipe(text);
    expect(recipe.defaults.maxThreshold).toBe(9);
    expect(recipe.processes.get('transfer')?.inputs[0]?.conditions).toEqual({ min: 1 });
    expect(recipe.processes.get('audit_log')).toMatchObject({ inputs: [], outputs: [] });
  });

  it('returns the text unchanged when nothing is missing, and creates process_recipes when absent', () => {
    expect(mergeRecipeSkeleton(existing, [PROCESSES[0] as never])).toEqual({ text: existing, added: [] });
    const fresh = mergeRecipeSkeleton('audit:\n  level: C\n', PROCESSES);
    expect(fresh.added).toEqual(['transfer', 'audit_log']);
    expect(Object.keys((parse(fresh.text) as { process_recipes: object }).process_recipes)).toEqual(['transfer', 'audit_log']);
    const emptyKey = mergeRecipeSkeleton('process_recipes:\n', [PROCESSES[1] as never]);
    expect(parseAuditRecipe(emptyKey.text).processes.has('audit_log')).toBe(true);
  });

  it('refuses to merge into an invalid recipe, with the position of the problem', () => {
    try {
      mergeRecipeSkeleton('process_recipes:\n  p:\n    bogus: 1\n', PROCESSES, { file: 'specs/audit_recipe.yaml' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AuditRecipeError);
      expect(error).toMatchObject({ file: 'specs/audit_recipe.yaml', line: 3, column: 5 });
    }
  });
});
