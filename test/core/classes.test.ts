import { describe, expect, it } from 'vitest';
import { ContextLockedError, PermissionDeniedError } from '../../src/errors.js';
import { OPAQUE, State, toPlain } from '../../src/core/index.js';
import { theusError, thrown } from './support.js';

class Account {
  balance: number;
  history: number[] = [];
  constructor(balance: number) {
    this.balance = balance;
  }
  deposit(n: number): this {
    this.balance += n;
    this.history.push(n);
    return this;
  }
  get doubled(): number {
    return this.balance * 2;
  }
  set doubled(v: number) {
    this.balance = v / 2;
  }
}

class Savings extends Account {
  rate = 0.1;
  accrue(): void {
    this.deposit(this.balance * this.rate);
  }
}

class Vault {
  #secret = 1;
  open = true;
  reveal(): number {
    return this.#secret;
  }
}

describe('class instances', () => {
  const make = () => State.create({ domain: { acc: new Account(100), sav: new Savings(50), wallet: { acc: new Account(1) } } });

  it('committed instances keep their prototype, methods and getters, and are frozen', () => {
    const s = make();
    expect(s.domain.acc).toBeInstanceOf(Account);
    expect(s.domain.sav).toBeInstanceOf(Savings);
    expect(s.domain.sav).toBeInstanceOf(Account);
    expect(s.domain.acc.doubled).toBe(200);
    expect(Object.isFrozen(s.domain.acc)).toBe(true);
    expect(() => s.domain.acc.deposit(5)).toThrow(TypeError);
    expect(() => (s.domain.acc.doubled = 2)).toThrow(TypeError);
    expect(s.domain.acc.balance).toBe(100);
  });

  it('the caller instance is copied, not frozen or shared', () => {
    const mine = new Account(10);
    const s = State.create({ domain: { mine } });
    expect(Object.isFrozen(mine)).toBe(false);
    mine.deposit(5);
    expect(s.domain.mine.balance).toBe(10);
    expect(s.domain.mine).not.toBe(mine);
  });

  it('methods mutate through the proxy and the changes commit', () => {
    const s0 = make();
    const s1 = s0.transaction((tx) => {
      const acc = tx.domain.acc;
      expect(acc).toBeInstanceOf(Account);
      expect(acc.deposit(5)).toBe(acc);
      acc.deposit(10);
      expect(acc.balance).toBe(115);
      expect(toPlain(acc.history)).toEqual([5, 10]);
    });
    expect(s1.domain.acc).toBeInstanceOf(Account);
    expect(s1.domain.acc.balance).toBe(115);
    expect(toPlain(s1.domain.acc.history)).toEqual([5, 10]);
    expect(s0.domain.acc.balance).toBe(100);
    expect(s1.domain.sav).toBe(s0.domain.sav);
  });

  it('inherited methods calling other methods work (subclass)', () => {
    const s1 = make().transaction((tx) => {
      tx.domain.sav.accrue();
    });
    expect(s1.domain.sav.balance).toBeCloseTo(55);
    expect(s1.domain.sav).toBeInstanceOf(Savings);
  });

  it('getters read through the proxy; setters write through it', () => {
    const s1 = make().transaction((tx) => {
      expect(tx.domain.acc.doubled).toBe(200);
      tx.domain.acc.doubled = 50;
      expect(tx.domain.acc.balance).toBe(25);
      expect(tx.domain.acc.doubled).toBe(50);
    });
    expect(s1.domain.acc.balance).toBe(25);
  });

  it('instances nested in plain objects, and new instances assigned in a transaction', () => {
    const s1 = make().transaction((tx) => {
      tx.domain.wallet.acc.deposit(1);
      tx.domain.fresh = new Savings(10);
      tx.domain.fresh.accrue();
    });
    expect(s1.domain.wallet.acc.balance).toBe(2);
    expect(s1.domain.fresh).toBeInstanceOf(Savings);
    expect(s1.domain.fresh.balance).toBe(11);
  });

  it('Object.keys, JSON and toPlain see own data; toPlain keeps the prototype and is mutable', () => {
    const tx = make().transaction();
    expect(Object.keys(tx.domain.acc)).toEqual(Object.keys(new Account(100)));
    expect(JSON.stringify(tx.domain.acc)).toBe(JSON.stringify(new Account(100)));
    const plain = toPlain(tx.domain.acc);
    expect(plain).toBeInstanceOf(Account);
    plain.deposit(1);
    expect(plain.balance).toBe(101);
    expect(tx.domain.acc.balance).toBe(100);
  });

  it('read-only and locked views reject method-driven writes', () => {
    const s = make();
    thrown(() => s.domainProxy({ readOnly: true }).acc.deposit(1), PermissionDeniedError, 'ILLEGAL_WRITE');
    thrown(() => (s.domainProxy().acc.doubled = 4), ContextLockedError, 'CONTEXT_LOCKED');
    expect(s.domainProxy().acc).toBeInstanceOf(Account);
    expect(s.domain.acc.balance).toBe(100);
  });

  it('#private fields are lost by the copy: methods touching them throw TypeError, never corrupt silently', () => {
    const s = State.create({ domain: { v: new Vault() } });
    expect(s.domain.v).toBeInstanceOf(Vault);
    expect(s.domain.v.open).toBe(true);
    expect(() => s.domain.v.reveal()).toThrow(TypeError);
    const tx = s.transaction();
    expect(() => tx.domain.v.reveal()).toThrow(TypeError);
    tx.domain.v.open = false;
    expect(tx.commit().domain.v.open).toBe(false);
  });

  it('own accessors (defined in a constructor) run their setter through the proxy: what they store is sealed', () => {
    class Boxed {
      store: unknown = null;
      constructor() {
        Object.defineProperty(this, 'value', {
          get(this: Boxed) {
            return this.store;
          },
          set(this: Boxed, v: unknown) {
            this.store = { wrapped: v };
          },
          enumerable: true,
          configurable: true,
        });
      }
    }
    const payload = { a: 1 };
    const s1 = State.create({ domain: { b: new Boxed() } }).transaction((tx) => {
      tx.domain.b.value = payload;
    });
    expect(s1.domain.b).toBeInstanceOf(Boxed);
    expect(toPlain(s1.domain.b.store)).toEqual({ wrapped: { a: 1 } });
    expect(Object.isFrozen(s1.domain.b.store)).toBe(true);
    expect(Object.isFrozen(s1.domain.b.store.wrapped)).toBe(true);
    expect(s1.domain.b.store.wrapped).not.toBe(payload);
  });

  it('instances with a hostile own key are refused', () => {
    const bad = new Account(1);
    Object.defineProperty(bad, 'constructor', { value: 1, enumerable: true });
    theusError(() => State.create({ domain: { bad } }), 'INVALID_PATH');
  });

  it('instances marked opaque are stored by reference and handed out as they are', () => {
    class Handle {
      readonly buf = new Float64Array(4);
      get [OPAQUE](): true {
        return true;
      }
    }
    const h = new Handle();
    const s0 = State.create({ heavy: { h } });
    expect(s0.heavy.h).toBe(h);
    expect(Object.isFrozen(h)).toBe(false);
    const s1 = s0.transaction((tx) => {
      expect(tx.heavy.h).toBe(h);
      tx.heavy.h2 = h;
    });
    expect(s1.heavy.h2).toBe(h);
    expect(toPlain(s1.heavy).h).toBe(h);
  });

  it('plain objects carrying the opaque marker are still copied (the marker is for class instances)', () => {
    const marked = { [OPAQUE]: true, n: 1 };
    const s = State.create({ heavy: { marked } });
    expect(s.heavy.marked).not.toBe(marked);
    expect(s.heavy.marked.n).toBe(1);
    // so binary buffers inside are refused loudly instead of being copied
    theusError(() => State.create({ heavy: { bad: { [OPAQUE]: true, buf: new Uint8Array(1) } } }), 'UNSUPPORTED_VALUE');
  });
});
