import { describe, expect, it } from 'vitest';
import { State } from '../../src/core/state.js';
import { Transaction } from '../../src/core/transaction.js';

/**
 * A State holds its roots container privately and may receive it unfrozen from a commit; every
 * way it can be observed must still see frozen, immutable data.
 */
describe('the roots container', () => {
  it('is frozen wherever it is handed out, after create and after commits', () => {
    let s = State.create({ domain: { a: { n: 1 } } });
    expect(Object.isFrozen(s.data)).toBe(true);
    for (let i = 0; i < 3; i++) {
      const tx = s.transaction();
      tx.domain.a.n = i;
      s = tx.commit();
      expect(Object.isFrozen(s.data)).toBe(true);
      expect(Object.isFrozen(s.domain)).toBe(true);
      expect(Object.isFrozen(s.domain.a)).toBe(true);
      expect(() => {
        'use strict';
        (s.data as Record<string, unknown>).domain = {};
      }).toThrow(TypeError);
    }
    expect(s.domain.a.n).toBe(2);
  });

  it('a new version never shares a mutable container with its base', () => {
    const s0 = State.create({ domain: { x: 1 } });
    const tx = s0.transaction();
    tx.domain.x = 2;
    const s1 = tx.commit();
    const tx2 = s1.transaction();
    tx2.domain.x = 3;
    const s2 = tx2.commit();
    expect([s0.domain.x, s1.domain.x, s2.domain.x]).toEqual([1, 2, 3]);
    expect(s1.data).not.toBe(s2.data);
    expect(s0.data).not.toBe(s1.data);
  });

  it('an unmodified root stored as a value enters state frozen', () => {
    const s = State.create({ domain: { x: 1 } });
    const tx = s.transaction();
    const all = tx.all;
    tx.domain.copy = all;
    const next = tx.commit();
    expect(Object.isFrozen(next.domain.copy)).toBe(true);
    expect(next.domain.copy.domain.x).toBe(1);
  });

  it('finish() hands the engine a frozen roots container', () => {
    const s = State.create({ domain: { x: 1 } });
    const tx = new Transaction(s);
    tx.domain.x = 2;
    const { root } = tx.finish();
    expect(Object.isFrozen(root)).toBe(true);
  });

  it('tx.all works without tx.domain having been read, and after it', () => {
    const s = State.create({ domain: { x: 1 }, global: { g: 1 } });
    const tx = s.transaction();
    expect(tx.domain.x).toBe(1);
    const all = tx.all;
    expect(all.domain).toBe(tx.domain);
    all.global.g = 2;
    expect(tx.commit().global.g).toBe(2);
  });
});

describe('child drafts kept before and after a node hands out a second one', () => {
  it('Map keys compare by SameValueZero, NaN included', () => {
    const s = State.create({ domain: { m: new Map<unknown, { v: number }>([[NaN, { v: 1 }], ['k', { v: 2 }]]) } });
    const tx = s.transaction();
    const m = tx.domain.m as Map<unknown, { v: number }>;
    expect(m.get(NaN)).toBe(m.get(NaN));
    m.get(NaN)!.v = 10;
    m.get('k')!.v = 20;
    expect(m.get(NaN)!.v).toBe(10);
    const next = tx.commit();
    expect(next.domain.m.get(NaN).v).toBe(10);
    expect(next.domain.m.get('k').v).toBe(20);
  });

  it('a reassigned key drops its child, with one child or several', () => {
    const records: Record<string, { n: number }> = {};
    for (let i = 0; i < 200; i++) records[`r${i}`] = { n: i };
    const s = State.create({ domain: { one: { a: { n: 1 } }, wide: records } });
    const tx = s.transaction();
    const a = tx.domain.one.a;
    a.n = 5;
    tx.domain.one.a = { n: 7 };
    const w = tx.domain.wide;
    w.r1.n = -1;
    w.r2.n = -2;
    w.r1 = { n: 100 };
    const next = tx.commit();
    expect(next.domain.one.a.n).toBe(7);
    expect(next.domain.wide.r1.n).toBe(100);
    expect(next.domain.wide.r2.n).toBe(-2);
    expect(s.domain.wide.r2.n).toBe(2);
  });
});
