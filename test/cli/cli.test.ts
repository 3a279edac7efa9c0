import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const FIXTURES = fileURLToPath(new URL('../lint/fixtures/', import.meta.url));
const PACKAGE_JSON = fileURLToPath(new URL('../../package.json', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    cwd: options.cwd ?? FIXTURES,
    env: options.env ?? {},
  });
  return { code, stdout, stderr };
}

let project: string;

beforeAll(async () => {
  project = await mkdtemp(path.join(os.tmpdir(), 'theus-cli-'));
  await mkdir(path.join(project, 'src'), { recursive: true });
  await writeFile(path.join(project, 'src/warn.ts'), "import { process } from 'theus';\nexport const hello = process({ inputs: [], outputs: [] }, () => { console.log('hi'); });\n");
  await writeFile(path.join(project, 'notes.txt'), 'not code');
});

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

describe('theus (program)', () => {
  it('--version prints the version from package.json and exits 0', async () => {
    const { version } = JSON.parse(await readFile(PACKAGE_JSON, 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const result = await run([flag]);
      expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('--help lists the commands and exits 0', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: theus [options] [command]');
    expect(result.stdout).toContain('check [options] [path]');
    expect(result.stderr).toBe('');
  });

  it('exits 2 with a theus: message on an unknown command or option, and with no command at all', async () => {
    const unknown = await run(['chek']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("theus: unknown command 'chek'");
    expect(unknown.stderr).toContain('Did you mean check?');
    const option = await run(['--frobnicate']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("theus: unknown option '--frobnicate'");
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: theus');
  });

  it('refuses an argv that is not an array of strings', async () => {
    const result = await run([1 as never]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^theus: /);
  });
});

describe('theus check', () => {
  it('--help documents the options, the rules and the exit codes', async () => {
    for (const argv of [['check', '--help'], ['help', 'check']]) {
      const result = await run(argv);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: theus check [options] [path]');
      expect(result.stdout).toContain('--format <format>');
      expect(result.stdout).toContain('POP-T01  error    no-input-mutation');
      expect(result.stdout).toContain('Exit codes:');
    }
  });

  it('prints nothing but a summary and exits 0 on a clean file', async () => {
    const result = await run(['check', 'clean.ts']);
    expect(result).toEqual({ code: 0, stdout: 'No problems found (1 file checked).\n', stderr: '' });
  });

  it('prints file:line:col  severity  ruleId  message, a hint line and a summary, and exits 1 on errors', async () => {
    const result = await run(['check', 't02-undeclared-write.ts']);
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe("t02-undeclared-write.ts:9:3  error    POP-T02  Process 'writer' writes 'domain.c' (assignment), which no output covers.");
    expect(lines[1]).toBe("    hint: Add 'domain.c' (or a parent of it) to outputs.");
    expect(lines.at(-1)).toBe('6 problems (6 errors, 0 warnings) in 1 file checked.');
    expect(result.stderr).toBe('');
  });

  it('exits 0 when there are only warnings', async () => {
    const result = await run(['check'], { cwd: project });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('src/warn.ts:2:67  warning  POP-E01');
    expect(result.stdout).toContain('1 problem (0 errors, 1 warning) in 1 file checked.');
  });

  it('--format json prints parseable { findings, errorCount, warningCount }', async () => {
    const result = await run(['check', '.', '--format', 'json']);
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.stdout) as { findings: Record<string, unknown>[]; errorCount: number; warningCount: number };
    expect(Object.keys(parsed).sort()).toEqual(['errorCount', 'findings', 'warningCount']);
    expect(parsed.errorCount + parsed.warningCount).toBe(parsed.findings.length);
    expect(parsed.errorCount).toBeGreaterThan(0);
    expect(parsed.findings[0]).toEqual({
      file: 'aliased-import.ts',
      line: 14,
      column: 3,
      ruleId: 'POP-E05',
      severity: 'error',
      message: "Pure process 'viaAlias' mutates 'domain.x' (assignment).",
      hint: 'Pure processes get read-only views: compute a new value and return it (it is written to the declared output).',
    });
    // Cross-file duplicate names are part of a directory check.
    expect(parsed.findings.some((f) => f['ruleId'] === 'POP-T07' && f['file'] === 't07-duplicate-b.ts')).toBe(true);
  });

  it('accepts --namespace (repeatable) as extra context roots', async () => {
    const without = await run(['check', 't06-malformed-contract.ts', '-f', 'json']);
    const withNs = await run(['check', 't06-malformed-contract.ts', '-f', 'json', '--namespace', 'orders', '--namespace', 'billing']);
    const count = (r: Run) => (JSON.parse(r.stdout) as { findings: unknown[] }).findings.length;
    expect(count(without) - count(withNs)).toBe(1);
  });

  it('exits 2 with an actionable message for a missing path, an unsupported file or a bad option value', async () => {
    const missing = await run(['check', 'no/such/dir']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe(`theus: path 'no/such/dir' does not exist (looked for ${path.join(FIXTURES, 'no/such/dir')}). Pass a file or directory to lint, e.g. 'theus check src'.\n`);

    const unsupported = await run(['check', 'notes.txt'], { cwd: project });
    expect(unsupported.code).toBe(2);
    expect(unsupported.stderr).toMatch(/^theus: 'notes.txt' is not a source file theus can lint/);

    const format = await run(['check', '--format', 'xml']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("theus: option '-f, --format <format>' argument 'xml' is invalid. Allowed choices are text, json.");

    const namespace = await run(['check', '--namespace', '__proto__']);
    expect(namespace.code).toBe(2);
    expect(namespace.stderr).toMatch(/^theus: --namespace contains "__proto__"/);

    const extra = await run(['check', 'a', 'b']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain("theus: too many arguments for 'check'");
  });

  it('prints no stack trace unless --debug or THEUS_DEBUG=1', async () => {
    const plain = await run(['check', 'missing.ts']);
    expect(plain.stderr).not.toContain('    at ');
    const debug = await run(['--debug', 'check', 'missing.ts']);
    expect(debug.code).toBe(2);
    expect(debug.stderr).toContain('CliUsageError');
    expect(debug.stderr).toContain('    at ');
    const env = await run(['check', 'missing.ts'], { env: { THEUS_DEBUG: '1' } });
    expect(env.stderr).toContain('    at ');
  });
});

describe('bin.ts', () => {
  it('is a node script that only hands argv to main and sets the exit code', async () => {
    const source = await readFile(fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url)), 'utf8');
    expect(source.split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(source).toContain('process.exitCode = await main(process.argv.slice(2));');
  });
});
