import { describe, expect, it } from 'vitest';
import { ContextLockedError, PermissionDeniedError, TheusError } from '../../src/errors.js';
import { isCommitted, State, toPlain, Transaction } from '../../src/core/index.js';
import { theusError, thrown } from './support.js';

describe('INC-001: in-place collection mutations commit', () => {
  it('pop/append on a list, remove/add on a set, nested update on an object', () => {
    const s0 = State.create({ domain: { items: ['initial'], tags: new Set(['alpha']), meta: { nested: { count: 1 } } } });
    const s1 = s0.transaction((tx) => {
      tx.domain.items.shift();
      tx.domain.items.push('final');
      tx.domain.tags.delete('alpha');
      tx.domain.tags.add('omega');
      Object.assign(tx.domain.meta.nested, { count: 2 });
    });
    expect(toPlain(s1.domain.items)).toEqual(['final']);
    expect([...s1.domain.tags]).toEqual(['omega']);
    expect(s1.domain.meta.nested.count).toBe(2);
    expect(toPlain(s0.domain.items)).toEqual(['initial']);
    expect([...s0.domain.tags]).toEqual(['alpha']);
  });

  it('replace a list, then append to the replacement', () => {
    const s1 = State.create({ domain: { items: ['old'] } }).transaction((tx) => {
      tx.domain.items = ['replaced_list'];
      tx.domain.items.push('after_replace');
    });
    expect(toPlain(s1.domain.items)).toEqual(['replaced_list', 'after_replace']);
  });

  it('a list obtained by a getter-style read and appended to persists', () => {
    const s1 = State.create({ domain: { log: [] as string[] } }).transaction((tx) => {
      const log = tx.domain.log ?? [];
      log.push('entry');
    });
    expect(toPlain(s1.domain.log)).toEqual(['entry']);
  });

  it('Map mutations in place commit', () => {
    const s1 = State.create({ domain: { m: new Map([['k', [1]]]) } }).transaction((tx) => {
      tx.domain.m.get('k').push(2);
      tx.domain.m.set('j', []);
      tx.domain.m.get('j').push(3);
    });
    expect(toPlain(s1.domain.m)).toEqual(new Map([['k', [1, 2]], ['j', [3]]]));
  });
});

describe('INC-003: partial deep writes keep sibling data', () => {
  const make = () => State.create({ domain: { user: { name: 'Alice', role: 'admin', stats: { login_count: 5 } }, meta: { version: 1 } } });

  it('writing one nested leaf keeps every sibling at every level', () => {
    const s1 = make().transaction((tx) => {
      tx.domain.user.stats.login_count = 6;
    });
    expect(toPlain(s1.domain)).toEqual({ user: { name: 'Alice', role: 'admin', stats: { login_count: 6 } }, meta: { version: 1 } });
  });

  it('two writes to different nested keys in one transaction both survive', () => {
    const s1 = make().transaction((tx) => {
      Object.assign(tx.domain.user.stats, { login_count: 6 });
      Object.assign(tx.domain.user, { role: 'owner' });
      tx.domain.meta.version = 2;
    });
    expect(toPlain(s1.domain)).toEqual({ user: { name: 'Alice', role: 'owner', stats: { login_count: 6 } }, meta: { version: 2 } });
  });
});

