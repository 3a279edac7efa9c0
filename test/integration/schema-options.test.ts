/**
 * Bad `schema` options fail at engine construction with INVALID_ARGUMENT and the offending pattern.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { TheusEngine, TheusError } from '../../src/index.js';
import { expectTheus, thrownBy } from './fixtures/audit/support.js';

const ok = z.object({});

describe('schema option validation at construction', () => {
  it.each([
    ['an unknown root', 'accounts', /not a state root/],
    ['a root that is a namespace not configured here', 'analytics.hits', /not a state root/],
    ['__proto__ as a segment', 'domain.__proto__', /not allowed/],
    ['constructor as a segment', 'domain.constructor.x', /not allowed/],
    ['prototype as a segment', 'domain.accounts.prototype', /not allowed/],
    ['a partial wildcard', 'domain.acc*', /whole segment/],
    ['an empty segment', 'domain..x', /empty segment/],
    ['a trailing dot', 'domain.', /empty segment/],
    ['an empty pattern', '', /non-empty/],
    ['too many segments', `domain${'.x'.repeat(40)}`, /more than 32 segments/],
    ['an overlong segment', `domain.${'k'.repeat(200)}`, /longer than/],
  ])('%s', (_label, pattern, message) => {
    const err = expectTheus(thrownBy(() => new TheusEngine({ domain: {} }, { schema: { [pattern]: ok } })), TheusError, 'INVALID_ARGUMENT');
    expect(err.message).toMatch(message);
  });

  it('an own __proto__ key (JSON-parsed hostile input) is refused, not used as a prototype', () => {
    const hostile = JSON.parse('{"__proto__": {}}') as Record<string, unknown>;
    const err = expectTheus(thrownBy(() => new TheusEngine({ domain: {} }, { schema: hostile })), TheusError, 'INVALID_ARGUMENT');
    expect(err.message).toContain('__proto__');
  });

  it.each([
    ['a plain object with parse()', { parse: () => ({}) }],
    ['null', null],
    ['a function', () => true],
    ['a Standard Schema of another version', { '~standard': { version: 2, vendor: 'x', validate: () => ({ value: 1 }) } }],
    ['a ~standard without validate', { '~standard': { version: 1, vendor: 'x' } }],
  ])('a validator that is %s', (_label, validator) => {
    const err = expectTheus(thrownBy(() => new TheusEngine({ domain: {} }, { schema: { domain: validator } })), TheusError, 'INVALID_ARGUMENT');
    expect(err.message).toMatch(/Standard Schema/);
    expect(err.path).toBe('domain');
  });

  it.each([
    ['an array', [ok]],
    ['null', null],
    ['a string', 'domain'],
  ])('a schema option that is %s', (_label, schema) => {
    expectTheus(thrownBy(() => new TheusEngine({ domain: {} }, { schema: schema as never })), TheusError, 'INVALID_ARGUMENT');
  });

  it('a configured namespace is a valid root', () => {
    const engine = new TheusEngine({}, { namespaces: { analytics: { initial: { hits: 0 } } }, schema: { 'analytics.hits': z.number() } });
    expect(() => engine.compareAndSwap(0, { data: { 'analytics.hits': 'x' } })).toThrow(expect.objectContaining({ code: 'SCHEMA_VIOLATION' }));
  });
});
