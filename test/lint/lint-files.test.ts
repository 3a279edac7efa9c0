import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TheusError } from '../../src/errors.js';
import { collectSourceFiles, lintFiles, lintProject } from '../../src/lint/index.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const BAD = "import { process } from 'theus';\nexport const p = process({ inputs: [], outputs: [] }, (ctx) => { ctx.domain.x = 1; });\n";

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'theus-lint-'));
  const files: Record<string, string> = {
    'src/a.ts': BAD,
    'src/nested/b.mts': BAD.replace('const p', 'const q'),
    'src/c.js': BAD.replace('const p', 'const r'),
    'src/types.d.ts': BAD.replace('const p', 'const d'),
    'src/notes.md': 'not code',
    'node_modules/dep/index.ts': BAD,
    'dist/index.js': BAD,
    '.cache/x.ts': BAD,
  };
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('collectSourceFiles', () => {
  it('walks directories in a stable order, skipping node_modules, dist, dot-directories and declaration files', async () => {
    const files = await collectSourceFiles([root]);
    expect(files.map((f) => path.relative(root, f).split(path.sep).join('/'))).toEqual(['src/a.ts', 'src/c.js', 'src/nested/b.mts']);
  });

  it('lists a file given twice once', async () => {
    const file = path.join(root, 'src/a.ts');
    expect(await collectSourceFiles([file, file])).toEqual([file]);
  });

  it('refuses missing paths, unsupported files and non-string paths with INVALID_ARGUMENT', async () => {
    for (const bad of [[path.join(root, 'missing')], [path.join(root, 'src/notes.md')], [''], [42], 'src'] as unknown[]) {
      const error = await collectSourceFiles(bad as string[]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TheusError);
      expect((error as TheusError).code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('lintFiles', () => {
  it('lints every collected file and sorts findings by file, line and column', async () => {
    const findings = await lintFiles([root], { relativeTo: root });
    const column = (BAD.split('\n')[1] ?? '').indexOf('ctx.domain.x') + 1;
    expect(findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.ruleId}`)).toEqual([
      `src/a.ts:2:${column} POP-T02`,
      `src/c.js:2:${column} POP-T02`,
      `src/nested/b.mts:2:${column} POP-T02`,
    ]);
  });

  it('finds duplicate process names across files (T07), pointing at the first one', async () => {
    const findings = await lintFiles([path.join(FIXTURES, 't07-duplicate-a.ts'), path.join(FIXTURES, 't07-duplicate-b.ts')], { relativeTo: FIXTURES });
    expect(findings.map((f) => [f.file, f.line, f.column, f.message])).toEqual([
      ['t07-duplicate-a.ts', 6, 38, "Process name 'transfer' is already used at t07-duplicate-a.ts:4:14."],
      ['t07-duplicate-b.ts', 4, 14, "Process name 'transfer' is already used at t07-duplicate-a.ts:4:14."],
      ['t07-duplicate-b.ts', 6, 38, "Process name 'sharedName' is already used at t07-duplicate-a.ts:8:69."],
    ]);
  });

  it('reports which files it read (lintProject)', async () => {
    const project = await lintProject([path.join(root, 'src')]);
    expect(project.files).toHaveLength(3);
    expect(project.processes.map((p) => p.name)).toEqual(['p', 'r', 'q']);
  });

  it('rejects bad options', async () => {
    await expect(lintFiles([root], { relativeTo: '' })).rejects.toBeInstanceOf(TheusError);
    await expect(lintFiles([root], { namespaces: ['a b'] })).rejects.toBeInstanceOf(TheusError);
  });
});
