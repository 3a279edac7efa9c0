/**
 * The typed contract form proven with the compiler itself, inside the test run: each snippet is
 * compiled against the real sources and must produce exactly the expected diagnostics (none for
 * valid code; an error naming the bad path for invalid code).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');

const header = `
import { process } from '../../src/contracts/process.js';
interface Ctx {
  domain: { accounts: Record<string, number>; user: { name: string; age: number }; items: { id: number }[] };
  global: { limit: number };
}
const p = process.for<Ctx>();
`;

const snippets: Record<string, string> = {
  valid: `
export const a = p({ inputs: ['domain.accounts', 'domain.user.name', 'domain.items.*.id', 'domain.*'], outputs: ['domain.user', 'global.limit'] }, (ctx) => {
  const n: number = ctx.domain.user.age;
  const s: string = ctx.domain.user.name;
  return n + s.length + ctx.global.limit;
});`,
  badInput: `export const b = p({ inputs: ['domain.acounts'] }, () => 1);`,
  badOutput: `export const c = p({ outputs: ['domain.user.nmae'] }, () => 1);`,
  badCtx: `export const d = p({ inputs: ['domain.user'] }, (ctx) => { const s: string = ctx.domain.user.age; return s; });`,
};

let diagnostics: Record<string, string[]>;

beforeAll(() => {
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
  const program = ts.createProgram({ rootNames: [...files.keys()], options: { ...config.options, noEmit: true }, host });
  diagnostics = {};
  for (const [name] of Object.entries(snippets)) {
    const sf = program.getSourceFile(join(here, `__typed_${name}.ts`))!;
    diagnostics[name] = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }
}, 120_000);

describe('typed contracts, compiled', () => {
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
});