describe('INC-006 / INC-018: no nested mutation through committed views', () => {
  const make = () => State.create({ domain: { nested: { a: 0 }, my_list: [1, 2, 3], my_dict: { a: 1 }, m: new Map([['k', { v: 1 }]]) } });

  it('committed data: writes at any depth throw; nothing changes', () => {
    const s = make();
    expect(() => (s.domain.nested.a = 1)).toThrow(TypeError);
    expect(() => s.domain.my_list.push(999)).toThrow(TypeError);
    expect(() => (s.domain.my_dict.b = 2)).toThrow(TypeError);
    expect(() => ((s.data as Record<string, unknown>).x = 1)).toThrow(TypeError);
    thrown(() => s.domain.m.set('x', 1), ContextLockedError);
    expect(() => (s.domain.m.get('k').v = 2)).toThrow(TypeError);
    for (const v of s.domain.m.values()) expect(Object.isFrozen(v)).toBe(true);
    for (const [, v] of Object.entries(s.domain)) if (typeof v === 'object') expect(isCommitted(v)).toBe(true);
    expect(s.toJSON().domain).toEqual({ nested: { a: 0 }, my_list: [1, 2, 3], my_dict: { a: 1 }, m: new Map([['k', { v: 1 }]]) });
  });

  it('domainProxy(): dict and list writes both raise typed errors; the list stays [1,2,3]', () => {
    const s = make();
    const p = s.domainProxy();
    thrown(() => (p.my_dict.b = 2), ContextLockedError, 'CONTEXT_LOCKED');
    thrown(() => p.my_list.push(999), ContextLockedError, 'CONTEXT_LOCKED');
    const ro = s.domainProxy({ readOnly: true });
    thrown(() => (ro.my_dict.b = 2), PermissionDeniedError, 'ILLEGAL_WRITE');
    thrown(() => ro.my_list.push(999), PermissionDeniedError, 'ILLEGAL_WRITE');
    // values reached by iteration are guarded too
    for (const v of Object.values(ro) as any[]) {
      if (Array.isArray(v)) thrown(() => v.push(1), PermissionDeniedError);
    }
    thrown(() => ro.m.get('k').v++, PermissionDeniedError);
    for (const [, v] of ro.m) thrown(() => (v.v = 5), PermissionDeniedError);
    expect(toPlain(s.domain.my_list)).toEqual([1, 2, 3]);
    expect(toPlain(s.domain.my_dict)).toEqual({ a: 1 });
  });
});

describe('INC-013: deep new key after copying the parent', () => {
  it('all four writes through an already-copied parent are visible after commit', () => {
    const s1 = State.create({ domain: { user: { profile: { name: 'Alice' }, orders: [] } } }).transaction((tx) => {
      tx.domain.user['profile']['name'] = 'Charlie';
      tx.domain.user['new_top'] = 1;
      tx.domain.user['profile']['new_deep'] = 2;
      tx.domain.user['orders'].push(101);
    });
    expect(toPlain(s1.domain.user)).toEqual({ profile: { name: 'Charlie', new_deep: 2 }, orders: [101], new_top: 1 });
  });

  it('the order of copies does not matter (child first, then parent, then child again)', () => {
    const s1 = State.create({ domain: { a: { b: { c: { d: 1 } } } } }).transaction((tx) => {
      const c = tx.domain.a.b.c;
      c.d = 2;
      tx.domain.a.x = 1;
      c.e = 3;
      tx.domain.a.b.y = 4;
      c.d = 5;
    });
    expect(toPlain(s1.domain.a)).toEqual({ b: { c: { d: 5, e: 3 }, y: 4 }, x: 1 });
  });
});

describe('INC-019: the proxy never exposes its raw target', () => {
  it('no _target / supervisorTarget, and __proto__ is refused', () => {
    const s = State.create({ domain: { wallet: { balance: 100 } } });
    const tx = s.transaction();
    expect(s.domain.wallet._target).toBeUndefined();
    expect(tx.domain.wallet._target).toBeUndefined();
    expect(tx.domain.wallet.supervisorTarget).toBeUndefined();
    expect(tx.domain.wallet.supervisor_target).toBeUndefined();
    theusError(() => tx.domain.wallet.__proto__, 'INVALID_PATH');
    theusError(() => s.domainProxy().wallet.__proto__, 'INVALID_PATH');
    tx.rollback();
    expect(s.domain.wallet.balance).toBe(100);
  });

  it('a reflection walk of a view finds only frozen data or guarded proxies', () => {
    const s = State.create({ domain: { wallet: { balance: 100, cards: [{ n: 1 }] }, m: new Map([['k', { v: 1 }]]) } });
    const seen = new Set<unknown>();
    const walk = (node: unknown): void => {
      if (typeof node !== 'object' || node === null || seen.has(node)) return;
      seen.add(node);
      for (const key of Reflect.ownKeys(node)) {
        const desc = Reflect.getOwnPropertyDescriptor(node, key);
        if (desc && 'value' in desc) {
          const v = desc.value as unknown;
          if (typeof v === 'object' && v !== null) {
            // every object reachable from a view is frozen committed data or a guarded proxy
            let accepted = false;
            try {
              accepted = Reflect.set(v, 'hacked', true);
            } catch (err) {
              expect(err).toBeInstanceOf(TheusError);
            }
            expect(accepted).toBe(false);
            expect((v as Record<string, unknown>).hacked).toBeUndefined();
          }
          walk(v);
        }
      }
    };
    walk(s.domainProxy());
    walk(s.domainProxy({ readOnly: true }));
    walk(s.domain);
    expect(s.toJSON().domain).toEqual({ wallet: { balance: 100, cards: [{ n: 1 }] }, m: new Map([['k', { v: 1 }]]) });
  });
});

