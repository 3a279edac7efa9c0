import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { THEUS_ENTRY, removeDir, run, tempDir, writeFiles } from './helpers.js';

let cwd: string;

// Explicit names: under Vitest, a module re-imported by --watch (URL with a query) has a call site the engine cannot
// read the variable name from; under plain Node it can.
const PROCESSES = [
  `import { process } from '${THEUS_ENTRY}';`,
  "export const inc = process({ name: 'inc', inputs: [], outputs: ['domain.n'] }, (ctx, args) => { ctx.domain.n += args?.by ?? 1; });",
  "export const boom = process({ name: 'boom', inputs: ['domain.n'], outputs: [] }, (ctx) => { throw new RangeError(`n is ${ctx.domain.n}`); });",
  "export const spend = process({ name: 'spend', inputs: [], outputs: ['domain.n'] }, (ctx, args) => { ctx.domain.n -= args.amount; });",
  '',
].join('\n');

beforeEach(async () => {
  cwd = await tempDir('run');
  await writeFiles(cwd, {
    'src/processes/counter.mjs': PROCESSES,
    'ctx.json': '{ "domain": { "n": 0 }, "global": {} }',
    'linear.yaml': 'name: count\nsteps:\n  - inc\n  - process: inc\n    args: { by: 2 }\n',
    'loop.yaml': 'steps:\n  - flux: while\n    condition: domain.n < 3\n    do:\n      - inc\n',
  });
});

afterEach(async () => {
  await removeDir(cwd);
});

