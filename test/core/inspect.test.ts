import { format, inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PermissionDeniedError } from '../../src/errors.js';
import { State, Transaction, type Access } from '../../src/core/index.js';

/**
 * Inspection shows exactly what the access policy lets the transaction read: `console.log`,
 * `util.inspect` (with or without `showProxy`) and `util.format('%o')` print the readable data,
 * never undeclared paths, private values or the draft's machinery.
 */

/** Reads `domain.accounts` only; `internal_*` keys are invisible, anything else is denied. */
function policy(): Access {
  const deny = (at: string): never => {
    throw new PermissionDeniedError('read', `denied ${at}`, { path: at });
  };
  const node = (depth: number, granted: boolean): Access => ({
    readAll: false,
    writeAll: false,
    child: (key) => (granted ? node(depth + 1, true) : depth === 0 && key === 'domain' ? node(1, false) : depth === 1 && key === 'accounts' ? node(2, true) : node(depth + 1, false)),
    readKey: (key) => {
      if (typeof key === 'string' && key.startsWith('internal_')) return false;
      if (granted) return true;
      if (depth === 0 && key === 'domain') return true;
      if (depth === 1 && key === 'accounts') return true;
      return deny(String(key));
    },
    writeKey: () => deny('write'),
  });
  return node(0, false);
}

function make() {
  return State.create({
    domain: {
      accounts: { alice: 100, bob: 5, internal_pin: 1234 },
      secret: { plan: 'world domination' },
      internal_key: 'hunter2',
      m: new Map([['x', 1]]),
    },
  });
}

const LEAKS = ['hunter2', 'world domination', '1234', 'internal_', 'secret', 'readAll', 'scope', 'copy', 'base'];

describe('inspecting drafts', () => {
  it('console.log-style inspection prints the readable content, not {}', () => {
    const tx = new Transaction(make(), { access: policy() });
    const out = inspect(tx.domain.accounts);
    expect(out).toContain('alice: 100');
    expect(out).toContain('bob: 5');
    for (const leak of LEAKS) expect(out).not.toContain(leak);
    tx.rollback();
  });

  it('showProxy, %o and showHidden reveal nothing undeclared or private', () => {
    const tx = new Transaction(make(), { access: policy() });
    const outputs = [
      inspect(tx.domain, { showProxy: true }),
      inspect(tx.domain, { showProxy: true, showHidden: true, depth: Infinity }),
      format('%o', tx.domain),
      format('%O', tx.domain),
      format('%j', tx.domain.accounts),
      inspect(tx.domain.accounts, { showProxy: true, depth: 0 }),
      inspect(tx.domain, { customInspect: false, showHidden: true, depth: Infinity }),
    ];
    for (const out of outputs) for (const leak of LEAKS) expect(out, out).not.toContain(leak);
    expect(outputs[0]).toContain('alice: 100');
    tx.rollback();
  });

  it('without a policy, inspection prints everything; collections and dates print as what they are', () => {
    const tx = make().transaction();
    tx.domain.accounts.carol = 7;
    const out = inspect(tx.domain, { depth: 5 });
    expect(out).toContain('carol: 7');
    expect(out).toContain("internal_key: 'hunter2'");
    expect(out).toContain("Map(1) { 'x' => 1 }");
    expect(inspect(State.create({ domain: { at: new Date(0) } }).transaction().domain.at)).toContain('1970-01-01');
    tx.rollback();
  });

  it('inspection records no reads and changes nothing', () => {
    const s0 = make();
    const plain = new Transaction(s0, { trackReads: true });
    void plain.domain;
    const tx = new Transaction(s0, { trackReads: true });
    inspect(tx.domain, { depth: Infinity });
    const r = tx.finish();
    expect([...r.reads]).toEqual([...plain.finish().reads]);
    expect(r.ops).toEqual([]);
    expect(r.root.domain).toBe(s0.domain);
  });

  it('a committed wide record prints its entries; a finished draft prints a marker', () => {
    const wide = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i]));
    const s0 = State.create({ domain: { wide } });
    expect(inspect(s0.domain.wide)).toContain('k0: 0');
    const tx = s0.transaction();
    const d = tx.domain;
    tx.rollback();
    expect(inspect(d)).toContain('finished transaction');
  });
});
