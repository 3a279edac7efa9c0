import { describe, expect, it } from 'vitest';
import { StaleReferenceError, TheusError } from '../../src/errors.js';
import { isCommitted, State, toPlain, Transaction } from '../../src/core/index.js';
import { theusError, thrown } from './support.js';

const SEP = '\u0000';
const key = (...segs: (string | number)[]) => segs.join(SEP);

function base() {
  return State.create({
    domain: {
      user: { name: 'Alice', profile: { age: 30, address: { city: 'Paris' } }, tags: ['a'] },
      cfg: { retries: 3 },
      list: [{ id: 1 }, { id: 2 }],
      counter: 0,
    },
    global: { flags: { beta: false } },
  });
}

describe('reads', () => {
  it('returns primitives as they are and containers as proxies over the snapshot', () => {
    const s = base();
    const tx = s.transaction();
    expect(tx.domain.counter).toBe(0);
    expect(tx.domain.user.profile.address.city).toBe('Paris');
    expect(tx.domain.user).not.toBe(s.domain.user);
    expect(toPlain(tx.domain.user)).toEqual(toPlain(s.domain.user));
    expect(tx.domain.missing).toBeUndefined();
    expect(tx.global.flags.beta).toBe(false);
    tx.rollback();
  });

  it('hands out the same child proxy every time (tx.domain.a === tx.domain.a)', () => {
    const tx = base().transaction();
    expect(tx.domain).toBe(tx.domain);
    expect(tx.domain.user).toBe(tx.domain.user);
    expect(tx.domain.user.profile.address).toBe(tx.domain.user.profile.address);
    expect(tx.domain.list[0]).toBe(tx.domain.list[0]);
    const profile = tx.domain.user.profile;
    tx.domain.user.name = 'Bob';
    expect(tx.domain.user.profile).toBe(profile);
    tx.domain.list.push({ id: 3 });
    expect(tx.domain.list[2]).toBe(tx.domain.list[2]);
    expect(tx.root('domain')).toBe(tx.domain);
    expect(tx.all.domain).toBe(tx.domain);
  });

  it('supports duck typing: in, Object.keys/entries, spread, iteration, JSON', () => {
    const tx = base().transaction();
    expect('user' in tx.domain).toBe(true);
    expect('nope' in tx.domain).toBe(false);
    expect(Object.keys(tx.domain)).toEqual(['user', 'cfg', 'list', 'counter']);
    expect(Object.entries(tx.domain.cfg)).toEqual([['retries', 3]]);
    expect({ ...tx.domain.cfg }).toEqual({ retries: 3 });
    expect(tx.domain.list.map((x: { id: number }) => x.id)).toEqual([1, 2]);
    expect([...tx.domain.user.tags]).toEqual(['a']);
    expect(tx.domain.list.length).toBe(2);
    expect(JSON.parse(JSON.stringify(tx.domain.user))).toEqual(toPlain(tx.base.domain.user));
    // duck typing: inherited methods called on the proxy itself
    // eslint-disable-next-line no-prototype-builtins
    expect(tx.domain.hasOwnProperty('cfg')).toBe(true);
    expect(Object.prototype.hasOwnProperty.call(tx.domain, 'nope')).toBe(false);
    expect(tx.domain.user instanceof Object).toBe(true);
    expect(String(tx.domain.user.tags)).toBe('a');
  });

  it('toJSON / toDict / toPlain give plain mutable copies that do not write back', () => {
    const tx = base().transaction();
    tx.domain.user.name = 'Bob';
    const d = tx.domain.user.toDict();
    expect(d).toEqual({ name: 'Bob', profile: { age: 30, address: { city: 'Paris' } }, tags: ['a'] });
    d.name = 'Nobody';
    d.profile.age = 1;
    expect(tx.domain.user.name).toBe('Bob');
    expect(tx.domain.user.profile.age).toBe(30);
    expect(tx.domain.user.toJSON()).toEqual(toPlain(tx.domain.user));
    expect(isCommitted(toPlain(tx.domain.user))).toBe(false);
    expect(Object.isFrozen(toPlain(tx.domain.user).profile)).toBe(false);
  });
});