describe('INC-020: transactions never leak into the data graph', () => {
  it('a chain of transactions each reading the previous result leaves only committed data', () => {
    let s = State.create({ domain: { raw: [1, 2, 3] } });
    s = s.transaction((tx) => {
      tx.domain.aggregate = { sum: tx.domain.raw.reduce((a: number, b: number) => a + b, 0) };
    });
    s = s.transaction((tx) => {
      tx.domain.plot = { points: tx.domain.raw.map((x: number) => ({ x, y: x * tx.domain.aggregate.sum })) };
    });
    s = s.transaction((tx) => {
      tx.domain.analysis = { max: Math.max(...tx.domain.plot.points.map((p: { y: number }) => p.y)), source: tx.domain.plot };
    });
    s = s.transaction((tx) => {
      tx.domain.saved = { report: { ...tx.domain.analysis } };
    });
    expect(s.version).toBe(4);
    const walk = (node: unknown): void => {
      if (typeof node !== 'object' || node === null) return;
      expect(node).not.toBeInstanceOf(Transaction);
      expect(node).not.toBeInstanceOf(State);
      expect(isCommitted(node)).toBe(true);
      for (const v of Object.values(node)) walk(v);
    };
    walk(s.data);
    expect(s.domain.saved.report.max).toBe(18);
    expect(JSON.parse(JSON.stringify(s)).domain.saved.report.source.points).toHaveLength(3);
  });

  it('storing a transaction or a State in state is refused; serialising a transaction throws', () => {
    const s = State.create({ domain: {} });
    const tx = s.transaction();
    theusError(() => (tx.domain.tx = tx), 'UNSUPPORTED_VALUE', 'domain.tx');
    theusError(() => (tx.domain.deep = { list: [tx] }), 'UNSUPPORTED_VALUE', 'domain.deep.list[0]');
    theusError(() => (tx.domain.state = s), 'UNSUPPORTED_VALUE', 'domain.state');
    theusError(() => State.create({ domain: { s } }), 'UNSUPPORTED_VALUE');
    const err = thrown(() => JSON.stringify(tx), TheusError, 'UNSUPPORTED_VALUE');
    expect(err.message).toMatch(/cannot be serialised/);
    expect(tx.delta()).toEqual([]);
    expect(tx.commit().domain).toBe(s.domain);
  });
});

describe('INC-021: sequential copy-and-return writes are never lost', () => {
  const make = () => State.create({ domain: { documents: {}, outbox_queue: [] } });

  function saveDocumentCow(s: State, id: string): State {
    return s.transaction((tx) => {
      const docs = { ...tx.domain.documents };
      docs[id] = { id, body: `doc ${id}` };
      const queue = [...tx.domain.outbox_queue, { topic: 'saved', id }];
      tx.domain.documents = docs;
      tx.domain.outbox_queue = queue;
    });
  }

  function saveDocumentProxy(s: State, id: string): State {
    return s.transaction((tx) => {
      tx.domain.documents[id] = { id, body: `doc ${id}` };
      tx.domain.outbox_queue.push({ topic: 'saved', id });
    });
  }

  for (const [name, save] of [
    ['copy-and-return', saveDocumentCow],
    ['proxy mutation', saveDocumentProxy],
  ] as const) {
    it(`${name}: 5 sequential calls keep 5 documents and 5 queue entries, each call seeing the previous ones`, () => {
      const results: string[] = [];
      for (let run = 0; run < 3; run++) {
        let s = make();
        for (let i = 0; i < 5; i++) {
          expect(Object.keys(s.domain.documents)).toHaveLength(i);
          s = save(s, `d${i}`);
        }
        expect(Object.keys(s.domain.documents)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4']);
        expect(s.domain.outbox_queue).toHaveLength(5);
        results.push(JSON.stringify(s));
      }
      expect(new Set(results).size).toBe(1);
    });
  }

  it('a 200-call burst keeps every entry (the documents record becomes wide on the way)', () => {
    let s = make();
    for (let i = 0; i < 200; i++) s = i % 2 === 0 ? saveDocumentCow(s, `d${i}`) : saveDocumentProxy(s, `d${i}`);
    expect(Object.keys(s.domain.documents)).toHaveLength(200);
    expect(s.domain.outbox_queue).toHaveLength(200);
    expect(s.domain.documents.d199.body).toBe('doc d199');
    expect(s.version).toBe(200);
  });
});
