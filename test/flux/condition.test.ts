import { describe, expect, it } from 'vitest';
import { WorkflowError, WorkflowSyntaxError } from '../../src/errors.js';
import { compileCondition, truthy } from '../../src/flux/condition/index.js';
import { ConditionEvaluationError } from '../../src/flux/errors.js';

const scope = Object.freeze({
  domain: {
    order: { status: 'paid', total: 120 },
    items: [1, 2, 3],
    empty: [],
    emptyDict: {},
    remaining: 40,
    name: 'Alice',
    nothing: null,
    cfg: { db: { host: 'localhost' } },
    tags: new Set(['a', 'b']),
    prices: new Map<unknown, unknown>([['apple', 3], [1, 'one']]),
    zero: 0,
  },
  global: { max_steps: 5 },
  signal: { cmd_stop: 'True' },
  cmd: { cmd_stop: 'True' },
  meta: { run: 1 },
  args: { limit: 3 },
});

const evaluate = (source: string, s: object = scope): unknown => compileCondition(source)(s);

describe('both spellings mean the same thing', () => {
  const table: [python: string, js: string, expected: unknown][] = [
    ["domain.order.status == 'paid'", "domain.order.status === 'paid'", true],
    ["domain.order.status != 'paid'", "domain.order.status !== 'paid'", false],
    ["domain['remaining'] > 0 and len(domain['items']) > 0", 'domain.remaining > 0 && domain.items.length > 0', true],
    ['domain.zero > 0 or domain.remaining > 0', 'domain.zero > 0 || domain.remaining > 0', true],
    ['not domain.empty', '!domain.empty', true],
    ['True', 'true', true],
    ['False', 'false', false],
    ['None', 'null', null],
    ['domain.missing is None', 'domain.missing === null', true],
    ['domain.missing is None', 'domain.missing === undefined', true],
    ['domain.nothing is not None', 'domain.nothing !== null', false],
    ['len(domain.items)', 'domain.items.length', 3],
    ["domain.get('missing', 7)", "domain.missing?.x || 7", 7],
    ["domain['cfg']['db']['host']", 'domain?.cfg?.db?.host', 'localhost'],
    ["'b' if domain.zero else 'a'", "domain.zero ? 'b' : 'a'", 'a'],
    ["signal.get('cmd_stop') == 'True'", "signal.cmd_stop === 'True'", true],
    ['global.max_steps >= 5', "global['max_steps'] >= 5", true],
    ['args.limit == 3', 'args?.limit === 3', true],
    ['meta.run == 1', 'meta.run === 1', true],
  ];
  it.each(table)('%s  ≡  %s', (python, js, expected) => {
    expect(evaluate(python)).toEqual(expected);
    expect(evaluate(js)).toEqual(expected);
  });

  it('mixes spellings in one condition', () => {
    expect(evaluate("domain.order.status === 'paid' and len(domain.items) > 0 && !False")).toBe(true);
  });
});