describe('writes', () => {
  it('writes at depth, with read-your-writes, and commits them', () => {
    const s0 = base();
    const tx = s0.transaction();
    tx.domain.user.profile.address.city = 'Lyon';
    tx.domain.user.profile.address.zip = '69000';
    tx.domain.counter += 1;
    tx.global.flags.beta = true;
    expect(tx.domain.user.profile.address.city).toBe('Lyon');
    expect(tx.domain.counter).toBe(1);
    const s1 = tx.commit();
    expect(s1.domain.user.profile.address).toEqual({ city: 'Lyon', zip: '69000' });
    expect(s1.domain.counter).toBe(1);
    expect(s1.global.flags.beta).toBe(true);
    expect(s0.domain.user.profile.address).toEqual({ city: 'Paris' });
    expect(s0.domain.counter).toBe(0);
  });

  it('creates nested new objects and keeps writing into them through the proxy', () => {
    const tx = base().transaction();
    tx.domain.created = { a: { b: [] } };
    tx.domain.created.a.b.push({ c: 1 });
    tx.domain.created.a.b[0].c = 2;
    tx.domain.created.a.d = new Map([['k', 1]]);
    tx.domain.created.a.d.set('j', 2);
    const s1 = tx.commit();
    expect(toPlain(s1.domain.created)).toEqual({ a: { b: [{ c: 2 }], d: new Map([['k', 1], ['j', 2]]) } });
  });

  it('copies on write only the node and its ancestors (structural sharing)', () => {
    const s0 = base();
    const s1 = s0.transaction((tx) => {
      tx.domain.user.profile.age = 31;
    });
    expect(s1.domain.cfg).toBe(s0.domain.cfg);
    expect(s1.domain.list).toBe(s0.domain.list);
    expect(s1.domain.user.tags).toBe(s0.domain.user.tags);
    expect(s1.domain.user.profile.address).toBe(s0.domain.user.profile.address);
    expect(s1.global).toBe(s0.global);
    expect(s1.domain.user.profile).not.toBe(s0.domain.user.profile);
  });

  it('reading without writing copies nothing: the committed result is the base object', () => {
    const s0 = base();
    const s1 = s0.transaction((tx) => {
      void tx.domain.user.profile.address.city;
      void Object.keys(tx.domain.list[0]);
    });
    expect(s1.domain).toBe(s0.domain);
  });

  it('writing the same value does not count as a change', () => {
    const s0 = base();
    const tx = s0.transaction();
    tx.domain.cfg.retries = 3;
    expect(tx.delta()).toEqual([]);
    expect(tx.commit().domain).toBe(s0.domain);
  });

  it('deletes keys (delete operator) and the deletion commits', () => {
    const s0 = base();
    const s1 = s0.transaction((tx) => {
      delete tx.domain.cfg;
      delete tx.domain.user.profile.address.city;
      expect('cfg' in tx.domain).toBe(false);
      expect(delete tx.domain.nothing).toBe(true);
    });
    expect('cfg' in s1.domain).toBe(false);
    expect(s1.domain.user.profile.address).toEqual({});
    expect(s0.domain.cfg).toEqual({ retries: 3 });
  });

  it('deleting then re-adding a key puts it last, like a plain object', () => {
    const s1 = base().transaction((tx) => {
      delete tx.domain.user;
      tx.domain.user = { name: 'Z' };
    });
    expect(Object.keys(s1.domain)).toEqual(['cfg', 'list', 'counter', 'user']);
  });

  it('replaces a subtree and then writes into the replacement', () => {
    const s1 = base().transaction((tx) => {
      const oldProfile = tx.domain.user.profile;
      tx.domain.user.profile = { age: 1 };
      tx.domain.user.profile.age = 2;
      // the detached proxy is a separate, discarded object, like a replaced plain object
      oldProfile.age = 99;
    });
    expect(toPlain(s1.domain.user.profile)).toEqual({ age: 2 });
  });

  it('assignment has value semantics: the written object is copied, later caller edits do not leak in', () => {
    const tx = base().transaction();
    const mine = { n: 1, inner: { m: 1 } };
    tx.domain.mine = mine;
    mine.n = 2;
    mine.inner.m = 2;
    expect(tx.domain.mine.n).toBe(1);
    expect(Object.isFrozen(mine)).toBe(false);
    const s1 = tx.commit();
    expect(toPlain(s1.domain.mine)).toEqual({ n: 1, inner: { m: 1 } });
  });

  it('assigning a draft stores a snapshot of it, not an alias', () => {
    const tx = base().transaction();
    tx.domain.user.name = 'Bob';
    tx.domain.copy = tx.domain.user;
    tx.domain.user.name = 'Carol';
    tx.domain.copy.profile.age = 50;
    expect(tx.domain.copy.name).toBe('Bob');
    expect(tx.domain.user.profile.age).toBe(30);
    const s1 = tx.commit();
    expect(s1.domain.copy.name).toBe('Bob');
    expect(s1.domain.user.name).toBe('Carol');
    expect(s1.domain.copy.profile.age).toBe(50);
    expect(s1.domain.user.profile.age).toBe(30);
  });

  it('assigning a node into its own subtree stores a snapshot: no cycle is created', () => {
    const s1 = base().transaction((tx) => {
      tx.domain.cfg.retries = 4;
      tx.domain.cfg.self = tx.domain.cfg;
      tx.domain.cfg.retries = 5;
    });
    expect(toPlain(s1.domain.cfg)).toEqual({ retries: 5, self: { retries: 4 } });
  });

  it('values nested deeper than the limit are refused with a typed error', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 1500; i++) {
      const next = {};
      deep.n = next;
      deep = next;
    }
    theusError(() => State.create({ domain: { root } }), 'UNSUPPORTED_VALUE', 'domain.root');
    const tx = base().transaction();
    theusError(() => (tx.domain.root = root), 'UNSUPPORTED_VALUE');
    expect(tx.delta()).toEqual([]);
  });

  it('assigning an unmodified draft shares the committed subtree', () => {
    const s0 = base();
    const s1 = s0.transaction((tx) => {
      tx.domain.cfg2 = tx.domain.cfg;
    });
    expect(s1.domain.cfg2).toBe(s0.domain.cfg);
  });

  it('assigning committed data from another version shares it', () => {
    const s0 = base();
    const other = State.create({ domain: { big: { deep: [1, 2, 3] } } });
    const s1 = s0.transaction((tx) => {
      tx.domain.imported = other.domain.big;
    });
    expect(s1.domain.imported).toBe(other.domain.big);
  });

  it('can add new roots through tx.all, and reads namespaces through tx.root', () => {
    const s0 = State.create({ domain: {}, billing: { total: 1 } });
    const s1 = s0.transaction((tx) => {
      tx.root('billing').total = 2;
      tx.all.extra = { x: 1 };
      expect(tx.root('nope')).toBeUndefined();
    });
    expect(s1.get('billing').total).toBe(2);
    expect(s1.get('extra').x).toBe(1);
  });
});

