import { access, readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAuditRecipe } from '../../src/audit/index.js';
import { TheusEngine, process as defineProcess } from '../../src/index.js';
import { removeDir, run, tempDir, writeFiles } from './helpers.js';

let cwd: string;

const PROCESSES = {
  'src/processes/billing.ts': [
    "import { process } from 'theus';",
    "export const charge = process({ inputs: ['domain.accounts'], outputs: ['domain.accounts', 'domain.ledger'], errors: ['RangeError'], sideEffects: ['bank'] }, (ctx, args) => { ctx.domain.ledger = args.amount; });",
    "export const refund = process({ name: 'refundOrder', inputs: [], outputs: ['domain.ledger'] }, (ctx) => { ctx.domain.ledger = 0; });",
    '',
  ].join('\n'),
  'src/processes/report.js': "import { process } from 'theus';\nexport const summarize = process({ inputs: ['domain.ledger'], outputs: ['domain.summary'], semantic: 'pure' }, (ctx) => ctx.domain.ledger);\n",
  // Fixtures in tests are not part of the application.
  'src/processes/report.test.js': "import { process } from 'theus';\nexport const fixture = process({ inputs: [], outputs: [] }, () => 1);\n",
};

beforeEach(async () => {
  cwd = await tempDir('audit');
  await writeFiles(cwd, PROCESSES);
});

afterEach(async () => {
  await removeDir(cwd);
});

const recipePath = () => path.join(cwd, 'specs/audit_recipe.yaml');
const pathExists = (file: string) => access(file).then(
  () => true,
  () => false,
);

