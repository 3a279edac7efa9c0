import { afterEach, describe, expect, it, vi } from 'vitest';
import { isMissingTypeScript, typescriptApiProblem } from '../../src/lint/load-linter.js';

function notFound(specifier: string): Error {
  return Object.assign(new Error(`Cannot find package '${specifier}' imported from /app/node_modules/theus/dist/lint/syntax.js`), { code: 'ERR_MODULE_NOT_FOUND' });
}

afterEach(() => {
  vi.doUnmock('typescript');
  vi.resetModules();
});

describe('typescript is an optional peer dependency, loaded when the linter runs', () => {
  it('recognises only a missing typescript package', () => {
    expect(isMissingTypeScript(notFound('typescript'))).toBe(true);
    expect(isMissingTypeScript(Object.assign(new Error("Cannot find module 'typescript'"), { code: 'MODULE_NOT_FOUND' }))).toBe(true);
    expect(isMissingTypeScript(notFound('typescript-eslint'))).toBe(false);
    expect(isMissingTypeScript(new Error("Cannot find package 'typescript'"))).toBe(false);
    expect(isMissingTypeScript(null)).toBe(false);
    expect(isMissingTypeScript('typescript')).toBe(false);
  });

  it('without typescript: the linter fails with MISSING_DEPENDENCY and the install command; theus check says so; other commands work', async () => {
    vi.resetModules();
    vi.doMock('typescript', () => {
      throw notFound('typescript');
    });
    const { loadLinter } = await import('../../src/lint/load-linter.js');
    await expect(loadLinter()).rejects.toMatchObject({ code: 'MISSING_DEPENDENCY', message: expect.stringContaining('npm install -D typescript') });

    const { run, tempDir, removeDir, writeFiles } = await import('../cli/helpers.js');
    const cwd = await tempDir('no-ts');
    try {
      await writeFiles(cwd, { 'src/a.mjs': 'export const x = 1;\n', 'wf.yaml': 'steps: []\n' });
      const check = await run(['check', 'src'], { cwd });
      expect(check.code).toBe(1);
      expect(check.stderr).toContain("theus: The POP linter needs the 'typescript' package");
      expect(check.stderr).toContain('npm install -D typescript');
      const help = await run(['--help'], { cwd });
      expect(help.code).toBe(0);
    } finally {
      await removeDir(cwd);
    }
  });

  it('TypeScript 7 installed as typescript (no compiler API): MISSING_DEPENDENCY naming the version and TypeScript 5; theus check says so', async () => {
    // The real TypeScript 7 package: its JavaScript entry only reports the version.
    const ts7 = (await import('typescript-7')) as unknown;
    const ts5 = (await import('typescript')) as unknown;
    expect(typescriptApiProblem(ts5)).toBeUndefined();
    expect(typescriptApiProblem(ts7)).toMatch(/installed 'typescript' \(7\.\d+\.\d+\) has none.*npm install -D typescript@5/);
    for (const odd of [null, undefined, 42, 'typescript', {}, { default: null }, { createSourceFile: 'no' }]) expect(typescriptApiProblem(odd)).toContain('unknown version');

    vi.resetModules();
    vi.doMock('typescript', async () => await import('typescript-7'));
    const { loadLinter } = await import('../../src/lint/load-linter.js');
    await expect(loadLinter()).rejects.toMatchObject({ code: 'MISSING_DEPENDENCY', message: expect.stringContaining('npm install -D typescript@5') });

    const { run, tempDir, removeDir, writeFiles } = await import('../cli/helpers.js');
    const cwd = await tempDir('ts7');
    try {
      await writeFiles(cwd, { 'src/a.mjs': 'export const x = 1;\n' });
      const check = await run(['check', 'src'], { cwd });
      expect(check.code).toBe(1);
      expect(check.stderr).toContain("The POP linter needs TypeScript's compiler API");
    } finally {
      await removeDir(cwd);
    }
  });

  it('the package entry does not load typescript', async () => {
    vi.resetModules();
    vi.doMock('typescript', () => {
      throw notFound('typescript');
    });
    const theus = await import('../../src/index.js');
    expect(typeof theus.TheusEngine).toBe('function');
  });
});
