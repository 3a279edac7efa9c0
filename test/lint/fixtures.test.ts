import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lintSource } from '../../src/lint/index.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

type Expected = [ruleId: string, line: number, column: number];

/** The exact findings of every fixture: rule, line, column. A change in any of them must be deliberate. */
const EXPECTED: Record<string, Expected[]> = {
  'clean.ts': [],
  'e01-console.ts': [['POP-E01', 5, 3]],
  'e02-file-io.ts': [
    ['POP-E02', 8, 3],
    ['POP-E02', 9, 9],
    ['POP-E02', 10, 3],
    ['POP-E02', 11, 20],
  ],
  'e03-network.ts': [
    ['POP-E03', 6, 9],
    ['POP-E03', 7, 3],
    ['POP-E03', 8, 22],
  ],
  'e04-outer-state.ts': [
    ['POP-E04', 9, 3],
    ['POP-E04', 10, 3],
    ['POP-E04', 11, 3],
    ['POP-E04', 12, 3],
    ['POP-E04', 13, 3],
  ],
  'e05-pure-mutation.ts': [
    ['POP-E05', 5, 3],
    ['POP-E05', 6, 3],
    ['POP-E05', 7, 10],
    ['POP-E05', 8, 3],
    ['POP-E05', 9, 17],
  ],
  'e06-pure-return.ts': [
    ['POP-E06', 4, 99],
    ['POP-E06', 19, 102],
  ],
  'e07-zone-physics.ts': [
    ['POP-E07', 9, 3],
    ['POP-E07', 10, 3],
    ['POP-E07', 11, 3],
    ['POP-E07', 12, 3],
    ['POP-E07', 14, 3],
    ['POP-E07', 15, 10],
    ['POP-E07', 16, 3],
    ['POP-E07', 17, 25],
    ['POP-E07', 19, 10],
    ['POP-E07', 24, 5],
  ],
  'e08-restricted-alias.ts': [
    ['POP-E08', 5, 9],
    ['POP-E08', 6, 21],
  ],
  'c01-undeclared-read.ts': [
    ['POP-C01', 9, 15],
    ['POP-C01', 11, 17],
    ['POP-C01', 15, 18],
  ],
  't01-input-mutation.ts': [
    ['POP-T01', 8, 3],
    ['POP-T01', 9, 3],
    ['POP-T01', 10, 3],
    ['POP-T01', 11, 3],
    ['POP-T01', 12, 3],
    ['POP-T01', 13, 3],
    ['POP-T01', 14, 10],
    ['POP-T01', 15, 3],
    ['POP-T01', 16, 3],
    ['POP-T01', 17, 3],
    ['POP-T01', 18, 17],
  ],
  't02-undeclared-write.ts': [
    ['POP-T02', 9, 3],
    ['POP-T02', 11, 3],
    ['POP-T02', 12, 3],
    ['POP-T02', 14, 3],
    ['POP-T02', 15, 3],
    ['POP-T02', 16, 3],
  ],
  't03-pure-io.ts': [
    ['POP-T03', 8, 16],
    ['POP-T03', 9, 3],
    ['POP-T03', 10, 3],
    ['POP-T03', 11, 9],
    ['POP-T03', 12, 3],
    ['POP-T03', 13, 15],
    ['POP-T03', 14, 21],
  ],
  't04-nondeterminism.ts': [
    ['POP-T04', 7, 9],
    ['POP-T04', 8, 11],
    ['POP-T04', 10, 11],
    ['POP-T04', 11, 9],
    ['POP-T04', 12, 12],
    ['POP-T04', 13, 11],
  ],
  't05-escaping-ctx.ts': [
    ['POP-T05', 13, 5],
    ['POP-T05', 15, 21],
    ['POP-T05', 16, 26],
    ['POP-T05', 17, 24],
    ['POP-T05', 18, 3],
    ['POP-T05', 19, 17],
    ['POP-T05', 20, 3],
    ['POP-T05', 24, 10],
    ['POP-T05', 27, 73],
    ['POP-T05', 30, 10],
  ],
  't06-malformed-contract.ts': [
    ['POP-T06', 5, 12],
    ['POP-T06', 5, 31],
    ['POP-T06', 5, 53],
    ['POP-T06', 5, 66],
    ['POP-T06', 5, 81],
    ['POP-T06', 5, 85],
    ['POP-T06', 5, 99],
    ['POP-T06', 5, 103],
    ['POP-T06', 6, 12],
    ['POP-T06', 7, 13],
    ['POP-T06', 8, 9],
    ['POP-T06', 11, 48],
    ['POP-T06', 11, 55],
    ['POP-T06', 11, 101],
    ['POP-T06', 13, 76],
  ],
  't07-duplicate-a.ts': [['POP-T07', 6, 38]],
  't07-duplicate-b.ts': [],
  't08-pure-firewall.ts': [
    ['POP-T08', 5, 12],
    ['POP-T08', 5, 27],
    ['POP-T08', 5, 43],
    ['POP-T08', 5, 63],
    ['POP-T08', 6, 13],
    ['POP-T08', 6, 28],
    ['POP-T08', 6, 44],
    ['POP-T08', 8, 16],
  ],
  't09-unknown-key.ts': [
    ['POP-T09', 5, 3],
    ['POP-T09', 7, 3],
    ['POP-T09', 8, 3],
  ],
  'x01-syntax-error.js': [
    ['POP-C01', 4, 13],
    ['POP-X01', 7, 1],
  ],
  'aliases.ts': [
    ['POP-T02', 9, 3],
    ['POP-T01', 11, 3],
    ['POP-T01', 13, 3],
    ['POP-T01', 14, 3],
    ['POP-T01', 18, 3],
    ['POP-T01', 19, 36],
    ['POP-T01', 20, 34],
    ['POP-T01', 27, 3],
  ],
  'typed-form.ts': [
    ['POP-T01', 11, 3],
    ['POP-E06', 14, 124],
    ['POP-E05', 15, 3],
  ],
  'aliased-import.ts': [
    ['POP-E05', 14, 3],
    ['POP-C01', 17, 81],
    ['POP-T01', 21, 3],
  ],
  'javascript.mjs': [
    ['POP-E02', 5, 18],
    ['POP-T02', 6, 3],
  ],
};

