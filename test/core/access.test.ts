import { describe, expect, it } from 'vitest';
import { PermissionDeniedError } from '../../src/errors.js';
import { formatPath, State, toPlain, Transaction, type Access, type Segment, type WriteOp } from '../../src/core/index.js';
import { thrown } from './support.js';

/**
 * The core knows nothing about contracts: the engine passes an Access guard. This guard hides
 * `secret` keys, refuses writes under `locked`, and records every write it is asked about.
 */
function guard(log: [string, WriteOp][]): Access {
  const make = (locked: boolean): Access => ({
    readAll: false,
    writeAll: false,
    child: (key) => make(locked || key === 'locked'),
    readKey: (key) => key !== 'secret',
    writeKey: (key, op, at) => {
      const path = key === undefined ? at.path() : at.childPath(key);
      log.push([formatPath(path), op]);
      if (locked || key === 'locked') throw new PermissionDeniedError('write', `denied at ${formatPath(path)}`, { path: formatPath(path) });
    },
  });
  return make(false);
}

const base = () =>
  State.create({
    domain: { open: { n: 1, list: [1, 2] }, secret: 'hidden', locked: { v: 1 }, m: new Map([['k', 1]]) },
  });

describe('Access guards supplied to a transaction', () => {
  it('invisible keys read as absent and are left out of listings and JSON', () => {
    const tx = new Transaction(base(), { access: guard([]) });
    expect(tx.domain.secret).toBeUndefined();
    expect('secret' in tx.domain).toBe(false);
    expect(Object.keys(tx.domain)).toEqual(['open', 'locked', 'm']);
    expect(toPlain(tx.domain)).not.toHaveProperty('secret');
    expect(JSON.stringify(tx.domain)).not.toContain('hidden');
  });

  it('refused writes throw the guard error at the writing statement and change nothing', () => {
    const s0 = base();
    const tx = new Transaction(s0, { access: guard([]) });
    const err = thrown(() => (tx.domain.locked.v = 2), PermissionDeniedError, 'ILLEGAL_WRITE');
    expect(err.path).toBe('domain.locked.v');
    thrown(() => (tx.domain.locked = {}), PermissionDeniedError);
    thrown(() => delete tx.domain.locked, PermissionDeniedError);
    expect(tx.delta()).toEqual([]);
    tx.domain.open.n = 2;
    const s1 = tx.commit();
    expect(s1.domain.open.n).toBe(2);
    expect(s1.domain.locked).toBe(s0.domain.locked);
  });

  it('asks the guard with the kind of write: add, update, append, delete', () => {
    const log: [string, WriteOp][] = [];
    const tx = new Transaction(base(), { access: guard(log) });
    tx.domain.open.n = 5;
    tx.domain.open.fresh = 1;
    tx.domain.open.list.push(3);
    tx.domain.open.list.pop();
    tx.domain.open.list[0] = 9;
    delete tx.domain.open.fresh;
    tx.domain.m.set('j', 2);
    tx.domain.m.delete('k');
    expect(log).toEqual([
      ['domain.open.n', 'update'],
      ['domain.open.fresh', 'add'],
      ['domain.open.list', 'append'],
      ['domain.open.list', 'delete'],
      ['domain.open.list[0]', 'update'],
      ['domain.open.fresh', 'delete'],
      ['domain.m.j', 'add'],
      ['domain.m.k', 'delete'],
    ]);
    tx.rollback();
  });

  it('a guard that throws on read denies the read itself', () => {
    const denyReads: Access = {
      readAll: false,
      writeAll: true,
      child: () => denyReads,
      readKey: (key: Segment, at) => {
        if (key === 'secret') throw new PermissionDeniedError('read', `read denied at ${formatPath(at.childPath(key))}`);
        return true;
      },
      writeKey: () => undefined,
    };
    const tx = new Transaction(base(), { access: denyReads });
    thrown(() => tx.domain.secret, PermissionDeniedError, 'ILLEGAL_READ');
    // listings leave denied keys out instead of throwing
    expect(Object.keys(tx.domain)).not.toContain('secret');
  });
});