describe('Python semantics', () => {
  it.each([
    // truthiness: empty list, empty dict, '', 0, None are false in both spellings
    ['not []', true],
    ['not domain.emptyDict', true],
    ['!domain.emptyDict', true],
    ["not ''", true],
    ['not 0', true],
    ['not None', true],
    ['not domain.items', false],
    ["bool('yes')", true],
    ['bool(domain.tags)', true],
    ['bool(domain.prices)', true],
    // and/or return an operand
    ["domain.zero or 'fallback'", 'fallback'],
    ["domain.name and domain.order.total", 120],
    ["[] or None", null],
    // chained comparisons
    ['0 < domain.remaining < 100', true],
    ['0 < domain.remaining < 10', false],
    ['1 < 2 > 1.5', true],
    ['domain.remaining == 40 == 40.0', true],
    // arithmetic
    ['-7 % 3', 2],
    ['7 % -3', -2],
    ['-7 // 2', -4],
    ['7 / 2', 3.5],
    ['2 + 3 * 4', 14],
    ['(2 + 3) * 4', 20],
    ["domain['remaining'] % 20 == 0", true],
    ["'ab' + 'cd'", 'abcd'],
    ['[1] + [2]', [1, 2]],
    ['-domain.remaining', -40],
    // equality: no coercion, structural for data
    ["1 == '1'", false],
    ['True == 1', false],
    ['[1, 2, 3] == domain.items', true],
    ["domain.cfg == domain.cfg", true],
    ['domain.emptyDict == domain.emptyDict', true],
    ['domain.items is domain.items', true],
    ['[1] is [1]', false],
    ['None == undefined', true],
    // membership
    ['2 in domain.items', true],
    ['5 not in domain.items', true],
    ["'order' in domain", true],
    ["'toString' in domain", false],
    ["'lic' in domain.name", true],
    ["'a' in domain.tags", true],
    ["'apple' in domain.prices", true],
    // builtins
    ['len(domain)', 11],
    ['len(domain.name)', 5],
    ['len(domain.tags)', 2],
    ['len(domain.prices)', 2],
    ['max(domain.items)', 3],
    ['min(4, 2, 9)', 2],
    ["max('b', 'a')", 'b'],
    ['sum(domain.items)', 6],
    ['sum(domain.items, 10)', 16],
    ['abs(-3)', 3],
    ["int('42')", 42],
    ['int(3.9)', 3],
    ['int(-3.9)', -3],
    ["float('2.5')", 2.5],
    ['str(True)', 'True'],
    ['str(None)', 'None'],
    ['str(12)', '12'],
    ["domain.name.lower() == 'alice'", true],
    ['domain.name.toUpperCase()', 'ALICE'],
    ["domain.name.startswith('Al')", true],
    ["domain.name.endsWith('ce')", true],
    ['domain.items.includes(2)', true],
    ["domain.get('nothing', 5)", null],
    ["domain.get('absent')", null],
    ["domain.prices.get('apple')", 3],
    ["domain.prices['apple']", 3],
    ['domain.prices[1]', 'one'],
    ["domain.items.get(0)", 1],
    // indexing
    ['domain.items[-1]', 3],
    ['domain.items[0]', 1],
    ['domain.items[10]', undefined],
    ['domain.name[0]', 'A'],
    ['domain.name.length', 5],
    // missing members read as undefined, never throw
    ['domain.a.b.c', undefined],
    ["domain['a']['b']", undefined],
    ['domain.missing.lower()', undefined],
    ["domain.missing.get('x', 1)", 1],
  ] as [string, unknown][])('%s → %j', (source, expected) => {
    expect(evaluate(source)).toEqual(expected);
  });

  it('precedence differs between not and ! exactly as in each language', () => {
    // Python: not (domain.zero == 1); JavaScript: (!domain.zero) == 1
    expect(evaluate('not domain.zero == 1')).toBe(true);
    expect(evaluate('!domain.zero == 1')).toBe(false);
    expect(evaluate('!domain.zero == True')).toBe(true);
  });

  it('truthy() follows the documented table', () => {
    for (const falsy of [false, null, undefined, 0, -0, NaN, '', [], {}, new Map(), new Set(), 0n]) expect(truthy(falsy)).toBe(false);
    for (const value of [true, 1, -1, 'x', [0], { a: 0 }, new Map([[1, 1]]), new Set([0]), new Date(0)]) expect(truthy(value)).toBe(true);
  });

  it.each([
    ["domain.name < 3", /cannot compare string with number using '<'/],
    ['domain.missing > 0', /cannot compare undefined \(a missing value\) with number using '>'/],
    ["'a' + 1", /'\+' needs two numbers, two strings or two lists/],
    ['1 / domain.zero', /division by zero/],
    ['5 // 0', /division by zero/],
    ['5 % 0', /division by zero/],
    ['len(domain.missing)', /len\(\) of undefined/],
    ['len(5)', /len\(\) needs a string, list, set or mapping/],
    ["int('4x')", /int\(\) needs/],
    ['-domain.name', /unary '-' needs a number/],
    ["1 in 'abc'", /needs a string on the left/],
    ['1 in 5', /'in' needs a string, list, set or mapping on the right/],
    ['max([])', /max\(\) of an empty sequence/],
    ['domain.items[1.5]', /a list index must be an integer/],
    ['domain[None]', /a subscript must be a string or an integer/],
    ['domain.zero.startswith(1)', /needs a string, got number/],
  ])('%s fails at evaluation with a clear message', (source, message) => {
    const compiled = compileCondition(source);
    let error: unknown;
    try {
      compiled(scope);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConditionEvaluationError);
    expect(error).toBeInstanceOf(WorkflowError);
    expect((error as WorkflowError).code).toBe('WORKFLOW_ERROR');
    expect((error as Error).message).toMatch(message);
  });

  it('evaluation errors point at the offending sub-expression, offset by the origin', () => {
    const compiled = compileCondition("domain.ok and domain.name < 3", { file: 'flow.yaml', line: 7, column: 20 });
    try {
      compiled({ domain: { ok: true, name: 'x' } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConditionEvaluationError);
      const e = error as ConditionEvaluationError;
      // '<' is at column 27 of the condition → 20 + 27 - 1
      expect([e.file, e.line, e.column]).toEqual(['flow.yaml', 7, 46]);
      expect(e.message).toContain('flow.yaml:7:46');
    }
  });
});

describe('what a condition may read', () => {
  class Account {
    balance = 10;
    get secret(): number {
      throw new Error('getter ran');
    }
  }

  it('reads own data properties of class instances but never runs getters or walks the prototype', () => {
    const s = { domain: { account: new Account(), obj: { a: 1 } } };
    expect(evaluate('domain.account.balance', s)).toBe(10);
    expect(evaluate('domain.obj.toString', s)).toBeUndefined();
    expect(evaluate('domain.obj.hasOwnProperty', s)).toBeUndefined();
    expect(evaluate("domain.obj['valueOf']", s)).toBeUndefined();
    expect(evaluate('domain.account.secret', s)).toBeUndefined(); // on the prototype: not an own property
  });

  it('refuses own accessor properties instead of running them', () => {
    let ran = 0;
    const obj = {};
    Object.defineProperty(obj, 'x', { get: () => ran++, enumerable: true });
    expect(() => evaluate('domain.obj.x', { domain: { obj } })).toThrow(/accessor \(getter\) property/);
    expect(ran).toBe(0);
  });

  it('treats a missing root as undefined and validates the scope argument', () => {
    expect(compileCondition('domain.x is None')({})).toBe(true);
    expect(() => compileCondition('True')(null as never)).toThrow(/scope must be an object/);
  });

  it('compiles once and re-evaluates against fresh scopes', () => {
    const compiled = compileCondition('domain.n < 3');
    expect([0, 1, 2, 3, 4].map((n) => compiled({ domain: { n } }))).toEqual([true, true, true, false, false]);
    expect(compiled.source).toBe('domain.n < 3');
    expect(compiled.ast.type).toBe('compare');
  });
});

describe('syntax errors carry line and column', () => {
  it.each([
    ['domain.a >', 1, 11, /unexpected end of condition/],
    ['domain.a > > 1', 1, 12, /unexpected '>'/],
    ['foo == 1', 1, 1, /unknown name 'foo'/],
    ['domain.a ==\n  bar', 2, 3, /unknown name 'bar'/],
    ["domain.a == 'x", 1, 13, /unterminated string/],
    ['domain.a = 1', 1, 10, /assignment/],
    ['domain.a (1)', 1, 8, /method 'a' is not allowed/],
    ['(domain.a)(1)', 1, 11, /only the functions/],
    ['domain.keys()', 1, 8, /method 'keys' is not allowed/],
    ['len(1, 2)', 1, 1, /'len' takes 1 argument, got 2/],
    ['len', 1, 1, /'len' is a function/],
    ['domain.a if domain.b', 1, 21, /expected 'else'/],
    ['domain.a ? 1', 1, 13, /expected ':'/],
    ['(domain.a', 1, 10, /expected '\)'/],
    ['domain.a domain.b', 1, 10, /after a complete expression/],
    ['', 1, 1, /empty condition/],
    ['   ', 1, 4, /empty condition/],
    ['domain.a == 1 and', 1, 18, /unexpected end/],
    ['domain.a @ 1', 1, 10, /unexpected character "@"/],
    ["'\\q'", 1, 2, /unknown escape/],
    ['1abc', 1, 1, /invalid number/],
    ['domain.a ** 2', 1, 10, /power operator/],
    ['domain.a ?? 2', 1, 10, /'\?\?' is not supported/],
    ['domain.a & 1', 1, 10, /bitwise/],
    ['domain.__x', 1, 8, /member '__x' is refused/],
    ['domain.prototype', 1, 8, /member 'prototype' is refused/],
    ["domain.get('constructor')", 1, 12, /member 'constructor' is refused/],
  ])('%j → %i:%i', (source, line, column, message) => {
    let error: unknown;
    try {
      compileCondition(source);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WorkflowSyntaxError);
    const e = error as WorkflowSyntaxError;
    expect(e.code).toBe('WORKFLOW_SYNTAX');
    expect([e.line, e.column]).toEqual([line, column]);
    expect(e.message).toMatch(message);
  });

  it('offsets positions by the origin, using the indentation for continuation lines', () => {
    try {
      compileCondition('domain.a and\n  nope', { file: 'w.yaml', line: 10, column: 9, indent: 8 });
      expect.unreachable();
    } catch (error) {
      const e = error as WorkflowSyntaxError;
      expect([e.file, e.line, e.column]).toEqual(['w.yaml', 11, 11]);
      expect(e.message.startsWith('w.yaml:11:11: ')).toBe(true);
    }
  });

  it('reports the scalar position plus the local position when the mapping is inexact', () => {
    try {
      compileCondition('domain.a and nope', { file: 'w.yaml', line: 3, column: 16, exact: false });
      expect.unreachable();
    } catch (error) {
      const e = error as WorkflowSyntaxError;
      expect([e.line, e.column]).toEqual([3, 16]);
      expect(e.message).toContain('condition line 1, column 14');
    }
  });

  it('refuses non-string sources', () => {
    expect(() => compileCondition(42 as never)).toThrow(WorkflowSyntaxError);
  });
});
