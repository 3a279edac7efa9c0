import { describe, expect, it } from 'vitest';
import { isCommitted, State, toPlain, type Transaction } from '../../src/core/index.js';
import { applyDelta, describeDeep } from './support.js';

function base() {
  return State.create({
    domain: {
      user: { name: 'Alice', profile: { age: 30 } },
      list: [{ id: 1 }, { id: 2 }, { id: 3 }],
      m: new Map<unknown, unknown>([['a', { v: 1 }], [1, 'one']]),
      s: new Set([1, 2]),
      at: new Date(0),
    },
    global: { g: 1 },
  });
}

/** Replays the delta of `tx` on a plain copy of its base and checks it equals the committed state. */
function replayMatches(tx: Transaction): void {
  const ops = tx.delta();
  const replayed = applyDelta(toPlain(tx.base.data) as Record<string, unknown>, ops);
  const committed = tx.commit();
  expect(describeDeep(replayed)).toEqual(describeDeep(committed.toJSON()));
}

describe('tx.delta()', () => {
  it('is empty for a fresh or read-only transaction', () => {
    const tx = base().transaction();
    expect(tx.delta()).toEqual([]);
    void tx.domain.user.profile.age;
    void [...tx.domain.m.values()];
    expect(tx.delta()).toEqual([]);
  });

  it('lists replace / add / remove with array paths', () => {
    const tx = base().transaction();
    tx.domain.user.name = 'Bob';
    tx.domain.user.email = 'b@x';
    delete tx.domain.user.profile;
    tx.global.g = 2;
    expect(tx.delta()).toEqual([
      { op: 'replace', path: ['domain', 'user', 'name'], value: 'Bob' },
      { op: 'add', path: ['domain', 'user', 'email'], value: 'b@x' },
      { op: 'remove', path: ['domain', 'user', 'profile'] },
      { op: 'replace', path: ['global', 'g'], value: 2 },
    ]);
  });

  it('reports array changes by position: replace in common prefix, add past the end, remove from the end', () => {
    const tx = base().transaction();
    tx.domain.list[0].id = 10;
    tx.domain.list.push({ id: 4 });
    expect(tx.delta()).toEqual([
      { op: 'replace', path: ['domain', 'list', 0, 'id'], value: 10 },
      { op: 'add', path: ['domain', 'list', 3], value: { id: 4 } },
    ]);
    const tx2 = base().transaction();
    tx2.domain.list.splice(0, 2);
    expect(tx2.delta()).toEqual([
      { op: 'replace', path: ['domain', 'list', 0], value: { id: 3 } },
      { op: 'remove', path: ['domain', 'list', 2] },
      { op: 'remove', path: ['domain', 'list', 1] },
    ]);
  });

  it('reports Map keys as path segments; Sets and Dates as whole replacements', () => {
    const tx = base().transaction();
    tx.domain.m.get('a').v = 2;
    tx.domain.m.set('b', 3);
    tx.domain.m.delete(1);
    tx.domain.s.add(3);
    tx.domain.at.setTime(5);
    const ops = tx.delta();
    expect(ops).toContainEqual({ op: 'replace', path: ['domain', 'm', 'a', 'v'], value: 2 });
    expect(ops).toContainEqual({ op: 'add', path: ['domain', 'm', 'b'], value: 3 });
    expect(ops).toContainEqual({ op: 'remove', path: ['domain', 'm', 1] });
    const setOp = ops.find((o) => o.path[1] === 's')!;
    expect(setOp.op).toBe('replace');
    expect([...(setOp.value as Set<number>)]).toEqual([1, 2, 3]);
    const dateOp = ops.find((o) => o.path[1] === 'at')!;
    expect((dateOp.value as Date).getTime()).toBe(5);
  });

  it('values in ops are committed (frozen) data, not proxies', () => {
    const tx = base().transaction();
    tx.domain.fresh = { a: { b: [1] } };
    tx.domain.user.profile = { age: 1 };
    for (const op of tx.delta()) {
      expect(isCommitted(op.value)).toBe(true);
      expect(Object.isFrozen(op.value)).toBe(true);
    }
  });

  it('does not end the transaction and follows later writes', () => {
    const tx = base().transaction();
    tx.domain.user.name = 'Bob';
    expect(tx.delta()).toHaveLength(1);
    tx.domain.user.name = 'Alice';
    expect(tx.delta()).toEqual([]);
    tx.domain.user.name = 'Carol';
    expect(tx.active).toBe(true);
    expect(tx.commit().domain.user.name).toBe('Carol');
  });

  it('commit() produces the same ops as the last delta()', () => {
    const tx = base().transaction();
    tx.domain.list.reverse();
    tx.domain.user.profile.age++;
    const before = JSON.stringify(tx.delta());
    expect(JSON.stringify(tx.finish().ops)).toBe(before);
  });

  const scenarios: [string, (tx: Transaction) => void][] = [
    ['deep object writes', (tx) => ((tx.domain.user.profile.age = 31), (tx.domain.user.profile.city = 'Lyon'))],
    ['array growth', (tx) => tx.domain.list.push({ id: 4 }, { id: 5 })],
    ['array shrink', (tx) => tx.domain.list.splice(0, 2)],
    ['array reorder', (tx) => tx.domain.list.reverse()],
    ['array unshift + edit', (tx) => (tx.domain.list.unshift({ id: 0 }), (tx.domain.list[2].id = 20))],
    ['array sort by comparator', (tx) => tx.domain.list.sort((a: any, b: any) => b.id - a.id)],
    ['map edits', (tx) => (tx.domain.m.get('a').v++, tx.domain.m.set('z', [1]), tx.domain.m.delete(1))],
    ['map clear', (tx) => tx.domain.m.clear()],
    ['set edits', (tx) => (tx.domain.s.delete(1), tx.domain.s.add(9))],
    ['date edit', (tx) => tx.domain.at.setUTCFullYear(2000)],
    ['subtree replace then edit', (tx) => ((tx.domain.user = { name: 'Z', tags: [] }), tx.domain.user.tags.push('t'))],
    ['delete root key', (tx) => delete tx.domain.list],
    ['new root', (tx) => (tx.all.extra = { a: 1 })],
  ];
  for (const [name, run] of scenarios) {
    it(`replayed on the base reproduces the committed state: ${name}`, () => {
      const tx = base().transaction();
      run(tx);
      replayMatches(tx);
    });
  }
});