describe('theus audit gen-spec', () => {
  it('writes a skeleton for every process under src that the engine loads as is', async () => {
    const result = await run(['audit', 'gen-spec'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Wrote a recipe skeleton for 3 processes (charge, refundOrder, summarize):\nspecs/audit_recipe.yaml\n');
    const recipe = loadAuditRecipe(recipePath());
    expect([...recipe.processes.keys()]).toEqual(['charge', 'refundOrder', 'summarize']);
    expect(recipe.processes.get('charge')?.sideEffects).toEqual(['bank']);
    expect(recipe.processes.get('charge')?.errors).toEqual(['RangeError']);
    const text = await readFile(recipePath(), 'utf8');
    expect(text).toContain('# (the contract reads domain.accounts)');
    expect(text).not.toContain('fixture');
  });

  it('round trip: the engine runs with the generated recipe once rules are filled in', async () => {
    expect((await run(['audit', 'gen-spec'], { cwd })).code).toBe(0);
    const text = await readFile(recipePath(), 'utf8');
    const edited = text.replace(/(charge:\n(?:.*\n)*?\s+)inputs: \[\]/, '$1inputs:\n      - field: amount\n        min: 0\n        level: B\n        max_threshold: 0');
    expect(edited).not.toBe(text);
    await writeFile(recipePath(), edited);
    const engine = new TheusEngine({ domain: { accounts: {}, ledger: 0, summary: 0 } }, { auditRecipe: recipePath() });
    const mk = (name: string, outputs: string[]) => defineProcess({ name, inputs: [], outputs }, (ctx: any, args: any) => void (ctx.domain.ledger = args?.amount ?? 0));
    engine.register(mk('charge', ['domain.ledger'])).register(mk('refundOrder', ['domain.ledger'])).register(mk('summarize', ['domain.ledger']));
    await engine.execute('charge', { amount: 5 });
    await expect(engine.execute('charge', { amount: -1 })).rejects.toMatchObject({ code: 'AUDIT_BLOCK' });
    expect(engine.state.domain.ledger).toBe(5);
    await engine.close();
  });

  it('adds only missing processes to an existing recipe and keeps its edits', async () => {
    expect((await run(['audit', 'gen-spec'], { cwd })).code).toBe(0);
    const edited = `# my notes\n${(await readFile(recipePath(), 'utf8')).replace('threshold_max: 3', 'threshold_max: 7')}`;
    await writeFile(recipePath(), edited);

    const again = await run(['audit', 'gen-spec'], { cwd });
    expect(again).toMatchObject({ code: 0, stdout: 'specs/audit_recipe.yaml: no new processes (all 3 already have an entry).\n' });
    expect(await readFile(recipePath(), 'utf8')).toBe(edited);

    await writeFiles(cwd, { 'src/processes/extra.mjs': "import { process } from 'theus';\nexport const ship = process({ inputs: [], outputs: ['domain.shipped'] }, () => true);\n" });
    const merged = await run(['audit', 'gen-spec', '--json'], { cwd });
    expect(merged.code).toBe(0);
    expect(JSON.parse(merged.stdout)).toEqual({ path: 'specs/audit_recipe.yaml', created: false, added: ['ship'], processes: ['charge', 'refundOrder', 'ship', 'summarize'] });
    const text = await readFile(recipePath(), 'utf8');
    expect(text.startsWith('# my notes\n')).toBe(true);
    expect(text).toContain('threshold_max: 7');
    expect(loadAuditRecipe(recipePath()).processes.has('ship')).toBe(true);

    const forced = await run(['audit', 'gen-spec', '--force'], { cwd });
    expect(forced.code).toBe(0);
    expect(await readFile(recipePath(), 'utf8')).toContain('threshold_max: 3');
  });

  it('takes a directory and --out', async () => {
    const result = await run(['audit', 'gen-spec', 'src/processes', '--out', 'rules/audit.yaml'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(path.join('rules', 'audit.yaml'));
    expect(loadAuditRecipe(path.join(cwd, 'rules/audit.yaml')).processes.size).toBe(3);
  });

  it('run from another directory: writes under the project holding <dir>, and merges into its recipe', async () => {
    const elsewhere = await tempDir('audit-elsewhere');
    try {
      await writeFiles(cwd, { 'package.json': '{ "name": "shop", "type": "module" }\n', 'test/helpers.mjs': PROCESSES['src/processes/report.test.js'] });
      const project = path.relative(elsewhere, cwd);
      const first = await run(['audit', 'gen-spec', project], { cwd: elsewhere });
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      // The project directory is scanned through its src/: helpers under test/ are not application processes.
      // Paths outside the working directory are shown absolute.
      expect(first.stdout).toBe(`Wrote a recipe skeleton for 3 processes (charge, refundOrder, summarize):\n${recipePath()}\n`);
      expect([...loadAuditRecipe(recipePath()).processes.keys()]).toEqual(['charge', 'refundOrder', 'summarize']);
      expect(await pathExists(path.join(elsewhere, 'specs'))).toBe(false);

      // The user's rules are kept; a new process gets a skeleton. <dir> below the project root finds the same recipe.
      const edited = (await readFile(recipePath(), 'utf8')).replace(/(charge:\n(?:.*\n)*?\s+)inputs: \[\]/, '$1inputs:\n      - field: amount\n        min: 0\n        level: B');
      await writeFile(recipePath(), edited);
      await writeFiles(cwd, { 'src/processes/ship.mjs': "import { process } from 'theus';\nexport const ship = process({ inputs: [], outputs: ['domain.shipped'] }, () => true);\n" });
      const merged = await run(['audit', 'gen-spec', path.join(project, 'src/processes'), '--json'], { cwd: elsewhere });
      expect(merged.code).toBe(0);
      expect(JSON.parse(merged.stdout)).toMatchObject({ path: recipePath(), created: false, added: ['ship'] });
      const recipe = loadAuditRecipe(recipePath());
      expect(recipe.processes.get('charge')?.inputs.map((r) => r.field)).toEqual(['amount']);
      expect(recipe.processes.has('ship')).toBe(true);

      // --out stays relative to where the command runs.
      const out = await run(['audit', 'gen-spec', project, '--out', 'mine.yaml'], { cwd: elsewhere });
      expect(out.code).toBe(0);
      expect(loadAuditRecipe(path.join(elsewhere, 'mine.yaml')).processes.size).toBe(4);
    } finally {
      await removeDir(elsewhere);
    }
  });

  it('a directory outside the working directory without package.json is its own project', async () => {
    const elsewhere = await tempDir('audit-elsewhere');
    try {
      const result = await run(['audit', 'gen-spec', path.join(cwd, 'src')], { cwd: elsewhere });
      expect(result.code).toBe(0);
      expect(loadAuditRecipe(path.join(cwd, 'src/specs/audit_recipe.yaml')).processes.size).toBe(3);
      expect(await pathExists(path.join(elsewhere, 'specs'))).toBe(false);
    } finally {
      await removeDir(elsewhere);
    }
  });

  it('skips, with a warning, processes whose name the engine refuses (hostile or malformed)', async () => {
    await writeFiles(cwd, {
      'src/hostile.mjs': [
        "import { process } from 'theus';",
        "export const a = process({ name: '__proto__', inputs: [], outputs: [] }, () => 1);",
        "export const b = process({ name: 'has space', inputs: [], outputs: [] }, () => 1);",
        '',
      ].join('\n'),
    });
    const result = await run(['audit', 'gen-spec'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("theus: warning: skipped process '__proto__' at src/hostile.mjs:2:");
    expect(result.stderr).toContain("theus: warning: skipped process 'has space' at src/hostile.mjs:3:");
    expect([...loadAuditRecipe(recipePath()).processes.keys()]).toEqual(['charge', 'refundOrder', 'summarize']);
    expect(({} as Record<string, unknown>)['inputs']).toBeUndefined();
  });

  it('warns about processes it cannot name', async () => {
    await writeFiles(cwd, { 'src/anon.js': "import { process } from 'theus';\nexport default process({ inputs: [], outputs: [] }, () => 1);\n" });
    const result = await run(['audit', 'gen-spec'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("theus: warning: skipped a process with no name at src/anon.js:2:16 (assign it to a const or give it name: '…').\n");
  });

  it('fails with an actionable message: missing dir (2), no processes (1), duplicates (1), malformed recipe (1), --out a directory (2)', async () => {
    const missing = await run(['audit', 'gen-spec', 'lib'], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^theus: directory 'lib' does not exist; pass the directory holding your processes/);

    await mkdir(path.join(cwd, 'empty'));
    await writeFiles(cwd, { 'empty/util.js': 'export const x = 1;\n' });
    const none = await run(['audit', 'gen-spec', 'empty'], { cwd });
    expect(none.code).toBe(1);
    expect(none.stderr).toBe("theus: no processes found in 'empty' (1 source files read). Processes are declared with process({ inputs, outputs }, fn).\n");

    await writeFiles(cwd, { 'src/dup.mjs': "import { process } from 'theus';\nexport const charge = process({ inputs: [], outputs: [] }, () => 1);\n" });
    const dup = await run(['audit', 'gen-spec'], { cwd });
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain("theus: two processes are named 'charge' (src/dup.mjs:2:14 and src/processes/billing.ts:2:14)");

    await writeFiles(cwd, { 'src/dup.mjs': '', 'specs/audit_recipe.yaml': 'audit:\n  level: X\n' });
    const malformed = await run(['audit', 'gen-spec'], { cwd });
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/^theus: Audit recipe error at specs\/audit_recipe\.yaml:2:10/);

    const outDir = await run(['audit', 'gen-spec', '--out', 'src'], { cwd });
    expect(outDir.code).toBe(2);
    expect(outDir.stderr).toContain("theus: 'src' exists and is not a file");
  });
});

describe('theus audit inspect', () => {
  const RECIPE = [
    'audit:',
    '  level: B',
    '  threshold_max: 2',
    'process_recipes:',
    '  charge:',
    '    inputs:',
    '      - field: amount',
    '        min: 1',
    '        max: 500',
    '        level: C',
    '        message: amount out of range',
    '      - field: currency',
    '        regex: "^[A-Z]{3}$"',
    '    outputs:',
    '      - field: domain.balance',
    '        min: 0',
    '        level: S',
    '    side_effects: [bank]',
    '    errors: [RangeError]',
    '  refund: {}',
    '',
  ].join('\n');

  beforeEach(async () => {
    await writeFiles(cwd, { 'specs/audit_recipe.yaml': RECIPE });
  });

  it('prints the effective rules with inherited levels and thresholds', async () => {
    const result = await run(['audit', 'inspect', 'charge'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Process 'charge' (specs/audit_recipe.yaml:5:3 (process_recipes.charge))");
    expect(result.stdout).toContain('when the process itself fails: B block, acts on failure #3, counter reset on success');
    const lines = result.stdout.split('\n');
    expect(lines).toContain('  field     condition           level    acts on         warns  reset  message');
    expect(lines).toContain('  amount    min=1 max=500       C count  never (counts)  -      yes    amount out of range');
    expect(lines).toContain('  currency  regex="^[A-Z]{3}$"  B block  failure #3      -      yes');
    expect(lines).toContain('  domain.balance  min=0      S stop  1st failure  -      yes');
    expect(result.stdout).toContain('SIDE EFFECTS: bank\nEXPECTED ERRORS: RangeError\n');
    const empty = await run(['audit', 'inspect', 'refund'], { cwd });
    expect(empty.stdout).toContain('INPUT RULES (checked on the call args)\n  (none)');
    expect(empty.stdout).toContain('SIDE EFFECTS: (none declared)');
  });

  it('--json prints the inspection', async () => {
    const result = await run(['audit', 'inspect', 'charge', '--json'], { cwd });
    const parsed = JSON.parse(result.stdout) as { process: string; inputs: { field: string; level: string; maxThreshold: number }[]; outputs: unknown[] };
    expect(parsed.process).toBe('charge');
    expect(parsed.inputs.map((r) => [r.field, r.level, r.maxThreshold])).toEqual([
      ['amount', 'C', 2],
      ['currency', 'B', 2],
    ]);
    expect(parsed.outputs).toHaveLength(1);
  });

  it('fails clearly: unknown process (1), missing recipe (2), malformed recipe (1)', async () => {
    const unknown = await run(['audit', 'inspect', 'nope'], { cwd });
    expect(unknown).toEqual({ code: 1, stdout: '', stderr: "theus: process 'nope' is not in specs/audit_recipe.yaml (it has: charge, refund).\n" });
    const missing = await run(['audit', 'inspect', 'charge', '--recipe', 'other.yaml'], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^theus: no audit recipe at 'other.yaml' .*theus audit gen-spec/);
    await writeFiles(cwd, { 'bad.yaml': 'process_recipes:\n  charge:\n    inputs:\n      - field: amount\n        mni: 3\n' });
    const malformed = await run(['audit', 'inspect', 'charge', '-r', 'bad.yaml'], { cwd });
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/^theus: Audit recipe error at bad\.yaml:5:9 .*mni/);
    const noArg = await run(['audit', 'inspect'], { cwd });
    expect(noArg.code).toBe(2);
  });
});
