import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuditRecipeError, AuditSystem, UNKNOWN_PROCESS_WARNING, parseAuditRecipe } from '../../src/audit/index.js';
import { TheusEngine, process as defineProcess } from '../../src/index.js';

// Processes of another service share the recipe: the original's own recipes name processes a given engine lacks.
const RECIPE = ['process_recipes:', '  work:', '    inputs:', '      - field: n', '        min: 0', '  p_ghost:', '    inputs:', '      - field: x', '        max: 1', ''].join('\n');

function captureWarnings(): { messages: () => string[]; codes: () => unknown[] } {
  const spy = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  return {
    messages: () => spy.mock.calls.map((call) => String(call[0])),
    codes: () => spy.mock.calls.map((call) => (call[1] as { code?: unknown } | undefined)?.code),
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('recipe entries for processes the engine does not register', () => {
  it('are reported once as a warning, returned, and marked in inspect; nothing throws', () => {
    const warnings = captureWarnings();
    const audit = new AuditSystem(parseAuditRecipe(RECIPE, { file: 'audit.yaml' }));
    expect(audit.inspect('p_ghost')?.registered).toBeUndefined();
    expect(audit.verifyProcesses(['work'])).toEqual(['p_ghost']);
    expect(audit.verifyProcesses(new Set(['work', 'other']))).toEqual(['p_ghost']);
    expect(warnings.messages()).toHaveLength(1);
    expect(warnings.messages()[0]).toMatch(/rules for 'p_ghost' \(audit\.yaml:6:3 \(process_recipes\.p_ghost\)\) will never run.*registered: work.*strict: true/);
    expect(warnings.codes()).toEqual([UNKNOWN_PROCESS_WARNING]);
    expect(audit.inspect('p_ghost')?.registered).toBe(false);
    expect(audit.inspect('work')?.registered).toBe(true);
    expect(audit.verifyProcesses(['work', 'p_ghost'])).toEqual([]);
    expect(audit.inspect('p_ghost')?.registered).toBe(true);
  });

  it('strict: true in the recipe, or the strict option, makes them an error at the entry', () => {
    const strictText = RECIPE.replace('process_recipes:', 'audit:\n  strict: true\nprocess_recipes:');
    const strict = new AuditSystem(parseAuditRecipe(strictText, { file: 'audit.yaml' }));
    expect(() => strict.verifyProcesses(['work'])).toThrow(expect.objectContaining({ code: 'AUDIT_RECIPE', line: 8, column: 3, keyPath: 'process_recipes.p_ghost' }));
    const byOption = new AuditSystem(parseAuditRecipe(RECIPE), { strict: true });
    expect(() => byOption.verifyProcesses(['work'])).toThrow(AuditRecipeError);
    // The option overrides the recipe both ways.
    expect(new AuditSystem(parseAuditRecipe(strictText), { strict: false }).verifyProcesses(['work'])).toEqual(['p_ghost']);
  });

  it('refuses a non-boolean strict, in the recipe and as an option', () => {
    expect(() => parseAuditRecipe('audit:\n  strict: yes please\nprocess_recipes: {}\n', { file: 'a.yaml' })).toThrow(/a\.yaml:2:11.*'strict' must be true or false/);
    expect(() => new AuditSystem({ process_recipes: {} }, { strict: 1 as unknown as boolean })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    const audit = new AuditSystem({ process_recipes: {} });
    expect(() => audit.verifyProcesses(42 as unknown as string[])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    // Non-string entries (a hostile iterable) are ignored rather than trusted.
    expect(audit.verifyProcesses([{ toString: () => 'x' } as unknown as string])).toEqual([]);
  });

  it('the engine runs the registered processes with such a recipe and reports the others in audit.inspect', async () => {
    const warnings = captureWarnings();
    const engine = new TheusEngine({ domain: { n: 0 } }, { auditRecipe: parseAuditRecipe(RECIPE, { file: 'audit.yaml' }) });
    engine.register(defineProcess({ name: 'work', inputs: [], outputs: ['domain.n'] }, (ctx: any, args: any) => void (ctx.domain.n = args.n)));
    await engine.execute('work', { n: 2 });
    await engine.execute('work', { n: 3 });
    await expect(engine.execute('work', { n: -1 })).resolves.toBeUndefined();
    expect(engine.state.domain.n).toBe(-1);
    expect(warnings.messages().filter((m) => m.includes('p_ghost'))).toHaveLength(1);
    expect(engine.audit.inspect('p_ghost')).toMatchObject({ process: 'p_ghost', registered: false });
    expect(engine.audit.inspect('work')).toMatchObject({ registered: true });
    await engine.close();
  });
});
