import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/eslint-plugin/index.js';
import { lintSource, RULES } from '../../src/lint/index.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixture = (name: string) => readFileSync(`${FIXTURES}${name}`, 'utf8');

const tsConfig: Linter.Config[] = [
  { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser } },
  plugin.configs.recommended,
];

function verify(code: string, filename: string, config: Linter.Config[] = tsConfig) {
  return new Linter().verify(code, config, filename);
}

describe('theus ESLint plugin', () => {
  it('has flat-config metadata and one rule per linter rule (syntax errors are left to ESLint)', () => {
    expect(plugin.meta.name).toBe('theus');
    expect(plugin.meta.version).toMatch(/^\d+\.\d+\.\d+/);
    const expected = RULES.filter((rule) => rule.id !== 'POP-X01' && rule.id !== 'POP-A01').map((rule) => rule.name);
    expect(Object.keys(plugin.rules).sort()).toEqual([...expected].sort());
    expect(plugin.configs.recommended.rules).toMatchObject({ 'theus/no-input-mutation': 'error', 'theus/no-console-output': 'warn' });
  });

  it('reports the same findings as the linter, at the same positions, on a TypeScript fixture', () => {
    for (const name of ['t01-input-mutation.ts', 't05-escaping-ctx.ts', 'aliases.ts', 'e07-zone-physics.ts']) {
      const expected = lintSource(fixture(name), name).map((f) => [`theus/${RULES.find((r) => r.id === f.ruleId)?.name}`, f.line, f.column, f.severity === 'error' ? 2 : 1]);
      const messages = verify(fixture(name), name);
      expect(messages.map((m) => [m.ruleId, m.line, m.column, m.severity])).toEqual(expected);
    }
  });

  it('includes the rule id and the hint in the message', () => {
    const [message] = verify(fixture('e01-console.ts'), 'e01-console.ts');
    expect(message?.message).toBe(
      "'console.log' in process 'greet' writes output outside the transaction. (POP-E01) Hint: The body re-runs on every conflict retry, so output repeats. Return data, or emit a signal (published once, after commit); or declare sideEffects: ['console'].",
    );
    expect(message?.severity).toBe(1);
  });

  it('works with the default parser on JavaScript', () => {
    const config: Linter.Config[] = [plugin.configs.recommended];
    const messages = verify(fixture('javascript.mjs'), 'javascript.mjs', config);
    expect(messages.map((m) => [m.ruleId, m.line, m.column])).toEqual([
      ['theus/no-undeclared-file-io', 5, 18],
      ['theus/no-undeclared-write', 6, 3],
    ]);
  });

  it('lets one rule be configured alone, and reads namespaces from settings', () => {
    const code = "import { process } from 'theus';\nexport const p = process({ inputs: ['orders.open'], outputs: [] }, (ctx) => { ctx.orders.open.push(1); });\n";
    const only = (settings?: Record<string, unknown>): Linter.Config[] => [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser } },
      { plugins: { theus: plugin }, rules: { 'theus/no-input-mutation': 'error', 'theus/valid-contract': 'error' }, ...(settings === undefined ? {} : { settings }) },
    ];
    expect(verify(code, 'a.ts', only()).map((m) => m.ruleId)).toEqual(['theus/valid-contract']);
    expect(verify(code, 'a.ts', only({ theus: { namespaces: ['orders'] } })).map((m) => m.ruleId)).toEqual(['theus/no-input-mutation']);
  });

  it('refuses hostile namespace settings with a clear error', () => {
    const code = "import { process } from 'theus';\nexport const p = process({ inputs: [], outputs: [] }, () => 1);\n";
    const config: Linter.Config[] = [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser } },
      { ...plugin.configs.recommended, settings: { theus: { namespaces: ['__proto__'] } } },
    ];
    expect(() => verify(code, 'a.ts', config)).toThrow(/not a valid namespace name/);
  });

  it('stays silent on files that do not use theus, and on the clean fixture', () => {
    expect(verify('const x = 1;\nconsole.log(x);\n', 'plain.ts')).toEqual([]);
    expect(verify(fixture('clean.ts'), 'clean.ts')).toEqual([]);
  });
});
