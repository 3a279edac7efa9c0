import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ContractViolationError } from '../../src/index.js';
import { anyCovers, anyLeadsTo, covers, leadsTo, parsePattern } from '../../src/contracts/pattern.js';
import { CEILING, APPEND, DELETE, READ, UPDATE, Zone, zoneOfPath } from '../../src/contracts/zones.js';
import { throwsCode } from '../engine/helpers.js';

const P = (text: string) => parsePattern(text, 'test');
const seg = (text: string) => text.split('.');

describe('contract path patterns', () => {
  it('parses dotted paths and normalises brackets to segments', () => {
    expect(P('domain.accounts.alice').segments).toEqual(['domain', 'accounts', 'alice']);
    expect(P('domain.items[0].x').segments).toEqual(['domain', 'items', '0', 'x']);
    expect(P('domain.items[*]').segments).toEqual(['domain', 'items', '*']);
    expect(P('domain').segments).toEqual(['domain']);
  });

  it('refuses malformed and hostile text with ContractViolationError naming where', () => {
    for (const bad of ['', '.', 'a..b', 'a.', '.a', 'a.__proto__', 'a.prototype', 'a.constructor', "a['b']", 'a.b c', 'a.b*', 'a.*b', 'a.`x`', 'x'.repeat(1025)]) {
      const err = throwsCode(() => parsePattern(bad, 'process p inputs'), 'CONTRACT_VIOLATION', ContractViolationError);
      expect(err.message).toContain('process p inputs');
    }
    for (const bad of [undefined, null, 1, {}, ['a']]) throwsCode(() => parsePattern(bad, 'w'), 'CONTRACT_VIOLATION');
  });

  it('one grammar: a dunder key other than the three hostile ones is a key like any other (state may hold it)', () => {
    expect(P('domain.__cache').segments).toEqual(['domain', '__cache']);
    expect(P(`domain.${'a'.repeat(1000)}`).segments).toHaveLength(2);
  });

  it('covers: equal paths and descendants; `*` matches exactly one segment', () => {
    const table: [string, string, boolean][] = [
      ['domain', 'domain', true],
      ['domain', 'domain.a.b', true],
      ['domain.a', 'domain.a', true],
      ['domain.a', 'domain.a.b.c', true],
      ['domain.a', 'domain', false],
      ['domain.a', 'domain.ab', false],
      ['domain.a', 'domain.b', false],
      ['domain.*', 'domain.x', true],
      ['domain.*', 'domain.x.y', true],
      ['domain.*', 'domain', false],
      ['domain.*.balance', 'domain.alice.balance', true],
      ['domain.*.balance', 'domain.alice.name', false],
      ['domain.items.0', 'domain.items.0.x', true],
      ['global.a', 'domain.a', false],
    ];
    for (const [pattern, path, expected] of table) expect([pattern, path, covers(P(pattern), seg(path))]).toEqual([pattern, path, expected]);
    // Array indices are numbers in a path, strings in a pattern.
    expect(covers(P('domain.items.1'), ['domain', 'items', 1])).toBe(true);
    expect(covers(P('domain.items[*]'), ['domain', 'items', 7, 'x'])).toBe(true);
  });

  it('leadsTo: strict ancestors of what a pattern names (traversal)', () => {
    expect(leadsTo(seg('domain'), P('domain.a.b'))).toBe(true);
    expect(leadsTo(seg('domain.a'), P('domain.a.b'))).toBe(true);
    expect(leadsTo(seg('domain.a.b'), P('domain.a.b'))).toBe(false);
    expect(leadsTo(seg('domain.x'), P('domain.*.b'))).toBe(true);
    expect(leadsTo(seg('domain.c'), P('domain.a.b'))).toBe(false);
    expect(anyCovers([P('domain.a'), P('global')], seg('global.x'))).toBe(true);
    expect(anyLeadsTo([P('domain.a.b'), P('global.q')], seg('global'))).toBe(true);
    expect(anyLeadsTo([], seg('domain'))).toBe(false);
  });

  it('property: a pattern covers itself and every extension, leads to none of them', () => {
    const segment = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.array(segment, { maxLength: 3 }), (base, ext) => {
        const p = P(base.join('.'));
        expect(covers(p, base)).toBe(true);
        expect(covers(p, [...base, ...ext])).toBe(true);
        expect(leadsTo([...base, ...ext], p)).toBe(false);
        if (base.length > 1) {
          expect(covers(p, base.slice(0, -1))).toBe(false);
          expect(leadsTo(base.slice(0, -1), p)).toBe(true);
        }
        const wild = P([...base.slice(0, -1), '*'].join('.'));
        expect(covers(wild, base)).toBe(true);
      }),
    );
  });
});

describe('zones (REFERENCE §2.3, outermost prefixed segment decides)', () => {
  const table: [string, Zone][] = [
    ['domain.counter', Zone.Data],
    ['domain.log_history', Zone.Log],
    ['domain.nested.log_ops.0', Zone.Log],
    ['domain.audit_trail', Zone.Log],
    ['heavy.invoice_img', Zone.Heavy],
    ['domain.heavy_img', Zone.Heavy],
    ['signal.ping', Zone.Signal],
    ['signal', Zone.Signal],
    ['sig', Zone.Signal],
    ['cmd', Zone.Signal],
    ['domain.sig_x', Zone.Signal],
    ['domain.cmd_go', Zone.Signal],
    ['meta', Zone.Meta],
    ['meta.cfg', Zone.Meta],
    ['domain.meta_x.log_y', Zone.Meta],
    ['domain.log_y.meta_x', Zone.Log],
    ['domain.const_k', Zone.Constant],
    ['global.cfg.const_limit.x', Zone.Constant],
    ['domain.internal_s', Zone.Private],
    ['domain.const_a.internal_b', Zone.Constant],
    ['domain.internal_b.const_a', Zone.Private],
    ['log', Zone.Log],
    // Root-only names are zones only as roots: `domain.meta` is data (INC-001 keeps `domain.meta.nested` as data).
    ['domain.meta.nested', Zone.Data],
    ['domain.signal', Zone.Data],
    ['domain.heavy', Zone.Data],
    ['domain.logger', Zone.Data],
    ['domain.constant', Zone.Data],
    ['domain.signals', Zone.Data],
  ];
  it.each(table)('%s', (path, zone) => {
    expect(zoneOfPath(path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s)))).toBe(zone);
  });

  it('capability ceilings (REFERENCE §2.4)', () => {
    expect(CEILING[Zone.Data]).toBe(READ | APPEND | UPDATE | DELETE);
    expect(CEILING[Zone.Signal]).toBe(READ | APPEND);
    expect(CEILING[Zone.Meta]).toBe(READ | UPDATE);
    expect(CEILING[Zone.Log]).toBe(READ | APPEND);
    expect(CEILING[Zone.Constant]).toBe(READ);
    expect(CEILING[Zone.Private]).toBe(0);
  });
});
