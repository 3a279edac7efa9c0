import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TheusError } from '../../src/errors.js';
import { discoverProcesses, lintSource, RULES, type Finding } from '../../src/lint/index.js';

const ids = (findings: Finding[]) => findings.map((f) => `${f.ruleId}@${f.line}:${f.column}`);

const HEADER = "import { process } from 'theus';\n";

/** The 1-based column of `needle` on a 1-based line, so expectations follow the code they describe. */
function col(code: string, line: number, needle: string): number {
  const index = (code.split('\n')[line - 1] ?? '').indexOf(needle);
  if (index < 0) throw new Error(`fixture text: '${needle}' not on line ${line}`);
  return index + 1;
}

describe('lintSource', () => {
  it('returns complete findings: file, 1-based position, rule, severity from the rule table, message, hint', () => {
    const code = `${HEADER}export const p = process({ inputs: [], outputs: [] }, (ctx) => ctx.domain.x);\n`;
    const [finding] = lintSource(code, 'src/p.ts');
    expect(finding).toEqual({
      file: 'src/p.ts',
      line: 2,
      column: col(code, 2, 'ctx.domain.x'),
      ruleId: 'POP-C01',
      severity: 'error',
      message: "Process 'p' reads 'domain.x', which is not declared in inputs or outputs.",
      hint: "Add 'domain.x' to inputs.",
    });
  });

  it('ignores files without a theus import, and calls of a process that is not theus', () => {
    expect(lintSource('export const p = process({ inputs: [] }, (ctx) => { ctx.domain.x = 1; });', 'a.ts')).toEqual([]);
    expect(lintSource("import { process } from './mine.js';\nprocess({}, (ctx) => { ctx.domain.x = 1; });", 'a.ts')).toEqual([]);
  });

  it('accepts namespace roots only when they are configured', () => {
    const code = `${HEADER}export const p = process({ inputs: ['orders.open'], outputs: ['orders.closed'] }, (ctx) => { ctx.orders.closed = ctx.orders.open; ctx.orders.other = 1; });`;
    expect(lintSource(code, 'a.ts').map((f) => f.ruleId)).toEqual(['POP-T06', 'POP-T06']);
    expect(ids(lintSource(code, 'a.ts', { namespaces: ['orders'] }))).toEqual([`POP-T02@2:${col(code, 2, 'ctx.orders.other')}`]);
  });

  it('understands ctx.ns(name) as a namespace root and ctx.signal.publish(topic) as a signal write', () => {
    const code = `${HEADER}export const p = process({ inputs: ['orders.open'], outputs: ['signal.closed'], semantic: 'pure' }, (ctx) => {\n  const open = ctx.ns('orders').open;\n  ctx.ns('orders').archived.push(open);\n  ctx.signal.publish('closed', open);\n  return ctx.ns('orders').other;\n});`;
    expect(ids(lintSource(code, 'a.ts', { namespaces: ['orders'] }))).toEqual([
      `POP-T08@2:${col(code, 2, "'signal.closed'")}`,
      'POP-E05@4:3',
      'POP-E05@5:3',
      `POP-C01@6:${col(code, 6, 'ctx.ns')}`,
    ]);
  });

  it('treats a computed contract conservatively: only what the literal parts prove is reported', () => {
    // inputs is computed, so reads cannot be judged; outputs is a literal [], so the write is certainly undeclared.
    const code = `${HEADER}const INPUTS = makeInputs();\nexport const p = process({ inputs: INPUTS, outputs: [] }, (ctx) => { ctx.domain.x = ctx.domain.y; });\nexport const q = process({ ...base }, (ctx) => { ctx.domain.z = ctx.domain.w; });\nexport const r = process(makeContract(), (ctx) => { ctx.domain.v = 1; });`;
    expect(ids(lintSource(code, 'a.ts'))).toEqual([`POP-T02@3:${col(code, 3, 'ctx.domain.x')}`]);
  });

  it('resolves const-bound contract lists and SemanticType members', () => {
    const code = `${HEADER}import { SemanticType } from 'theus';\nconst INPUTS = ['domain.a'] as const;\nexport const p = process({ inputs: INPUTS, outputs: ['domain.b'], semantic: SemanticType.PURE }, (ctx) => { ctx.domain.a = 1; return 2; });`;
    expect(lintSource(code, 'a.ts').map((f) => f.ruleId)).toEqual(['POP-E05']);
  });

  it('parses .tsx, strips a byte-order mark and keeps columns in the original text', () => {
    const code = `\uFEFF${HEADER}export const view = process({ inputs: [], outputs: [] }, (ctx) => <div>{ctx.domain.title}</div>);\n`;
    expect(ids(lintSource(code, 'view.tsx'))).toEqual([`POP-C01@2:${col(code.slice(1), 2, 'ctx.domain.title')}`]);
  });

  it('reports the first syntax error only (X01) and still analyses what parsed', () => {
    const findings = lintSource(`${HEADER}export const p = process({ inputs: [], outputs: [] }, (ctx) => { ctx.domain.a = 1; )`, 'a.ts');
    expect(findings.map((f) => f.ruleId).sort()).toEqual(['POP-T02', 'POP-X01']);
  });

  it('finds duplicate names within one file', () => {
    const code = `${HEADER}export const a = process({ name: 'x', inputs: [], outputs: [] }, () => 1);\nexport const b = process({ name: 'x', inputs: [], outputs: [] }, () => 1);`;
    expect(ids(lintSource(code, 'a.ts'))).toEqual([`POP-T07@3:${col(code, 3, "'x'")}`]);
  });

  it('does not mistake Object.prototype member names for mutators or I/O', () => {
    const code = `${HEADER}export const p = process({ inputs: ['domain.a'], outputs: [] }, (ctx) => { const constructor = 1; ctx.domain.a.toString(); ctx.domain.a.hasOwnProperty('x'); Object.toString(); return constructor; });`;
    expect(lintSource(code, 'a.ts')).toEqual([]);
  });

  it('rejects bad arguments with INVALID_ARGUMENT errors', () => {
    const bad: [unknown, unknown, unknown][] = [
      [42, 'a.ts', undefined],
      [null, 'a.ts', undefined],
      ['', '', undefined],
      ['', 7, undefined],
      ['', 'a.ts', 'options'],
      ['', 'a.ts', { namespaces: 'orders' }],
      ['', 'a.ts', { namespaces: ['__proto__'] }],
      ['', 'a.ts', { namespaces: ['has space'] }],
    ];
    for (const [code, file, options] of bad) {
      const call = () => lintSource(code as string, file as string, options as never);
      expect(call).toThrow(TheusError);
      try {
        call();
      } catch (error) {
        expect((error as TheusError).code).toBe('INVALID_ARGUMENT');
      }
    }
  });

  it('never throws on arbitrary text, and every finding it returns is well-formed', () => {
    const known = new Set(RULES.map((rule) => rule.id));
    const fragments = fc.constantFrom(
      HEADER,
      "process({ inputs: ['domain.a'], outputs: [] }, (ctx) => {",
      '});',
      'ctx.domain.a = 1;',
      'const { domain } = ctx;',
      'setTimeout(() => ctx, 1);',
      'delete ctx.domain[x];',
      '__proto__',
      'constructor',
      '`${',
      '((((',
      '}}}',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(fragments, fc.string()), { maxLength: 12 }), (parts) => {
        const findings = lintSource(parts.join('\n'), 'fuzz.ts');
        for (const f of findings) {
          expect(known.has(f.ruleId as never)).toBe(true);
          expect(f.line).toBeGreaterThanOrEqual(1);
          expect(f.column).toBeGreaterThanOrEqual(1);
          expect(f.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('RULES', () => {
  it('has unique ids and ESLint names, a severity, a description and a hint for every rule', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    expect(new Set(RULES.map((r) => r.name)).size).toBe(RULES.length);
    for (const rule of RULES) {
      expect(rule.id).toMatch(/^POP-[ECTXA]\d\d$/);
      expect(rule.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(['error', 'warning']).toContain(rule.severity);
      expect(rule.description.length).toBeGreaterThan(20);
      expect(rule.hint.length).toBeGreaterThan(10);
    }
  });

  it('keeps the original numbering E01–E08 and C01', () => {
    for (const id of ['POP-E01', 'POP-E02', 'POP-E03', 'POP-E04', 'POP-E05', 'POP-E06', 'POP-E07', 'POP-E08', 'POP-C01']) {
      expect(RULES.some((rule) => rule.id === id)).toBe(true);
    }
  });
});

describe('discoverProcesses', () => {
  it('lists each process with its name, position and literal contract', () => {
    const code = `${HEADER}export const transfer = process({ inputs: ['domain.a'], outputs: ['domain.b'], semantic: 'pure', errors: ['RangeError'] }, (ctx) => 1);\nexport const named = process({ name: 'other', sideEffects: ['email'] }, function fn() {});`;
    expect(discoverProcesses(code, 'p.ts')).toEqual([
      { name: 'transfer', file: 'p.ts', line: 2, column: col(code, 2, 'transfer'), semantic: 'pure', inputs: ['domain.a'], outputs: ['domain.b'], sideEffects: [], errors: ['RangeError'] },
      { name: 'other', file: 'p.ts', line: 3, column: col(code, 3, "'other'"), semantic: 'effect', inputs: [], outputs: [], sideEffects: ['email'], errors: [] },
    ]);
  });

  it('rejects non-string input', () => {
    expect(() => discoverProcesses(undefined as never, 'a.ts')).toThrow(TheusError);
  });
});

describe('absurd input', () => {
  it('turns code nested too deeply for the parser into an X01 finding instead of a crash', () => {
    const depth = 20_000;
    const code = `${HEADER}export const p = process({ inputs: [], outputs: [] }, (ctx) => ${'('.repeat(depth)}ctx.domain.x${')'.repeat(depth)});`;
    expect(lintSource(code, 'deep.ts').map((f) => [f.ruleId, f.line, f.column])).toEqual([['POP-X01', 1, 1]]);
  });

  it('handles a large flat file', () => {
    const body = Array.from({ length: 2000 }, (_, i) => `  ctx.domain.items.push(${i});`).join('\n');
    const code = `${HEADER}export const p = process({ inputs: [], outputs: ['domain.items'] }, (ctx) => {\n${body}\n});`;
    expect(lintSource(code, 'big.ts')).toEqual([]);
  });
});

describe('ctx.asAdmin((admin) => …): only the admin view is elevated', () => {
  const lint = (body: string) =>
    lintSource(
      `import { process } from 'theus';\nexport const p = process({ inputs: [], outputs: ['domain.internal_secret', 'domain.log_events', 'orders.internal_x'] }, async (ctx) => {\n${body}\n});\n`,
      'p.ts',
      { namespaces: ['orders'] },
    ).filter((f) => f.ruleId === 'POP-E07');

  it('writes through the admin view pass; writes through the outer ctx inside the callback are reported', () => {
    expect(lint("  await ctx.asAdmin(async (admin) => { admin.domain.internal_secret = 'x'; admin.domain.log_events.length = 0; });")).toEqual([]);
    const outer = lint("  await ctx.asAdmin(async (admin) => { ctx.domain.internal_secret = 'x'; ctx.domain.log_events.length = 0; });");
    expect(outer.map((f) => f.line)).toEqual([3, 3]);
    // The view keeps its rights through aliases, destructuring and namespaces; a callback without parameter elevates nothing.
    expect(lint("  await ctx.asAdmin((admin) => { const d = admin.domain; d.internal_secret = 'x'; const { domain } = admin; domain.log_events.length = 0; admin.ns('orders').internal_x = 1; });")).toEqual([]);
    expect(lint("  await ctx.asAdmin(async () => { ctx.domain.internal_secret = 'x'; });")).toHaveLength(1);
    // const_ stays read-only even for the admin view.
    expect(lintSource("import { process } from 'theus';\nexport const p = process({ inputs: [], outputs: ['domain.const_rate'] }, (ctx) => ctx.asAdmin((admin) => { admin.domain.const_rate = 1; }));\n", 'p.ts').some((f) => f.ruleId === 'POP-E07' || f.ruleId === 'POP-T06')).toBe(true);
  });
});

describe('process names the engine refuses', () => {
  it.each(['__proto__', 'constructor', 'prototype', 'has space', 'x'.repeat(201)])('%s is a malformed contract (T06)', (name) => {
    const findings = lintSource(`import { process } from 'theus';\nexport const p = process({ name: ${JSON.stringify(name)}, inputs: [], outputs: [] }, () => 1);\n`, 'p.ts');
    expect(findings.filter((f) => f.ruleId === 'POP-T06').map((f) => f.message)).toEqual([expect.stringContaining('register() refuses it')]);
  });
});
