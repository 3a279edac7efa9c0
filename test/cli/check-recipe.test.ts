import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeDir, run, tempDir, writeFiles } from './helpers.js';

let cwd: string;

const RECIPE = ['process_recipes:', '  charge:', '    inputs:', '      - field: amount', '        min: 0', '  p_ghost:', '    inputs:', '      - field: x', '        max: 1', ''].join('\n');

beforeEach(async () => {
  cwd = await tempDir('check-recipe');
  await writeFiles(cwd, {
    'package.json': '{ "name": "p", "type": "module" }\n',
    'src/billing.mjs': "import { process } from 'theus';\nexport const charge = process({ inputs: [], outputs: ['domain.n'] }, (ctx) => { ctx.domain.n = 1; });\n",
    'specs/audit_recipe.yaml': RECIPE,
  });
});

afterEach(async () => {
  await removeDir(cwd);
});

describe('theus check and the audit recipe', () => {
  it('warns (POP-A01, exit 0) about recipe entries no checked file declares, at the entry', async () => {
    const result = await run(['check', 'src'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("specs/audit_recipe.yaml:6:3  warning  POP-A01  The audit recipe has rules for 'p_ghost', but no checked file declares a process of that name");
    expect(result.stdout).not.toContain("'charge'");
    const json = JSON.parse((await run(['check', 'src', '--format', 'json'], { cwd })).stdout) as { findings: { ruleId: string }[]; warningCount: number };
    expect(json.findings.map((f) => f.ruleId)).toEqual(['POP-A01']);
  });

  it('--recipe chooses the file, --no-recipe skips the comparison, a single file is not compared', async () => {
    await writeFiles(cwd, { 'other.yaml': 'process_recipes:\n  charge: {}\n' });
    expect((await run(['check', 'src', '--recipe', 'other.yaml'], { cwd })).stdout).toMatch(/^No problems found/);
    expect((await run(['check', 'src', '--no-recipe'], { cwd })).stdout).toMatch(/^No problems found/);
    expect((await run(['check', 'src/billing.mjs'], { cwd })).stdout).toMatch(/^No problems found/);
    const missing = await run(['check', 'src', '--recipe', 'none.yaml'], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^theus: audit recipe 'none.yaml' does not exist/);
  });

  it('finds the project recipe from another directory; a malformed recipe is an error with its position', async () => {
    const elsewhere = await tempDir('check-elsewhere');
    try {
      const result = await run(['check', path.join(cwd, 'src')], { cwd: elsewhere });
      expect(result.stdout).toContain('POP-A01');
      await writeFiles(cwd, { 'specs/audit_recipe.yaml': 'process_recipes:\n  charge:\n    inptus: []\n' });
      const bad = await run(['check', 'src'], { cwd });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/^theus: Audit recipe error at specs\/audit_recipe\.yaml:3:5 .*inptus/);
    } finally {
      await removeDir(elsewhere);
    }
  });
});