function lintFixture(name: string) {
  return lintSource(readFileSync(`${FIXTURES}${name}`, 'utf8'), name);
}

describe('POP linter fixtures', () => {
  it('has an expectation for every fixture file, and a fixture for every expectation', () => {
    expect(readdirSync(FIXTURES).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name} → exactly ${expected.length} finding(s)`, () => {
      const actual = lintFixture(name).map((f): Expected => [f.ruleId, f.line, f.column]);
      expect(actual).toEqual(expected);
    });
  }

  it('covers every rule with at least one fixture finding', async () => {
    const { RULES } = await import('../../src/lint/index.js');
    const seen = new Set(Object.values(EXPECTED).flatMap((rows) => rows.map(([id]) => id)));
    // A01 compares a project with its audit recipe: covered by the CLI tests of theus check.
    expect(RULES.map((rule) => rule.id).filter((id) => !seen.has(id) && id !== 'POP-A01')).toEqual([]);
  });
});

describe('messages name the process and the path', () => {
  const messages = (name: string, ruleId: string) => lintFixture(name).filter((f) => f.ruleId === ruleId).map((f) => f.message);

  it('input mutation (T01) says which path and how', () => {
    expect(messages('t01-input-mutation.ts', 'POP-T01')[0]).toBe("Process 'mutateInputs' mutates 'domain.items' (push()), but it is declared only as an input.");
    expect(messages('t01-input-mutation.ts', 'POP-T01')[3]).toBe("Process 'mutateInputs' mutates 'domain.accounts[?]' (-=), but it is declared only as an input.");
  });

  it('undeclared writes (T02) distinguish a write broader than an output', () => {
    expect(messages('t02-undeclared-write.ts', 'POP-T02')).toEqual([
      "Process 'writer' writes 'domain.c' (assignment), which no output covers.",
      "Process 'writer' writes 'global.flag' (assignment), which no output covers.",
      "Process 'writer' writes 'domain.users' (assignment), which is broader than the output 'domain.users.alice'.",
      "Process 'writer' writes 'domain.log_x' (push()), which no output covers.",
      "Process 'writer' writes 'signal.done' (publish()), which no output covers.",
      "Process 'writer' writes 'orders.open' (assignment), which no output covers.",
    ]);
  });

  it('undeclared reads (C01) are reported once per path', () => {
    expect(messages('c01-undeclared-read.ts', 'POP-C01')).toEqual([
      "Process 'reader' reads 'domain.accounts.bob', which is not declared in inputs or outputs.",
      "Process 'reader' reads 'domain.users.u1.email', which is not declared in inputs or outputs.",
      "Process 'reader' reads 'heavy.model', which is not declared in inputs or outputs.",
    ]);
  });

  it('zone physics (E07) names the zone and what it allows', () => {
    const all = messages('e07-zone-physics.ts', 'POP-E07');
    expect(all[0]).toBe("pop() on 'domain.log_events' is not allowed: 'log_events' is in the log zone (allows read, append).");
    expect(all).toContain("Reading 'domain.internal_secret' outside ctx.asAdmin gives undefined: 'internal_secret' is private (internal_).");
    expect(all.at(-1)).toBe("assignment on 'domain.const_rate' is not allowed: 'const_rate' is in the constant zone (allows read).");
  });

  it('escapes (T05) say what captured ctx', () => {
    expect(messages('t05-escaping-ctx.ts', 'POP-T05')).toEqual([
      "ctx escapes process 'leaky': captured by a setTimeout() callback.",
      "ctx escapes process 'leaky': captured by a setInterval() callback.",
      "ctx escapes process 'leaky': captured by a .then() callback that is not awaited.",
      "ctx escapes process 'leaky': captured by an event listener (.on()).",
      "ctx escapes process 'leaky': assigned to the outer variable 'saved'.",
      "ctx escapes process 'leaky': stored in the outer 'registry' by .push().",
      "ctx escapes process 'leaky': stored on 'this'.",
      "ctx escapes process 'leaky': returned from the process.",
      "ctx escapes process 'returnsCtx': returned from the process.",
      "ctx escapes process 'returnsRoot': returned from the process.",
    ]);
  });

  it('unknown keys (T09) suggest the intended key', () => {
    const hints = lintFixture('t09-unknown-key.ts').map((f) => f.hint);
    expect(hints[0]).toBe("Did you mean 'inputs'?");
    expect(hints[1]).toBe("Did you mean 'sideEffects'?");
  });

  it('duplicate names (T07) point at the first declaration', () => {
    expect(messages('t07-duplicate-a.ts', 'POP-T07')).toEqual(["Process name 'transfer' is already used at t07-duplicate-a.ts:4:14."]);
  });
});
