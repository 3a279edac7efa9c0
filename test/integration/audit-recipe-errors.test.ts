/**
 * Malformed audit recipes through the engine: problems in the recipe itself fail at construction, a recipe naming
 * a strict recipe naming a process that is not registered fails at the first execute — always with the key and its
 * position.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditRecipeError, TheusEngine, process } from '../../src/index.js';
import { expectTheus, rejection, tempDir, thrownBy } from './fixtures/audit/support.js';

let files: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  files = await tempDir('theus-audit-errors-');
});

afterAll(async () => {
  await files.cleanup();
});

const work = process({ name: 'work', outputs: ['domain.done'] }, () => true);

describe('a strict recipe naming an unknown process', () => {
  const yaml = ['audit:', '  strict: true', '  threshold_max: 2', 'process_recipes:', '  work:', '    inputs:', '      - field: n', '        min: 0', '  p_ghost:', '    inputs:', '      - field: x', '        max: 1', ''].join('\n');

  it('fails at the first execute with AuditRecipeError at the recipe entry (file:line:column), and commits nothing', async () => {
    const file = await files.write('ghost.yaml', yaml);
    let bodyRuns = 0;
    const counted = process({ name: 'work', outputs: ['domain.done'] }, () => {
      bodyRuns++;
      return true;
    });
    const engine = new TheusEngine({ domain: {} }, { auditRecipe: file });
    engine.register(counted);
    const err = expectTheus(await rejection(engine.execute('work', { n: 1 })), AuditRecipeError, 'AUDIT_RECIPE');
    expect(err.file).toBe(file);
    expect(err.line).toBe(9);
    expect(err.column).toBe(3);
    expect(err.keyPath).toBe('process_recipes.p_ghost');
    expect(err.message).toContain("'p_ghost'");
    expect(err.message).toContain(`${file}:9:3`);
    expect(err.message).toContain('work'); // lists what is registered
    expect(bodyRuns).toBe(0);
    expect(engine.state.version).toBe(0);
    // Still refused on the next call: the recipe stays wrong until the process exists.
    await expect(engine.execute('work', { n: 1 })).rejects.toBeInstanceOf(AuditRecipeError);

    // Registering the missing process makes the recipe valid.
    engine.register(process({ name: 'p_ghost', outputs: ['domain.ghost'] }, () => 1));
    await engine.execute('work', { n: 1 });
    expect(engine.state.domain.done).toBe(true);
  });

  it('an object recipe reports the key path', async () => {
    const engine = new TheusEngine({ domain: {} }, { auditRecipe: { audit: { strict: true }, process_recipes: { work: {}, p_ghost: { inputs: [{ field: 'x', max: 1 }] } } } });
    engine.register(work);
    const err = expectTheus(await rejection(engine.execute('work')), AuditRecipeError, 'AUDIT_RECIPE');
    expect(err.keyPath).toBe('process_recipes.p_ghost');
    expect(err.line).toBeUndefined();
  });

  it('construction itself succeeds: processes may be registered after the engine is made', () => {
    expect(() => new TheusEngine({}, { auditRecipe: { process_recipes: { later: { inputs: [{ field: 'x', max: 1 }] } } } })).not.toThrow();
  });
});

describe('a malformed YAML recipe fails at engine construction with the key and its position', () => {
  it.each([
    ['an unknown global key', 'audit:\n  thresold_max: 3\n', 2, 3, 'audit.thresold_max', /unknown key 'thresold_max'/],
    ['an unknown level', 'audit:\n  level: Panic\n', 2, 10, 'audit.level', /level must be S, A, B or C/],
    ["level 'I', which the original silently treated as Block", 'process_recipes:\n  work:\n    inputs:\n      - field: n\n        min: 0\n        level: I\n', 6, 16, 'process_recipes.work.inputs[0].level', /'I' \(info\) does not exist/],
    ['a regex with a backreference', 'process_recipes:\n  work:\n    inputs:\n      - field: s\n        regex: "(a)\\\\1"\n', 5, 16, 'process_recipes.work.inputs[0].regex', /backreferences/],
    ['a regex that does not compile', 'process_recipes:\n  work:\n    inputs:\n      - field: s\n        regex: "(unclosed"\n', 5, 16, 'process_recipes.work.inputs[0].regex', /does not compile/],
    ['min greater than max', 'process_recipes:\n  work:\n    inputs:\n      - field: n\n        min: 10\n        max: 1\n', 5, 14, 'process_recipes.work.inputs[0].min', /no value could pass/],
    ['threshold_min above threshold_max', 'audit:\n  threshold_max: 2\n  threshold_min: 5\n', 3, 18, 'audit.threshold_min', /warnings must start before/],
    ['a rule without a field', 'process_recipes:\n  work:\n    inputs:\n      - min: 1\n', 4, 9, 'process_recipes.work.inputs[0]', /has no 'field'/],
    ['a rule that checks nothing', 'process_recipes:\n  work:\n    inputs:\n      - field: n\n', 4, 9, 'process_recipes.work.inputs[0]', /checks nothing/],
    ['a hostile field path', 'process_recipes:\n  work:\n    inputs:\n      - field: __proto__.polluted\n        min: 1\n', 4, 16, 'process_recipes.work.inputs[0].field', /'__proto__' is not allowed/],
    ['a hostile process name', 'process_recipes:\n  constructor:\n    inputs: []\n', 2, 3, 'process_recipes.constructor', /not a usable process name/],
    ['the unsupported inherits key', 'process_recipes:\n  work:\n    inherits: _base\n', 3, 5, 'process_recipes.work.inherits', /inheritance is not supported/],
    ['a negative threshold', 'audit:\n  threshold_max: -1\n', 2, 18, 'audit.threshold_max', /whole number/],
    ['a wrong type', 'process_recipes:\n  work:\n    inputs: "amount > 0"\n', 3, 13, 'process_recipes.work.inputs', /must be a list/],
  ])('%s', async (_label, text, line, column, keyPath, message) => {
    const file = await files.write(`bad-${line}-${column}-${keyPath.replace(/\W/g, '_')}.yaml`, text);
    const err = expectTheus(
      thrownBy(() => new TheusEngine({}, { auditRecipe: file })),
      AuditRecipeError,
      'AUDIT_RECIPE',
    );
    expect(err.message).toMatch(message);
    expect({ file: err.file, line: err.line, column: err.column, keyPath: err.keyPath }).toEqual({ file, line, column, keyPath });
    expect(err.message).toContain(`${file}:${line}:${column}`);
  });

  it('invalid YAML syntax is reported with its line', async () => {
    const file = await files.write('syntax.yaml', 'process_recipes:\n  work:\n    inputs: [\n');
    const err = expectTheus(thrownBy(() => new TheusEngine({}, { auditRecipe: file })), AuditRecipeError, 'AUDIT_RECIPE');
    expect(err.message).toMatch(/invalid YAML/);
    expect(err.line).toBeGreaterThanOrEqual(3);
  });

  it('a missing file names the path', () => {
    const missing = `${files.dir}/nope.yaml`;
    const err = expectTheus(thrownBy(() => new TheusEngine({}, { auditRecipe: missing })), AuditRecipeError, 'AUDIT_RECIPE');
    expect(err.message).toContain(missing);
    expect(err.message).toMatch(/does not exist/);
  });
});

describe('a malformed object recipe fails at engine construction with the key path', () => {
  it.each([
    ['a string min', { process_recipes: { work: { inputs: [{ field: 'n', min: 'zero' }] } } }, 'process_recipes.work.inputs[0].min'],
    ['an unknown rule key', { process_recipes: { work: { inputs: [{ field: 'n', minimum: 1 }] } } }, 'process_recipes.work.inputs[0].minimum'],
    ['a non-boolean reset_on_success', { audit: { reset_on_success: 'yes' } }, 'audit.reset_on_success'],
    ['process_recipes as a list', { process_recipes: [] }, 'process_recipes'],
    ['an infinite max', { process_recipes: { work: { outputs: [{ field: 'domain.x', max: Infinity }] } } }, 'process_recipes.work.outputs[0].max'],
  ])('%s', (_label, recipe, keyPath) => {
    const err = expectTheus(thrownBy(() => new TheusEngine({}, { auditRecipe: recipe as Record<string, unknown> })), AuditRecipeError, 'AUDIT_RECIPE');
    expect(err.keyPath).toBe(keyPath);
    expect(err.message).toContain(keyPath);
  });

  it.each([
    ['a number', 42],
    ['an array', [{ process_recipes: {} }]],
    ['null', null],
  ])('a recipe that is %s', (_label, recipe) => {
    expect(thrownBy(() => new TheusEngine({}, { auditRecipe: recipe as never }))).toBeInstanceOf(AuditRecipeError);
  });
});
