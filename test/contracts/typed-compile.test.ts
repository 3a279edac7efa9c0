/**
 * The typed contract form proven with the compiler itself, inside the test run: each snippet is
 * compiled against the real sources and must produce exactly the expected diagnostics (none for
 * valid code; an error naming the bad path for invalid code).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');

const header = `
import { defineProcess } from '../../src/contracts/process.js';
import { StateUpdate } from '../../src/contracts/state-update.js';
interface Ctx {
  domain: { accounts: Record<string, number>; user: { name: string; age: number }; items: { id: number }[]; const_rate: number; log_ops: string[] };
  global: { limit: number };
  signal: { paid: { id: string } };
}
const p = defineProcess.for<Ctx>();
`;

const snippets: Record<string, string> = {
  valid: `
export const a = p({ inputs: ['domain.accounts', 'domain.user.name', 'domain.items.*.id', 'domain.*'], outputs: ['domain.user', 'global.limit'] }, (ctx) => {
  const n: number = ctx.domain.user.age;
  const s: string = ctx.domain.user.name;
  return { limit: n + s.length + ctx.global.limit };
});`,
  badInput: `export const b = p({ inputs: ['domain.acounts'] }, () => 1);`,
  badOutput: `export const c = p({ outputs: ['domain.user.nmae'] }, () => 1);`,
  badCtx: `export const d = p({ inputs: ['domain.user'] }, (ctx) => { const s: string = ctx.domain.user.age; return s; });`,
  undeclaredRead: `export const e = p({ inputs: ['domain.user.name'] }, (ctx) => { void ctx.domain.user.age; });`,
  undeclaredRoot: `export const f = p({ inputs: ['domain.user.name'] }, (ctx) => { void ctx.global.limit; });`,
  inputWrite: `export const g = p({ inputs: ['domain.user'] }, (ctx) => { ctx.domain.user.age = 3; });`,
  inputPush: `export const h = p({ inputs: ['domain.items'] }, (ctx) => { ctx.domain.items.push({ id: 1 }); });`,
  pureWrite: `export const i = p({ semantic: 'pure', outputs: ['domain.user.name'] }, (ctx) => { ctx.domain.user.name = 'x'; });`,
  constWrite: `export const j = p({ outputs: ['domain'] }, (ctx) => { ctx.domain.const_rate = 2; });`,
  logPop: `export const k = p({ outputs: ['domain'] }, (ctx) => { ctx.domain.log_ops.pop(); });`,
  okFalse: `export const l = p({ inputs: ['domain.accounts'], outputs: ['domain.accounts'] }, (ctx, args: { from: string }) => {
  if (ctx.domain.accounts[args.from] === undefined) return { ok: false };
  return undefined;
});`,
  updatePath: `export const m = p({ outputs: ['domain.user.name'] }, () => StateUpdate({ data: { 'domain.user.age': 3 } }));`,
  updateValue: `export const m2 = p({ outputs: ['domain.user.name'] }, () => StateUpdate({ data: { 'domain.user.name': 3 } }));`,
  signalTopic: `export const n = p({ outputs: ['signal.paid'] }, (ctx) => { ctx.signal.closed = true; });`,
};

type Diagnostics = Record<string, string[]>;

const typeTests = join(repo, 'test', 'types', 'contract-types.test.ts');

/** TypeScript 5, through its API: the snippets are virtual files beside this test. */
function compileWithApi(): Diagnostics {
  const config = ts.getParsedCommandLineOfConfigFile(join(repo, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const files = new Map(Object.entries(snippets).map(([name, body]) => [join(here, `__typed_${name}.ts`), header + body]));
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, lang, ...rest) => {
    const text = files.get(file);
    return text === undefined ? getSourceFile(file, lang, ...rest) : ts.createSourceFile(file, text, lang);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => files.has(file) || fileExists(file);
  const program = ts.createProgram({ rootNames: [...files.keys(), typeTests], options: { ...config.options, noEmit: true }, host });
  const found: Diagnostics = {};
  for (const [name] of Object.entries(snippets)) {
    const sf = program.getSourceFile(join(here, `__typed_${name}.ts`))!;
    found[name] = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }
  const sf = program.getSourceFile(typeTests)!;
  found.typeTests = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map(
    (d) => `${sf.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
  );
  return found;
}

/**
 * TypeScript 7 (the native compiler) has no API in the shape of TypeScript 5's, so it runs as a
 * user runs it: `tsc` on real files in a scratch project that extends this repo's configuration.
 * Its report is read back per file; a continuation line (indented) belongs to the error above it.
 */
function compileWithCli(): Diagnostics {
  const dir = mkdtempSync(join(tmpdir(), 'theus-typed-'));
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const files = Object.entries(snippets).map(([name, body]) => {
      const file = join(dir, `__typed_${name}.ts`);
      writeFileSync(file, (header + body).replaceAll("'../../src/", `'${repo}/src/`));
      return [name, file] as const;
    });
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: join(repo, 'tsconfig.json'), compilerOptions: { noEmit: true, rootDir: '/', typeRoots: [join(repo, 'node_modules', '@types')] }, include: [], files: [...files.map(([, f]) => f), typeTests] }),
    );
    const run = spawnSync(process.execPath, [join(repo, 'node_modules', 'typescript-7', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], { encoding: 'utf8' });
    if (run.error) throw run.error;
    if (run.status === null || run.stderr.trim() !== '') throw new Error(`tsc 7 did not run to the end (status ${String(run.status)}): ${run.stderr}`);
    const byFile = new Map<string, string[]>();
    let last: string[] | undefined;
    for (const line of run.stdout.split('\n')) {
      const head = /^(.+?)\((\d+),\d+\): error TS\d+: (.*)$/.exec(line);
      if (head) {
        const file = resolve(dir, head[1]!);
        const list = byFile.get(file) ?? [];
        byFile.set(file, list);
        list.push(file === typeTests ? `${head[2]}: ${head[3]}` : head[3]!);
        last = list;
      } else if (line.startsWith(' ') && last) last[last.length - 1] += `\n${line.trim()}`;
      else if (line.trim() !== '') throw new Error(`tsc 7: unexpected output line: ${line}`);
    }
    const found: Diagnostics = Object.fromEntries(files.map(([name, file]) => [name, byFile.get(file) ?? []]));
    found.typeTests = byFile.get(typeTests) ?? [];
    const elsewhere = [...byFile.keys()].filter((f) => f !== typeTests && !files.some(([, file]) => file === f));
    if (elsewhere.length > 0) throw new Error(`tsc 7 reported errors outside the snippets: ${elsewhere.join(', ')}`);
    return found;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.each([
  ['TypeScript 5', compileWithApi],
  ['TypeScript 7', compileWithCli],
] as const)('typed contracts, compiled with %s', (_compiler, compile) => {
  let diagnostics: Diagnostics;
  beforeAll(() => {
    diagnostics = compile();
  }, 120_000);

  it('valid paths (nested, wildcard) and typed ctx use compile without errors', () => {
    expect(diagnostics.valid).toEqual([]);
  });

  it('a misspelt input path is an error naming it', () => {
    expect(diagnostics.badInput).toHaveLength(1);
    expect(diagnostics.badInput![0]).toContain('Unknown context path: domain.acounts');
  });

  it('a misspelt output path is an error naming it', () => {
    expect(diagnostics.badOutput).toHaveLength(1);
    expect(diagnostics.badOutput![0]).toContain('Unknown context path: domain.user.nmae');
  });

  it('ctx is typed from the context type', () => {
    expect(diagnostics.badCtx).toHaveLength(1);
    expect(diagnostics.badCtx![0]).toMatch(/Type 'number' is not assignable to type 'string'/);
  });

  // Each rule's message names what is wrong, so the user sees the path, not only a type mismatch.
  const only = (name: string): string => {
    expect(diagnostics[name], name).toHaveLength(1);
    return diagnostics[name]![0]!;
  };

  it('reading outside inputs ∪ outputs: the message names the key and the declared path above it', () => {
    expect(only('undeclaredRead')).toMatch(/Property 'age' does not exist on type .*domain\.user/);
    expect(only('undeclaredRoot')).toMatch(/Property 'global' does not exist/);
  });

  it('writing an input, mutating it, or writing in a pure process: the message names the key', () => {
    expect(only('inputWrite')).toMatch(/Cannot assign to 'age' because it is a read-only property/);
    expect(only('inputPush')).toMatch(/Property 'push' does not exist on type 'readonly/);
    expect(only('pureWrite')).toMatch(/Cannot assign to 'name' because it is a read-only property/);
  });

  it('zones: const_ read-only, log_ append-only, even inside an output', () => {
    expect(only('constWrite')).toMatch(/Cannot assign to 'const_rate' because it is a read-only property/);
    expect(only('logPop')).toMatch(/Property 'pop' does not exist on type 'AppendOnly<string>'/);
  });

  it('a one-output transfer returning { ok: false } does not compile', () => {
    expect(only('okFalse')).toMatch(/Type '\{ ok: boolean; \}' is not assignable to type 'Record<string, number>'/);
  });

  it('a StateUpdate or a signal outside the outputs: the message names the path', () => {
    expect(only('updatePath')).toContain('StateUpdate writes a path that is not an output: domain.user.age');
    expect(only('updateValue')).toContain('StateUpdate value of the wrong type for: domain.user.name');
    expect(only('signalTopic')).toMatch(/Property 'closed' does not exist/);
  });

  it('the type-test file compiles: every valid form passes and every @ts-expect-error is a real error', () => {
    expect(diagnostics.typeTests).toEqual([]);
  });
});
