import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCondition } from '../../src/flux/condition/index.js';

/*
 * One random expression tree, printed once with Python spellings and once with JavaScript
 * spellings, must evaluate to the same value (or fail in both) against the same random state.
 */

type Expr =
  | { t: 'lit'; v: number | string | boolean | null }
  | { t: 'path'; key: string }
  | { t: 'member'; of: Expr; key: string }
  | { t: 'and' | 'or'; a: Expr; b: Expr }
  | { t: 'not'; a: Expr }
  | { t: 'cmp'; op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'; a: Expr; b: Expr }
  | { t: 'isnone'; a: Expr; negate: boolean }
  | { t: 'cond'; test: Expr; then: Expr; otherwise: Expr }
  | { t: 'arith'; op: '+' | '-' | '*' | '%' | '//'; a: Expr; b: Expr }
  | { t: 'get'; of: Expr; key: string; fallback: Expr }
  | { t: 'len'; a: Expr };

const KEYS = ['a', 'b', 'c', 'n', 's', 'list', 'obj'];

const exprArb: fc.Arbitrary<Expr> = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.integer({ min: -5, max: 20 }), fc.constantFrom('x', 'paid', ''), fc.boolean(), fc.constant(null)).map((v): Expr => ({ t: 'lit', v })),
    fc.constantFrom(...KEYS).map((key): Expr => ({ t: 'path', key })),
    fc.record({ of: tie('expr'), key: fc.constantFrom(...KEYS) }).map((r): Expr => ({ t: 'member', ...r })),
    fc.record({ t: fc.constantFrom('and' as const, 'or' as const), a: tie('expr'), b: tie('expr') }),
    tie('expr').map((a): Expr => ({ t: 'not', a })),
    fc.record({ op: fc.constantFrom('eq' as const, 'ne' as const, 'lt' as const, 'le' as const, 'gt' as const, 'ge' as const), a: tie('expr'), b: tie('expr') }).map((r): Expr => ({ t: 'cmp', ...r })),
    fc.record({ a: tie('expr'), negate: fc.boolean() }).map((r): Expr => ({ t: 'isnone', ...r })),
    fc.record({ test: tie('expr'), then: tie('expr'), otherwise: tie('expr') }).map((r): Expr => ({ t: 'cond', ...r })),
    fc.record({ op: fc.constantFrom('+' as const, '-' as const, '*' as const, '%' as const, '//' as const), a: tie('expr'), b: tie('expr') }).map((r): Expr => ({ t: 'arith', ...r })),
    fc.record({ of: tie('expr'), key: fc.constantFrom(...KEYS), fallback: tie('expr') }).map((r): Expr => ({ t: 'get', ...r })),
    tie('expr').map((a): Expr => ({ t: 'len', a })),
  ),
})).expr;

function literal(v: number | string | boolean | null, python: boolean): string {
  if (v === null) return python ? 'None' : 'null';
  if (typeof v === 'boolean') return python ? (v ? 'True' : 'False') : String(v);
  if (typeof v === 'number') return v < 0 ? `(${v})` : String(v);
  return `'${v}'`;
}

const CMP = { eq: ['==', '==='], ne: ['!=', '!=='], lt: ['<', '<'], le: ['<=', '<='], gt: ['>', '>'], ge: ['>=', '>='] } as const;

function print(e: Expr, python: boolean): string {
  const p = (x: Expr): string => print(x, python);
  switch (e.t) {
    case 'lit':
      return literal(e.v, python);
    case 'path':
      return python ? `domain['${e.key}']` : `domain.${e.key}`;
    case 'member':
      return python ? `(${p(e.of)})['${e.key}']` : `(${p(e.of)})?.${e.key}`;
    case 'and':
      return `(${p(e.a)} ${python ? 'and' : '&&'} ${p(e.b)})`;
    case 'or':
      return `(${p(e.a)} ${python ? 'or' : '||'} ${p(e.b)})`;
    case 'not':
      return python ? `(not ${p(e.a)})` : `(!${p(e.a)})`;
    case 'cmp':
      return `(${p(e.a)} ${CMP[e.op][python ? 0 : 1]} ${p(e.b)})`;
    case 'isnone':
      return python ? `(${p(e.a)} is ${e.negate ? 'not ' : ''}None)` : `(${p(e.a)} ${e.negate ? '!==' : '==='} null)`;
    case 'cond':
      return python ? `(${p(e.then)} if ${p(e.test)} else ${p(e.otherwise)})` : `(${p(e.test)} ? ${p(e.then)} : ${p(e.otherwise)})`;
    case 'arith':
      return `(${p(e.a)} ${e.op} ${p(e.b)})`;
    case 'get':
      return `(${p(e.of)}).get('${e.key}', ${p(e.fallback)})`;
    case 'len':
      return `len(${p(e.a)})`;
  }
}

const valueArb = fc.oneof(
  fc.integer({ min: -3, max: 30 }),
  fc.constantFrom('x', 'paid', ''),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom(...KEYS), fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant('x')), { maxKeys: 3 }),
);
const domainArb = fc.dictionary(fc.constantFrom(...KEYS), valueArb, { maxKeys: KEYS.length });

type Outcome = { ok: unknown } | { error: string };

function outcome(source: string, domain: unknown): Outcome {
  try {
    return { ok: compileCondition(source)({ domain }) };
  } catch (error) {
    return { error: (error as Error).name };
  }
}

describe('Python and JavaScript spellings are one language', () => {
  it('random expressions printed both ways evaluate equal', () => {
    fc.assert(
      fc.property(exprArb, domainArb, (expr, domain) => {
        const python = print(expr, true);
        const js = print(expr, false);
        expect(outcome(js, domain), `${python}  vs  ${js}`).toEqual(outcome(python, domain));
      }),
      { numRuns: 600 },
    );
  });

  it('printed expressions always compile (the printer covers only valid syntax)', () => {
    fc.assert(
      fc.property(exprArb, (expr) => {
        expect(() => compileCondition(print(expr, true))).not.toThrow();
        expect(() => compileCondition(print(expr, false))).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