describe('theus run', () => {
  it('runs a workflow, prints a line per committed step and a summary, exits 0', async () => {
    const result = await run(['run', 'linear.yaml', '--context', 'ctx.json'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^ {2}1\/2 {2}inc {2}-> v1 {2}\(\d+\.\d ms\)$/);
    expect(lines[1]).toMatch(/^ {2}2\/2 {2}inc {2}-> v2 /);
    expect(lines[2]).toMatch(/^Finished count \(linear\.yaml\): 2 steps in \d/);
    expect(result.stdout).toContain('  state     version 2\n');
    expect(result.stdout).toContain('  engine    2 commits, 0 rollbacks, 0 conflicts, 0 retries\n');
    expect(result.stdout).toContain('  commits   inc 2\n');
    expect(result.stdout).toContain('  audit     no recipe\n');
  });

  it('numbers steps without a total when the workflow branches or loops', async () => {
    const result = await run(['run', 'loop.yaml', '-c', 'ctx.json'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(0, 3)).toEqual([expect.stringMatching(/^ {4}#1 {2}inc/), expect.stringMatching(/^ {4}#2 /), expect.stringMatching(/^ {4}#3 /)]);
  });

  it('draws a progress bar in place on a terminal', async () => {
    const result = await run(['run', 'linear.yaml', '-c', 'ctx.json'], { cwd, tty: true });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('\r\x1b[2K[------------------------] 0/2  running inc');
    expect(result.stdout).toContain('\r\x1b[2K[############------------] 1/2  running inc');
    expect(result.stdout).toContain('\r\x1b[2K[########################] 2/2  finishing');
    expect(result.stdout).not.toMatch(/1\/2 {2}inc {2}->/);
    const spinner = await run(['run', 'loop.yaml', '-c', 'ctx.json'], { cwd, tty: true });
    expect(spinner.stdout).toContain('\r\x1b[2K');
    expect(spinner.stdout).toMatch(/[|/\\-] 3 steps done, last inc/);
  });

  it('--json prints the outcome with the final state, and no progress', async () => {
    const result = await run(['run', 'linear.yaml', '-c', 'ctx.json', '--json'], { cwd });
    expect(result.code).toBe(0);
    const outcome = JSON.parse(result.stdout) as Record<string, any>;
    expect(outcome).toMatchObject({ ok: true, version: 2, workflow: { name: 'count', file: 'linear.yaml' }, state: { domain: { n: 3 }, global: {} }, processes: ['inc', 'boom', 'spend'] });
    expect(outcome['steps'].map((s: { name: string; version: number }) => [s.name, s.version])).toEqual([
      ['inc', 1],
      ['inc', 2],
    ]);
    expect(outcome['metrics']).toMatchObject({ commits: 2, conflicts: 0 });
    expect(outcome['error']).toBeUndefined();
  });

  it('exits 1 when a step fails, naming the step and keeping what committed', async () => {
    await writeFiles(cwd, { 'fail.yaml': 'steps:\n  - inc\n  - boom\n  - inc\n' });
    const result = await run(['run', 'fail.yaml', '-c', 'ctx.json'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAILED fail\.yaml: 1 step in/);
    expect(result.stdout).toContain('commits   inc 1, boom 0 (1 rolled back)');
    expect(result.stderr).toBe('theus: workflow fail.yaml failed after 1 committed step (last: inc): RangeError: n is 1\n');

    const json = await run(['run', 'fail.yaml', '-c', 'ctx.json', '--json'], { cwd });
    expect(json.code).toBe(1);
    const outcome = JSON.parse(json.stdout) as Record<string, any>;
    expect(outcome).toMatchObject({ ok: false, version: 1, error: { name: 'RangeError', message: 'n is 1' }, state: { domain: { n: 1 } } });
    expect(json.stderr).toContain('RangeError: n is 1');
  });

  it('reports malformed YAML and bad conditions with file:line:column, exit 1', async () => {
    await writeFiles(cwd, {
      'broken.yaml': 'steps:\n  - inc\n   - x: [\n',
      'cond.yaml': 'steps:\n  - flux: if\n    condition: domain.n >\n    then: [inc]\n',
      'unknown.yaml': 'steps:\n  - inc\n  - flux: run\n    steps:\n      - nope\n',
      'keys.yaml': 'steps:\n  - process: inc\n    arsg: {}\n',
    });
    const broken = await run(['run', 'broken.yaml'], { cwd });
    expect(broken).toMatchObject({ code: 1, stdout: '' });
    expect(broken.stderr).toMatch(/^theus: broken\.yaml:2:5: invalid YAML/);
    const cond = await run(['run', 'cond.yaml'], { cwd });
    expect(cond.code).toBe(1);
    expect(cond.stderr).toMatch(/^theus: cond\.yaml:3:\d+: /);
    const unknown = await run(['run', 'unknown.yaml', '--no-context'], { cwd });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("theus: Unknown process 'nope' at unknown.yaml:5:9 (steps[1].steps[0]). Register it with the engine before running the workflow.\n");
    const keys = await run(['run', 'keys.yaml'], { cwd });
    expect(keys.code).toBe(1);
    expect(keys.stderr).toMatch(/^theus: keys\.yaml:3:5: .*arsg/);
  });

  it('fails clearly on missing files and bad context (2 for the command line, 1 for file contents)', async () => {
    const noWorkflow = await run(['run', 'nope.yaml'], { cwd });
    expect(noWorkflow.code).toBe(2);
    expect(noWorkflow.stderr).toMatch(/^theus: workflow file 'nope.yaml' does not exist/);
    const noDir = await run(['run', 'linear.yaml', '--processes', 'lib', '-c', 'ctx.json'], { cwd });
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toMatch(/^theus: processes directory 'lib' does not exist; pass --processes <dir>/);
    const noContext = await run(['run', 'linear.yaml', '--context', 'missing.json'], { cwd });
    expect(noContext.code).toBe(2);
    expect(noContext.stderr).toMatch(/^theus: context file 'missing.json' does not exist/);

    await writeFiles(cwd, { 'bad.json': '{\n  "domain": { "n": 0, }\n}', 'roots.json': '{ "domian": {} }', 'proto.json': '{ "__proto__": { "polluted": true } }', 'list.json': '[]' });
    const badJson = await run(['run', 'linear.yaml', '-c', 'bad.json'], { cwd });
    expect(badJson.code).toBe(1);
    expect(badJson.stderr).toMatch(/^theus: bad\.json:2:23: invalid JSON/);
    const roots = await run(['run', 'linear.yaml', '-c', 'roots.json'], { cwd });
    expect(roots.code).toBe(1);
    expect(roots.stderr).toMatch(/^theus: roots\.json: Unknown context root 'domian'/);
    const proto = await run(['run', 'linear.yaml', '-c', 'proto.json'], { cwd });
    expect(proto.code).toBe(1);
    expect(proto.stderr).toContain("Unknown context root '__proto__'");
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const list = await run(['run', 'linear.yaml', '-c', 'list.json'], { cwd });
    expect(list.code).toBe(1);
    expect(list.stderr).toContain('list.json: the context must be a JSON object');
  });

  it('without --context: uses specs/context.json, or says what is missing (exit 2, nothing run, no audit counted)', async () => {
    await writeFiles(cwd, {
      'specs/audit_recipe.yaml': 'process_recipes:\n  inc:\n    inputs:\n      - field: by\n        min: 0\n',
    });
    const missing = await run(['run', 'linear.yaml'], { cwd });
    expect(missing).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'theus: no initial state: pass --context <file.json> with { "domain": {…}, "global": {…} }, create specs/context.json (used by default), or pass --no-context to start from an empty state.\n',
    });
    const empty = await run(['run', 'linear.yaml', '--no-context', '--json'], { cwd });
    expect(empty.code).toBe(0);
    expect(JSON.parse(empty.stdout)).toMatchObject({ ok: true, state: { domain: { n: null } } });

    await writeFiles(cwd, { 'specs/context.json': '{ "domain": { "n": 10 }, "global": {} }' });
    const byDefault = await run(['run', 'linear.yaml', '--json'], { cwd });
    expect(byDefault.code).toBe(0);
    expect(JSON.parse(byDefault.stdout)).toMatchObject({ ok: true, state: { domain: { n: 13 } }, audit: { totals: { violations: 0 } } });
    // --context still wins over the default.
    const chosen = await run(['run', 'linear.yaml', '-c', 'ctx.json', '--json'], { cwd });
    expect(JSON.parse(chosen.stdout)).toMatchObject({ state: { domain: { n: 3 } } });
  });

  it('uses specs/audit_recipe.yaml when present, --recipe to choose, --no-recipe to skip', async () => {
    await writeFiles(cwd, {
      'specs/audit_recipe.yaml': 'process_recipes:\n  spend:\n    inputs:\n      - field: amount\n        min: 0\n        level: B\n        max_threshold: 0\n',
      'spend.yaml': 'steps:\n  - process: spend\n    args: { amount: 2 }\n  - process: spend\n    args: { amount: -5 }\n',
      'bad-recipe.yaml': 'process_recipes:\n  spend:\n    inputs:\n      - field: amount\n        min: 0\n        level: Q\n',
    });
    const blocked = await run(['run', 'spend.yaml', '-c', 'ctx.json'], { cwd });
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toContain('audit     1 violation, 0 warnings, 1 block, 0 aborts, 0 stops (specs/audit_recipe.yaml)');
    expect(blocked.stderr).toMatch(/^theus: workflow spend\.yaml failed after 1 committed step \(last: spend\): Audit blocked 'spend' input 'amount'/);

    const skipped = await run(['run', 'spend.yaml', '-c', 'ctx.json', '--no-recipe'], { cwd });
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toContain('audit     no recipe');

    const missing = await run(['run', 'spend.yaml', '--recipe', 'none.yaml', '-c', 'ctx.json'], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^theus: audit recipe 'none.yaml' does not exist/);
    const bad = await run(['run', 'spend.yaml', '--recipe', 'bad-recipe.yaml', '-c', 'ctx.json'], { cwd });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^theus: Audit recipe error at bad-recipe\.yaml:6:16 .*level/);
  });

  it('--watch runs again when a process file or the workflow changes, and stops on abort', async () => {
    const controller = new AbortController();
    let seen = 0;
    let step = 0;
    const actions = [
      // First run done: change the process (inc now adds 10).
      () => writeFile(path.join(cwd, 'src/processes/counter.mjs'), PROCESSES.replace('args?.by ?? 1', 'args?.by ?? 10')),
      // Second run done: change the workflow (one step only).
      () => writeFile(path.join(cwd, 'linear.yaml'), 'name: count\nsteps:\n  - inc\n'),
      // Third run done: stop.
      async () => controller.abort(),
    ];
    const result = await run(['run', 'linear.yaml', '-c', 'ctx.json', '--watch', '--json'], {
      cwd,
      signal: controller.signal,
      onStdout: (text) => {
        const runs = text.split('"workflow"').length - 1;
        if (runs > seen && text.includes('(Ctrl-C to stop)')) {
          seen = runs;
          void actions[step++]?.();
        }
      },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const outcomes = result.stdout
      .split(/\n(?=\{)/)
      .map((chunk) => chunk.slice(chunk.indexOf('{'), chunk.lastIndexOf('}') + 1))
      .filter((chunk) => chunk.startsWith('{'))
      .map((chunk) => JSON.parse(chunk) as { state: { domain: { n: number } }; steps: unknown[] });
    expect(outcomes.map((o) => [o.steps.length, o.state.domain.n])).toEqual([
      [2, 3],
      [2, 12],
      [1, 10],
    ]);
    expect(result.stdout).toContain('change detected: src/processes/counter.mjs; running again');
    expect(result.stdout).toContain('change detected: linear.yaml; running again');
  }, 20_000);

  it('--watch keeps watching after a failed run', async () => {
    const controller = new AbortController();
    await writeFiles(cwd, { 'fail.yaml': 'steps:\n  - boom\n' });
    let fixed = false;
    const result = await run(['run', 'fail.yaml', '--watch', '--no-context'], {
      cwd,
      signal: controller.signal,
      onStdout: (text) => {
        if (!fixed && text.includes('(Ctrl-C to stop)')) {
          fixed = true;
          void writeFile(path.join(cwd, 'fail.yaml'), 'steps:\n  - inc\n');
        } else if (fixed && text.includes('Finished fail.yaml')) controller.abort();
      },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('theus: workflow fail.yaml failed at its first step: RangeError: n is undefined');
    expect(result.stdout).toContain('Finished fail.yaml: 1 step in');
  }, 20_000);
});
