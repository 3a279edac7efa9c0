/**
 * The module hooks that let dev workers run `.ts` task modules transpile them with TypeScript's
 * compiler API. TypeScript 7 installs as `typescript` with no such API: the hooks must say so,
 * not fail with a bare TypeError. The hooks file is copied beside a `node_modules/typescript`
 * that is the real TypeScript 7 package, so its `require('typescript')` finds that one.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'theus-ts-hooks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Load = (url: string, context: object, next: () => never) => Promise<{ source: string }>;

async function hooksWith(typescriptPackage: string, name: string): Promise<Load> {
  const home = join(dir, name);
  mkdirSync(join(home, 'node_modules'), { recursive: true });
  symlinkSync(join(repo, 'node_modules', typescriptPackage), join(home, 'node_modules', 'typescript'), 'dir');
  cpSync(join(repo, 'src', 'parallel', 'dev-ts-hooks.mjs'), join(home, 'dev-ts-hooks.mjs'));
  return ((await import(pathToFileURL(join(home, 'dev-ts-hooks.mjs')).href)) as { load: Load }).load;
}

describe('dev worker hooks for .ts task modules', () => {
  const task = join(dir, 'task.ts');
  writeFileSync(task, 'export const double = (n: number): number => n * 2;\n');
  const next = () => {
    throw new Error('not reached');
  };

  it('with TypeScript 5: the module is transpiled (types erased)', async () => {
    const load = await hooksWith('typescript', 'ts5');
    const { source } = await load(pathToFileURL(task).href, {}, next);
    expect(source).toContain('export const double = (n) => n * 2;');
  });

  it('with TypeScript 7 as typescript: an error naming the module, the version and the way out', async () => {
    const load = await hooksWith('typescript-7', 'ts7');
    await expect(load(pathToFileURL(task).href, {}, next)).rejects.toThrow(/task\.ts in a worker needs TypeScript's compiler API.*\(7\.\d+\.\d+\) has none.*npm install -D typescript@5/);
  });
});
