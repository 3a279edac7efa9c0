import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ConflictError, SchemaViolationError, TheusError } from '../../src/errors.js';
import { CapacityExceededError } from '../../src/heavy/index.js';
import { findUncloneable } from '../../src/parallel/index.js';
import { reviveThrown, serializeThrown } from '../../src/parallel/error-transport.js';

/** What a worker does to a thrown value, then what the caller gets back: serialize → clone → revive. */
function roundTrip(thrown: unknown): any {
  return reviveThrown(structuredClone(serializeThrown(thrown)));
}

describe('findUncloneable', () => {
  it('accepts anything structured clone accepts (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(findUncloneable(value, 'payload')).toBeUndefined();
        expect(() => structuredClone(value)).not.toThrow();
      }),
    );
  });

  it('finds what structured clone refuses, with its path', () => {
    const cases: [unknown, string][] = [
      [{ a: { b: [0, 0, { c: () => 0 }] } }, 'payload.a.b[2].c'],
      [new Set([1, Symbol('x')]), 'payload<set entry 1>'],
      [new Map([[() => 0, 1]]), 'payload<map key 0>'],
      [[new WeakSet()], 'payload[0]'],
      [{ r: new WeakRef({}) }, 'payload.r'],
      [{ '0bad': { 'a-b': Symbol('s') } }, 'payload["0bad"]["a-b"]'],
      [Symbol('top'), 'payload'],
    ];
    for (const [value, path] of cases) {
      expect(findUncloneable(value, 'payload')?.path).toBe(path);
      expect(() => structuredClone(value)).toThrow();
    }
  });

  it('does not look inside typed arrays, buffers, dates, errors; survives deep nesting and cycles', () => {
    const ok = { t: new Float64Array(1e5), sab: new SharedArrayBuffer(8), d: new Date(), e: new Error('x'), n: new Number(1) };
    expect(findUncloneable(ok, 'p')).toBeUndefined();
    let deep: Record<string, unknown> = { leaf: () => 0 };
    for (let i = 0; i < 50_000; i++) deep = { next: deep };
    expect(findUncloneable(deep, 'p')?.path).toMatch(/^p(\.next){50000}\.leaf$/);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(findUncloneable(cycle, 'p')).toBeUndefined();
  });
});

describe('error transport', () => {
  it('revives Theus errors as their class with fields, name and stack', () => {
    const original = new ConflictError('lost', { expectedVersion: 1, actualVersion: 2, paths: ['domain.x'] });
    const revived = roundTrip(original);
    expect(revived).toBeInstanceOf(ConflictError);
    expect(revived).toEqual(original);
    expect(revived.stack).toBe(original.stack);
    expect(Object.keys(revived).sort()).toEqual(Object.keys(original).sort());

    const schema = roundTrip(new SchemaViolationError('bad', [{ message: 'm', path: ['a', 0] }]));
    expect(schema).toBeInstanceOf(SchemaViolationError);
    expect(schema.issues).toEqual([{ message: 'm', path: ['a', 0] }]);

    const capacity = roundTrip(new CapacityExceededError('full', { requestedBytes: 3, usedBytes: 2, capacityBytes: 4 }));
    expect(capacity).toBeInstanceOf(CapacityExceededError);
    expect(capacity).toMatchObject({ code: 'CAPACITY_EXCEEDED', requestedBytes: 3 });
  });

  it('keeps unknown classes as Error with their name, drops uncloneable fields, keeps cause and errors', () => {
    class Weird extends Error {
      hook = (): number => 1;
      detail = { n: 1 };
    }
    const weird = new Weird('odd');
    weird.name = 'Weird';
    const revived = roundTrip(weird);
    expect(revived).toBeInstanceOf(Error);
    expect(revived).toMatchObject({ name: 'Weird', message: 'odd', detail: { n: 1 } });
    expect(revived.hook).toBeUndefined();

    const aggregate = roundTrip(new AggregateError([new TypeError('a'), 'b'], 'many', { cause: new TheusError('X', 'root') }));
    expect(aggregate).toBeInstanceOf(AggregateError);
    expect(aggregate.errors[0]).toBeInstanceOf(TypeError);
    expect(aggregate.errors[1]).toBe('b');
    expect(aggregate.cause).toBeInstanceOf(TheusError);
    expect(aggregate.cause.code).toBe('X');
  });

  it('never lets a revived field touch the prototype chain', () => {
    const forged = {
      kind: 'error' as const,
      name: 'Error',
      message: 'm',
      stack: undefined,
      lineage: ['Error'],
      fields: JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1, "ok": 2}') as Record<string, unknown>,
    };
    const revived = reviveThrown(forged) as Record<string, unknown>;
    expect(revived.ok).toBe(2);
    expect(Object.getPrototypeOf(revived)).toBe(Error.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(revived, 'constructor')).toBe(false);
  });

  it('turns uncloneable thrown values into a description', () => {
    expect(roundTrip(() => 0)).toMatch(/uncloneable thrown value \(a function/);
    expect(roundTrip({ reason: 'x' })).toEqual({ reason: 'x' });
  });
});
