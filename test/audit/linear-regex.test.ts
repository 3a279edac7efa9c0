import { describe, expect, it } from 'vitest';
import { AuditSystem, parseAuditRecipe } from '../../src/audit/index.js';
import { compileLinearRegex, MAX_REGEX_SUBJECT } from '../../src/audit/linear-regex.js';
import { compileRuleCheck } from '../../src/audit/rule-check.js';

function matcher(source: string): (s: string) => boolean {
  const { regex, problem } = compileLinearRegex(source);
  if (regex === undefined) throw new Error(problem);
  return (s) => regex.test(s);
}

describe('recipe regexes on the linear-time engine', () => {
  it('matches at the start of the string, like re.match', () => {
    expect(matcher('^User.*')('User 1')).toBe(true);
    expect(matcher('User')('a User')).toBe(false);
    expect(matcher('[A-Z]{3}$')('EUR')).toBe(true);
    expect(matcher('[A-Z]{3}$')('EURO')).toBe(false);
    expect(matcher('a|b')('b')).toBe(true);
    expect(matcher('')('anything')).toBe(true);
    expect(matcher('(?P<cur>[A-Z]{3})')('USD')).toBe(true);
    expect(matcher('(?i)abc')('ABC')).toBe(true);
    expect(matcher('\\p{L}+$')('Grüße')).toBe(true);
  });

  it('cannot escape the anchoring with unbalanced groups', () => {
    expect(compileLinearRegex('a)|(b').problem).toMatch(/does not compile/);
    expect(compileLinearRegex('a)|.*|(b').problem).toMatch(/does not compile/);
  });

  // The patterns that held the event loop for tens of seconds on a backtracking engine. No timing assertion: the
  // test would simply not finish if matching were exponential.
  it.each(['(a|a)*$', '(a|aa)*$', '^(\\w|\\d)*$', '\\d*\\d*\\d*\\d*x', '(a+)+$', '(\\w*)*$', '^(\\w+\\s?)*$', '(x{1,9}){2,}$'])('%s on 30 to 3 000 characters', (source) => {
    const test = matcher(source);
    for (const n of [30, 300, 3000]) {
      for (const subject of [`${'a'.repeat(n)}!`, `${'1'.repeat(n)}!`, `${'x'.repeat(n)}y`]) expect(typeof test(subject)).toBe('boolean');
    }
  });

  it('gives the same answers as JavaScript on supported syntax', () => {
    const cases: [string, string][] = [
      ['(a|aa)*$', 'aaaa'],
      ['(a|aa)*$', 'aaab'],
      ['^(\\w|\\d)*$', 'abc123'],
      ['^(\\w|\\d)*$', 'abc 123'],
      ['\\d*\\d*\\d*\\d*x', '1234x'],
      ['\\d*\\d*\\d*\\d*x', '1234'],
      ['[^]]+', ']'],
      ['[\\]]+', ']]'],
      ['a{2,3}$', 'aaa'],
      ['a{2,3}$', 'aaaa'],
    ];
    for (const [source, subject] of cases) expect([source, subject, matcher(source)(subject)]).toEqual([source, subject, new RegExp(source, 'y').test(subject)]);
  });

  it.each([
    ['(a)\\1', /backreferences/],
    ['(?<x>a)\\k<x>', /backreferences/],
    ['foo(?=bar)', /lookahead and lookbehind/],
    ['(?!x)y', /lookahead and lookbehind/],
    ['(?<=x)y', /lookahead and lookbehind/],
    ['(?<!x)y', /lookahead and lookbehind/],
    ['(?>a)', /atomic groups/],
    ['a++', /nested repetition/],
    ['\\u{41}', /\\x\{41\}/],
    ['(unclosed', /does not compile \(missing closing \)/],
    ['a{1001}', /does not compile/],
    ['(?:\\w{1,1000}){1,1000}', /does not compile/],
    ['x'.repeat(257), /limit is 256/],
    // Linear, but with a constant large enough to hold the loop for a second on 10 000 characters.
    ['(?:(?:a|aa){100}){10}$', /program size \d+, limit 1000/],
  ])('refuses %s with a reason', (source, reason) => {
    expect(compileLinearRegex(source).problem).toMatch(reason);
  });

  it('does not mistake escaped or class characters for constructs', () => {
    for (const source of ['\\(\\?=', '[(?=]x', '\\\\1', '[\\\\1]', 'a\\+\\+', '[+]+']) expect(compileLinearRegex(source).problem).toBeUndefined();
  });

  it('a recipe with an unsupported regex fails at load with its line and column', () => {
    const text = 'process_recipes:\n  p:\n    inputs:\n      - field: s\n        regex: "(a)\\\\1"\n';
    expect(() => parseAuditRecipe(text, { file: 'r.yaml' })).toThrow(expect.objectContaining({ code: 'AUDIT_RECIPE', line: 5, column: 16, message: expect.stringMatching(/r\.yaml:5:16 .*backreferences/) }));
  });

  it('rule checks stay bounded: too long subjects are violations, non-strings too', () => {
    const check = compileRuleCheck({ regex: '(a|aa)*$' });
    expect(check('aaaa')).toBeUndefined();
    expect(check(`${'a'.repeat(3000)}!`)).toMatch(/failed regex/);
    expect(check('a'.repeat(MAX_REGEX_SUBJECT + 1))).toMatch(/too long/);
    expect(check(42)).toMatch(/not a string/);
    expect(() => compileRuleCheck({ regex: '(a)\\1' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('an audit system with a hostile pattern answers at once for every input size', () => {
    const audit = new AuditSystem({ process_recipes: { p: { inputs: [{ field: 's', regex: '(a|a)*$', level: 'C' }] } } });
    for (const n of [30, 3000, 10_000]) audit.checkInputs('p', { s: `${'a'.repeat(n)}!` }, 0);
    expect(audit.stats().totals.violations).toBe(3);
  });
});
