import { readFile, readdir, stat, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEMPLATE_NAMES } from '../../src/cli/init/templates.js';
import { projectNameProblem } from '../../src/cli/init/project-name.js';
import { REPO_ROOT, removeDir, run, tempDir } from './helpers.js';

let cwd: string;

beforeEach(async () => {
  cwd = await tempDir('init');
});

afterEach(async () => {
  await removeDir(cwd);
});

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(path.join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

const version = (JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('theus init', () => {
  it.each(TEMPLATE_NAMES)("creates a runnable project layout from the '%s' template", async (template) => {
    const result = await run(['init', 'my-app', '--template', template], { cwd });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const root = path.join(cwd, 'my-app');
    const files = await listFiles(root);
    expect(files).toEqual(expect.arrayContaining(['.gitignore', 'README.md', 'package.json', 'src/main.mjs']));
    expect(files.some((f) => f.startsWith('test/') && f.endsWith('.test.mjs'))).toBe(true);
    expect(files).not.toContain('gitignore');
    // Plain JavaScript: nothing to compile in a generated project.
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);

    const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as Record<string, any>;
    expect(manifest['name']).toBe('my-app');
    expect(manifest['type']).toBe('module');
    expect(Object.keys(manifest['scripts'])).toEqual(expect.arrayContaining(['start', 'test']));
    expect(manifest['scripts']['test']).toBe('node --test');
    expect(manifest['dependencies']).toEqual({ theus: `^${version}` });
    // The only development dependency is the parser the POP linter needs, and only where `npm run check` uses it.
    if (manifest['scripts']['check'] === undefined) expect(manifest['devDependencies']).toBeUndefined();
    else expect(manifest['devDependencies']).toEqual({ typescript: expect.stringMatching(/^\^5\./) });

    for (const file of files) {
      const text = await readFile(path.join(root, file), 'utf8');
      expect(text, file).not.toMatch(/\{\{\w+\}\}/);
    }
    expect(result.stdout).toContain(`Created my-app/ from the '${template}' template (${files.length} files).`);
    expect(result.stdout).toContain('Next steps:\n  cd my-app\n  npm install\n  npm start\n  npm test\n');
  });

  it("defaults to the 'standard' template, with processes, a workflow and an audit recipe", async () => {
    expect((await run(['init', 'std'], { cwd })).code).toBe(0);
    const files = await listFiles(path.join(cwd, 'std'));
    expect(files).toEqual(expect.arrayContaining(['specs/audit_recipe.yaml', 'specs/context.json', 'workflows/main.yaml', 'src/processes/tasks.mjs']));
  });

  it('generates code the POP linter accepts', async () => {
    for (const template of TEMPLATE_NAMES) {
      expect((await run(['init', template, '--template', template], { cwd })).code).toBe(0);
      const check = await run(['check', path.join(template, 'src')], { cwd });
      expect(check.stdout, template).toMatch(/^No problems found/);
      expect(check.code, template).toBe(0);
    }
  });

  it('refuses a non-empty directory unless --force, which keeps unrelated files', async () => {
    const root = path.join(cwd, 'busy');
    await mkdir(root);
    await writeFile(path.join(root, 'notes.txt'), 'mine');
    await writeFile(path.join(root, 'README.md'), 'old readme');
    const refused = await run(['init', 'busy'], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^theus: directory 'busy' exists and is not empty; .*--force/);
    expect(await readdir(root)).toEqual(['README.md', 'notes.txt']);

    const forced = await run(['init', 'busy', '--force', '-t', 'minimal'], { cwd });
    expect(forced.code).toBe(0);
    expect(await readFile(path.join(root, 'notes.txt'), 'utf8')).toBe('mine');
    expect(await readFile(path.join(root, 'README.md'), 'utf8')).toContain('# busy');
  });

  it('accepts an existing empty directory', async () => {
    await mkdir(path.join(cwd, 'empty'));
    expect((await run(['init', 'empty', '-t', 'minimal'], { cwd })).code).toBe(0);
    expect((await stat(path.join(cwd, 'empty', 'package.json'))).isFile()).toBe(true);
  });

  it('refuses a name that is taken by a file', async () => {
    await writeFile(path.join(cwd, 'taken'), '');
    const result = await run(['init', 'taken'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("theus: 'taken' exists and is not a directory");
  });

  it.each([
    ['My-App', 'lowercase'],
    ['../escape', 'path separator'],
    ['a/b', 'path separator'],
    ['a\\b', 'path separator'],
    ['..', "'..'"],
    ['.hidden', "cannot start with '.'"],
    ['_private', "cannot start with '.' or '_'"],
    ['has space', 'URL-safe'],
    ['what!', '~'],
    ['http', 'core module'],
    ['node_modules', 'reserved'],
    ['theus', 'could not depend on'],
    ['x'.repeat(215), 'longer than 214'],
    [' padded', 'whitespace'],
  ])('refuses the bad name %j and creates nothing', async (name, reason) => {
    const result = await run(['init', name], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(reason);
    expect(result.stderr).toMatch(/^theus: '.*' cannot be a project name: /);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('accepts the names npm accepts', () => {
    for (const name of ['my-app', 'app2', 'a.b', 'some_thing', 'x'.repeat(214)]) expect(projectNameProblem(name), name).toBeUndefined();
    expect(projectNameProblem('')).toBe('it is empty');
  });

  it('refuses an unknown template and a missing name with exit code 2', async () => {
    const template = await run(['init', 'app', '--template', 'huge'], { cwd });
    expect(template.code).toBe(2);
    expect(template.stderr).toContain("argument 'huge' is invalid. Allowed choices are minimal, standard, ecommerce, parallel, agent.");
    const missing = await run(['init'], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("theus: missing required argument 'name'");
    expect(await readdir(cwd)).toEqual([]);
  });
});
