import { afterAll, describe, expect, it } from 'vitest';
import { WorkflowSyntaxError } from '../../src/errors.js';
import { compileCondition } from '../../src/flux/condition/index.js';
import { ConditionEvaluationError } from '../../src/flux/errors.js';

/*
 * Hostile conditions: each must be refused with a clear typed error, before or during evaluation,
 * and leave no trace (no global written, no prototype polluted, the scope untouched).
 */

const scope = Object.freeze({
  domain: Object.freeze({ key: 'constructor', items: Object.freeze([1, 2]), obj: Object.freeze({ a: 1 }) }),
  global: Object.freeze({}),
});

const refusedAtCompile: [string, RegExp][] = [
  ["constructor.constructor('return process')()", /unknown name 'constructor'/],
  ["domain.constructor.constructor('return process')()", /member 'constructor' is refused/],
  ['domain.__proto__', /member '__proto__' is refused/],
  ["domain['__proto__']", /member '__proto__' is refused/],
  ["domain?.['constructor']", /member 'constructor' is refused/],
  ["domain['\\u0063onstructor']", /member 'constructor' is refused/],
  ["domain.get('__proto__')", /member '__proto__' is refused/],
  ['domain.obj.prototype', /member 'prototype' is refused/],
  ['domain.__defineGetter__', /member '__defineGetter__' is refused/],
  ['[].constructor', /member 'constructor' is refused/],
  ["''.constructor", /member 'constructor' is refused/],
  ['globalThis', /unknown name 'globalThis'/],
  ['this', /unknown name 'this'/],
  ['process', /unknown name 'process'/],
  ['process.exit(1)', /unknown name 'process'|method 'exit' is not allowed/],
  ["require('fs')", /function 'require' is not allowed/],
  ["eval('1')", /function 'eval' is not allowed/],
  ["Function('return 1')()", /function 'Function' is not allowed/],
  ['new Date()', /unknown name 'new'|after a complete expression/],
  ['`${process}`', /template strings are not supported/],
  ["import('x')", /function 'import' is not allowed/],
  ['a = 1', /assignment \('='\) is not supported/],
  ['domain.a = 1', /assignment \('='\) is not supported/],
  ['domain.a += 1', /assignment \('\+='\) is not supported/],
  ['x => x', /arrow functions/],
  ['domain.items.map(x => x)', /arrow functions/],
  ['domain; process.exit()', /statements \(';'\) are not supported/],
  ['{}', /object literals/],
  ['domain.toString()', /method 'toString' is not allowed/],
  ['domain.items.push(3)', /method 'push' is not allowed/],
  ['len.call(1)', /'len' is a function/],
  ['__import__("os")', /function '__import__' is not allowed/],
  ['x'.repeat(100_000), /100000 characters long; the limit is 4096/],
  ['('.repeat(10_000) + '1' + ')'.repeat(10_000), /characters long; the limit is 4096/],
  ['('.repeat(2_000) + '1' + ')'.repeat(2_000), /nests deeper than 64 levels/],
  ['not '.repeat(1_000) + 'True', /nests deeper than 64 levels/],
  ['!'.repeat(4_000) + '1', /nests deeper than 64 levels/],
  ['-'.repeat(4_000) + '1', /nests deeper than 64 levels/],
  ['['.repeat(1_000) + ']'.repeat(1_000), /nests deeper than 64 levels/],
  ['1 if True else '.repeat(200) + '1', /nests deeper than 64 levels/],
];

const refusedAtEvaluation: [string, RegExp][] = [
  ["domain['constr' + 'uctor']", /member 'constructor' is refused/],
  ["domain['__pro' + 'to__']", /member '__proto__' is refused/],
  ["domain.obj['proto' + 'type']", /member 'prototype' is refused/],
  ["domain.get('__pro' + 'to__')", /member '__proto__' is refused/],
  // a key that comes from state is checked like one written in the condition
  ['domain[domain.key]', /member 'constructor' is refused/],
  ['domain.obj[domain.key][domain.key]', /member 'constructor' is refused/],
];

describe('hostile conditions', () => {
  const before = Object.getOwnPropertyNames(Object.prototype).sort();

  afterAll(() => {
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
  });

  it.each(refusedAtCompile)('%s is refused at compile time', (source, message) => {
    let error: unknown;
    try {
      compileCondition(source);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WorkflowSyntaxError);
    expect((error as WorkflowSyntaxError).code).toBe('WORKFLOW_SYNTAX');
    expect((error as Error).message).toMatch(message);
    // messages quote the condition shortened, never the whole 100 KB
    expect((error as Error).message.length).toBeLessThan(600);
  });

  it.each(refusedAtEvaluation)('%s compiles but is refused when evaluated', (source, message) => {
    const compiled = compileCondition(source);
    let error: unknown;
    try {
      compiled(scope);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConditionEvaluationError);
    expect((error as Error).message).toMatch(message);
  });

  it('long but flat conditions are fine (limits are about size and nesting, not usefulness)', () => {
    const chain = Array.from({ length: 150 }, (_, i) => `domain.n != ${i}`).join(' and ');
    expect(chain.length).toBeLessThan(4096);
    expect(compileCondition(chain)({ domain: { n: 1000 } })).toBe(true);
    const members = 'domain' + '.a'.repeat(1_500);
    expect(compileCondition(members)({ domain: {} })).toBeUndefined();
    const sum = Array.from({ length: 1_000 }, () => '1').join('+');
    expect(compileCondition(sum)({})).toBe(1000);
  });

  it('never calls functions found in state', () => {
    let called = 0;
    const fn = Object.assign(() => called++, { x: 1 });
    const s = { domain: { fn, obj: { toString: () => String(called++), valueOf: () => called++ } } };
    expect(compileCondition('domain.fn.x')(s)).toBeUndefined();
    expect(compileCondition('domain.fn == domain.fn')(s)).toBe(true);
    expect(() => compileCondition("domain.obj + ''")(s)).toThrow(ConditionEvaluationError);
    expect(() => compileCondition('domain.obj < 1')(s)).toThrow(ConditionEvaluationError);
    expect(() => compileCondition('str(domain.obj)')(s)).toThrow(ConditionEvaluationError);
    expect(() => compileCondition('domain.obj.toString()')).toThrow(WorkflowSyntaxError);
    expect(called).toBe(0);
  });

  it('deeply nested or cyclic data does not overflow the stack on ==', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    const b: Record<string, unknown> = {};
    b.self = b;
    expect(() => compileCondition('domain.a == domain.b')({ domain: { a, b } })).toThrow(/nest deeper than 200 levels/);
  });
});
