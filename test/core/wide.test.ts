import { describe, expect, it } from 'vitest';
import { ContextLockedError, PermissionDeniedError } from '../../src/errors.js';
import { isCommitted, State, toPlain } from '../../src/core/index.js';
import { describeDeep, theusError, thrown } from './support.js';

/** More than 128 keys, with integer-like keys mixed in so key order rules are exercised. */
function wideInput(n = 200): Record<string, unknown> {
  const o: Record<string, unknown> = { zeta: 'first-string-key' };
  for (let i = 0; i < n; i++) o[`k${i}`] = { i };
  o['10'] = 'ten';
  o['2'] = 'two';
  return o;
}

describe('wide records (> 128 keys)', () => {
  it('read like a plain object: values, in, Object.keys order, entries, JSON', () => {
    const input = wideInput();
    const s = State.create({ domain: { big: input } });
    const big = s.domain.big;
    expect(big.k7.i).toBe(7);
    expect(big['10']).toBe('ten');
    expect(big.missing).toBeUndefined();
    expect('k199' in big).toBe(true);
    expect('k200' in big).toBe(false);
    expect('toString' in big).toBe(true);
    expect(Object.keys(big)).toEqual(Object.keys(input));
    expect(Object.entries(big).length).toBe(Object.keys(input).length);
    expect(JSON.stringify(big)).toBe(JSON.stringify(input));
    expect(Object.getPrototypeOf(big)).toBe(Object.prototype);
    expect(Object.isFrozen(big.k3)).toBe(true);
    expect(isCommitted(big)).toBe(true);
    const plain = toPlain(big) as Record<string, unknown>;
    expect(describeDeep(plain)).toEqual(describeDeep(input));
    plain.k1 = 'mutable';
    expect(big.k1).toEqual({ i: 1 });
  });

  it('committed wide records reject writes with ContextLockedError', () => {
    const s = State.create({ domain: { big: wideInput() } });
    thrown(() => (s.domain.big.k1 = 1), ContextLockedError, 'CONTEXT_LOCKED');
    thrown(() => delete s.domain.big.k1, ContextLockedError);
    thrown(() => Object.defineProperty(s.domain.big, 'x', { value: 1 }), ContextLockedError);
    thrown(() => Object.setPrototypeOf(s.domain.big, null), ContextLockedError);
    expect(() => (s.domain.big.k1.i = 5)).toThrow(TypeError);
    thrown(() => (s.domainProxy().big.k1 = 1), ContextLockedError);
    thrown(() => (s.domainProxy({ readOnly: true }).big.k1.i = 1), PermissionDeniedError);
    expect(s.domain.big.k1).toEqual({ i: 1 });
  });

  it('reads, writes, deep writes, additions and deletes commit, keeping plain-object key order', () => {
    const input = wideInput();
    const s0 = State.create({ domain: { big: input } });
    const model = structuredClone(input) as Record<string, any>;
    const tx = s0.transaction();
    const big = tx.domain.big;
    expect(big).toBe(tx.domain.big);
    expect(big.k5).toBe(big.k5);
    big.k3.i = 33;
    model.k3.i = 33;
    big.added = { deep: [1] };
    model.added = { deep: [1] };
    big.added.deep.push(2);
    model.added.deep.push(2);
    big['1'] = 'one';
    model['1'] = 'one';
    delete big.k4;
    delete model.k4;
    delete big.k0;
    big.k0 = 'back at the end';
    delete model.k0;
    model.k0 = 'back at the end';
    expect(big.k3.i).toBe(33);
    expect('k4' in big).toBe(false);
    expect(Object.keys(big)).toEqual(Object.keys(model));
    expect(JSON.stringify(big)).toBe(JSON.stringify(model));
    const s1 = tx.commit();
    expect(Object.keys(s1.domain.big)).toEqual(Object.keys(model));
    expect(describeDeep(toPlain(s1.domain.big))).toEqual(describeDeep(model));
    // base untouched, untouched values shared
    expect(describeDeep(toPlain(s0.domain.big))).toEqual(describeDeep(input));
    expect(s1.domain.big.k100).toBe(s0.domain.big.k100);
  });

  it('delta lists only the touched keys of a wide record', () => {
    const s0 = State.create({ domain: { big: wideInput() } });
    const tx = s0.transaction();
    tx.domain.big.k9.i = 90;
    tx.domain.big.newKey = 1;
    delete tx.domain.big.k8;
    const ops = tx.delta();
    expect(ops).toHaveLength(3);
    expect(ops).toEqual(
      expect.arrayContaining([
        { op: 'replace', path: ['domain', 'big', 'k9', 'i'], value: 90 },
        { op: 'add', path: ['domain', 'big', 'newKey'], value: 1 },
        { op: 'remove', path: ['domain', 'big', 'k8'] },
      ]),
    );
  });

  it('a record shrinking below 64 keys becomes a frozen plain object again; between 64 and 128 it stays wide', () => {
    const s0 = State.create({ domain: { big: wideInput() } });
    const s1 = s0.transaction((tx) => {
      for (let i = 0; i < 150; i++) delete tx.domain.big[`k${i}`];
    });
    expect(Object.keys(s1.domain.big).length).toBe(53);
    expect(Object.isFrozen(s1.domain.big)).toBe(true);
    expect(Object.keys(s1.domain.big).slice(0, 3)).toEqual(['2', '10', 'zeta']);
    const s2 = s0.transaction((tx) => {
      for (let i = 0; i < 100; i++) delete tx.domain.big[`k${i}`];
    });
    expect(Object.keys(s2.domain.big).length).toBe(103);
    expect(isCommitted(s2.domain.big)).toBe(true);
    thrown(() => (s2.domain.big.x = 1), ContextLockedError);
  });

  it('a plain object growing past 128 keys becomes wide and keeps its order', () => {
    const s0 = State.create({ domain: { cfg: { a: 1 } } });
    const model: Record<string, unknown> = { a: 1 };
    const s1 = s0.transaction((tx) => {
      for (let i = 0; i < 140; i++) {
        tx.domain.cfg[`x${i}`] = i;
        model[`x${i}`] = i;
      }
    });
    expect(Object.keys(s1.domain.cfg)).toEqual(Object.keys(model));
    expect(s1.domain.cfg.x139).toBe(139);
    thrown(() => (s1.domain.cfg.a = 2), ContextLockedError);
    const s2 = s1.transaction((tx) => {
      tx.domain.cfg.x0 = 'changed';
    });
    expect(s2.domain.cfg.x0).toBe('changed');
    expect(s1.domain.cfg.x0).toBe(0);
  });

  it('spread and Object.assign of a wide proxy give all keys', () => {
    const input = wideInput();
    const tx = State.create({ domain: { big: input } }).transaction();
    expect(Object.keys({ ...tx.domain.big })).toEqual(Object.keys(input));
    expect(Object.keys(Object.assign({}, tx.domain.big)).length).toBe(Object.keys(input).length);
  });

  it('hostile keys are refused in wide records too', () => {
    const hostile = JSON.parse('{"__proto__":{"x":1}}') as Record<string, unknown>;
    for (let i = 0; i < 200; i++) hostile[`a${i}`] = i;
    theusError(() => State.create({ domain: { hostile } }), 'INVALID_PATH');
    const tx = State.create({ domain: { big: wideInput() } }).transaction();
    theusError(() => (tx.domain.big.__proto__ = {}), 'INVALID_PATH');
    theusError(() => (tx.domain.big.constructor = 1), 'INVALID_PATH');
    theusError(() => tx.domain.big.__proto__, 'INVALID_PATH');
    expect(tx.delta()).toEqual([]);
  });

  it('old versions of a wide record are unchanged after many transactions', () => {
    const s0 = State.create({ domain: { big: wideInput(300) } });
    const before = JSON.stringify(s0.domain.big);
    let s = s0;
    for (let round = 0; round < 5; round++) {
      s = s.transaction((tx) => {
        for (let i = round; i < 300; i += 7) tx.domain.big[`k${i}`] = round;
        delete tx.domain.big[`k${round * 11}`];
      });
    }
    expect(JSON.stringify(s0.domain.big)).toBe(before);
    expect(s.domain.big.k4).toBe(4);
  });
});
