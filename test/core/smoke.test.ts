import { describe, expect, it } from 'vitest';
import { State } from '../../src/core/index.js';

describe('smoke', () => {
  it('basic tx', () => {
    const s0 = State.create({ domain: { a: { b: 1 }, c: { d: 2 }, items: [1, 2], m: new Map([['x', { y: 1 }]]) } });
    const tx = s0.transaction();
    tx.domain.a.b = 5;
    tx.domain.items.push(3);
    tx.domain.m.get('x').y = 9;
    tx.domain.n = { z: [1] };
    delete tx.domain.c;
    console.log(JSON.stringify(tx.delta()));
    const s1 = tx.commit();
    expect(s1.version).toBe(1);
    expect(s1.domain.a.b).toBe(5);
    expect(s0.domain.a.b).toBe(1);
    expect(s1.domain.items).toEqual([1, 2, 3]);
    expect(s1.domain.m.get('x').y).toBe(9);
    expect(s1.domain.c).toBeUndefined();
    expect(() => { s1.domain.a.b = 3; }).toThrow();
    expect(() => tx.domain).toThrow();
  });
});