describe('lifecycle', () => {
  it('commit returns version + 1 and leaves the base untouched', () => {
    const s0 = base();
    const snapshot = s0.toJSON();
    const tx = s0.transaction();
    expect(tx).toBeInstanceOf(Transaction);
    expect(tx.base).toBe(s0);
    expect(tx.active).toBe(true);
    tx.domain.counter = 5;
    const s1 = tx.commit();
    expect(tx.active).toBe(false);
    expect(s1.version).toBe(1);
    expect(s0.toJSON()).toEqual(snapshot);
  });

  it('rollback discards everything and is idempotent', () => {
    const s0 = base();
    const tx = s0.transaction();
    tx.domain.counter = 5;
    tx.rollback();
    tx.rollback();
    expect(tx.active).toBe(false);
    expect(s0.domain.counter).toBe(0);
  });

  it('after commit or rollback every proxy and the transaction itself throw StaleReferenceError', () => {
    for (const end of ['commit', 'rollback'] as const) {
      const tx = base().transaction();
      const domain = tx.domain;
      const user = tx.domain.user;
      const list = tx.domain.list;
      const push = list.push;
      end === 'commit' ? tx.commit() : tx.rollback();
      const uses: (() => unknown)[] = [
        () => user.name,
        () => (user.name = 'x'),
        () => delete user.name,
        () => 'name' in user,
        () => Object.keys(domain),
        () => list.length,
        () => push.call(list, 1),
        () => tx.domain,
        () => tx.global,
        () => tx.all,
        () => tx.root('domain'),
        () => tx.delta(),
        () => tx.commit(),
        () => tx.finish(),
        () => JSON.stringify(user),
      ];
      for (const use of uses) {
        const err = thrown(use, StaleReferenceError, 'STALE_REFERENCE');
        expect(err.message).toMatch(end === 'commit' ? /committed/ : /rolled back/);
      }
    }
  });

  it('stale proxies cannot be smuggled into a new transaction', () => {
    const s0 = base();
    const tx1 = s0.transaction();
    const user = tx1.domain.user;
    tx1.commit();
    const tx2 = s0.transaction();
    thrown(() => (tx2.domain.u = user), StaleReferenceError, 'STALE_REFERENCE');
    thrown(() => (tx2.domain.u = { nested: [user] }), StaleReferenceError, 'STALE_REFERENCE');
    thrown(() => tx2.domain.list.push(user), StaleReferenceError, 'STALE_REFERENCE');
    expect(tx2.delta()).toEqual([]);
  });

  it('callback form: sync commits and returns the next State', () => {
    const s0 = base();
    const s1 = s0.transaction((tx) => {
      tx.domain.counter = 7;
    });
    expect(s1).toBeInstanceOf(State);
    expect(s1.version).toBe(1);
    expect(s1.domain.counter).toBe(7);
  });

  it('callback form: a throw rolls back and rethrows the same error', () => {
    const s0 = base();
    let leaked: any;
    const boom = new Error('boom');
    expect(() =>
      s0.transaction((tx) => {
        leaked = tx;
        tx.domain.counter = 7;
        throw boom;
      }),
    ).toThrow(boom);
    expect(leaked.active).toBe(false);
    expect(s0.domain.counter).toBe(0);
    thrown(() => leaked.domain, StaleReferenceError);
  });

  it('callback form: async resolves to the next State', async () => {
    const s0 = base();
    const s1 = await s0.transaction(async (tx) => {
      await Promise.resolve();
      tx.domain.counter = 8;
    });
    expect(s1.version).toBe(1);
    expect(s1.domain.counter).toBe(8);
  });

  it('callback form: an async rejection rolls back and rejects with the same error', async () => {
    const s0 = base();
    let leaked: Transaction | undefined;
    const boom = new TheusError('ABORTED', 'stop');
    await expect(
      s0.transaction(async (tx) => {
        leaked = tx;
        tx.domain.counter = 9;
        await Promise.resolve();
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(leaked!.active).toBe(false);
    expect(s0.domain.counter).toBe(0);
  });

  it('transactions on the same base are isolated from each other', () => {
    const s0 = base();
    const a = s0.transaction();
    const b = s0.transaction();
    a.domain.counter = 1;
    expect(b.domain.counter).toBe(0);
    b.domain.user.name = 'B';
    expect(a.domain.user.name).toBe('Alice');
    const sa = a.commit();
    const sb = b.commit();
    expect(sa.domain.user.name).toBe('Alice');
    expect(sb.domain.counter).toBe(0);
    expect(sa.version).toBe(1);
    expect(sb.version).toBe(1);
  });

  it('a proxy from another live transaction is assigned as a snapshot', () => {
    const s0 = base();
    const a = s0.transaction();
    a.domain.user.name = 'FromA';
    const b = s0.transaction();
    b.domain.fromA = a.domain.user;
    a.domain.user.name = 'LaterA';
    const sb = b.commit();
    expect(sb.domain.fromA.name).toBe('FromA');
    expect(sb.domain.user.name).toBe('Alice');
    expect(a.commit().domain.user.name).toBe('LaterA');
  });

  it('new Transaction() needs a State', () => {
    theusError(() => new Transaction({} as any), 'INVALID_ARGUMENT');
  });
});

describe('finish(): conflict keys for the engine', () => {
  it('reports written leaves as write keys and additions as structure changes of the parent', () => {
    const tx = base().transaction();
    tx.domain.user.name = 'Bob';
    tx.domain.cfg.timeout = 5;
    const r = tx.finish();
    expect(r.writes.has(key('domain', 'user', 'name'))).toBe(true);
    expect(r.writes.has(key('domain', 'cfg', 'timeout'))).toBe(true);
    expect(r.writes.has(key('domain', 'cfg') + SEP + '\u0001')).toBe(true);
    expect(r.writes.has(key('domain', 'user') + SEP + '\u0001')).toBe(false);
    expect(r.reads.size).toBe(0);
    expect(r.ops).toEqual([
      { op: 'replace', path: ['domain', 'user', 'name'], value: 'Bob' },
      { op: 'add', path: ['domain', 'cfg', 'timeout'], value: 5 },
    ]);
    expect((r.root as any).domain.user.name).toBe('Bob');
    expect(tx.active).toBe(false);
  });

  it('reports writes inside arrays at the array', () => {
    const tx = base().transaction();
    tx.domain.list[1].id = 20;
    const r = tx.finish();
    expect([...r.writes]).toEqual([key('domain', 'list')]);
    expect(r.ops).toEqual([{ op: 'replace', path: ['domain', 'list', 1, 'id'], value: 20 }]);
  });

  it('records read keys only with trackReads', () => {
    const tx = new Transaction(base(), { trackReads: true });
    void tx.domain.user.profile.age;
    void tx.domain.list[0].id;
    const r = tx.finish();
    expect(r.reads.has(key('domain', 'user', 'profile', 'age'))).toBe(true);
    expect(r.reads.has(key('domain', 'list'))).toBe(true);
    expect(r.reads.has(key('domain', 'list', 0, 'id'))).toBe(false);
    expect(r.writes.size).toBe(0);
    // navigating through a node depends on its presence, not its whole content
    expect(r.reads.has(key('domain', 'user'))).toBe(false);
    expect(r.reads.has(key('domain', 'user') + SEP + '\u0002')).toBe(true);
  });

  it('records enumeration as a dependency on the key set', () => {
    const tx = new Transaction(base(), { trackReads: true });
    Object.keys(tx.domain.cfg);
    const r = tx.finish();
    expect(r.reads.has(key('domain', 'cfg') + SEP + '\u0001')).toBe(true);
  });

  it('a finished transaction is stale like a committed one', () => {
    const tx = base().transaction();
    const d = tx.domain;
    tx.finish();
    thrown(() => d.user, StaleReferenceError);
    thrown(() => tx.finish(), StaleReferenceError);
  });
});

describe('callback form and explicit rollback', () => {
  it('a callback that rolls back itself returns the base state, sync and async', async () => {
    const s0 = State.create({ domain: { n: 1 } });
    const s1 = s0.transaction((tx) => {
      tx.domain.n = 2;
      tx.rollback();
    });
    expect(s1).toBe(s0);
    const s2 = await s0.transaction(async (tx) => {
      tx.domain.n = 3;
      tx.rollback();
    });
    expect(s2).toBe(s0);
    expect(s0.domain.n).toBe(1);
  });
});
