/**
 * The guard matrix, modelled on REFERENCE.md §3.3's EFFECT matrix and extended to every zone,
 * every kind of operation, the three semantics and admin elevation. Differences from the original
 * are deliberate: reads below a root are contract-checked (the original allowed any field of a
 * declared root), and a write outside outputs fails at the writing statement, not at commit.
 */
import { describe, expect, it } from 'vitest';
import { ContractViolationError, PermissionDeniedError, TheusEngine, process, type ContractSpec, type ProcessContext, type Semantic } from '../../src/index.js';
import { expectCode, rejected, rejectsCode } from './helpers.js';

function fixture() {
  return {
    domain: { a: 1, b: { c: 2 }, lst: [1], log_x: ['l0'], const_k: 1, internal_s: 'x', meta_cfg: { r: 1 }, sig_q: ['s1'], audit_trail: ['t0'] },
    global: { g: 1 },
    meta: { cfg: { level: 1 } },
    heavy: { m: 1 },
  };
}

/** 'ok' (optionally with the value read), an error code, or n/a (contract not valid for the semantic). */
type Outcome = 'ok' | { value: unknown } | 'ILLEGAL_READ' | 'ILLEGAL_WRITE' | 'n/a';

interface Row {
  label: string;
  contract: Pick<ContractSpec, 'inputs' | 'outputs'>;
  op: (ctx: ProcessContext) => unknown;
  effect: Outcome;
  pure: Outcome;
  admin: Outcome;
  /** What the committed state looks like after an 'ok' write. */
  after?: (state: ReturnType<typeof fixture>) => void;
}

const R = 'ILLEGAL_READ' as const;
const W = 'ILLEGAL_WRITE' as const;
const v = (value: unknown) => ({ value });

const rows: Row[] = [
  { label: 'read a root with no declaration', contract: {}, op: (c) => c.domain, effect: R, pure: R, admin: R },
  { label: 'read a declared input', contract: { inputs: ['domain.a'] }, op: (c) => c.domain.a, effect: v(1), pure: v(1), admin: v(1) },
  { label: 'read an undeclared sibling', contract: { inputs: ['domain.a'] }, op: (c) => c.domain.b, effect: R, pure: R, admin: R },
  { label: 'read an undeclared root', contract: { inputs: ['global.g'] }, op: (c) => c.domain, effect: R, pure: R, admin: R },
  { label: 'read a declared root of another zone', contract: { inputs: ['global.g'] }, op: (c) => c.global.g, effect: v(1), pure: v(1), admin: v(1) },
  { label: 'read below a declared parent', contract: { inputs: ['domain.b'] }, op: (c) => c.domain.b.c, effect: v(2), pure: v(2), admin: v(2) },
  { label: 'outputs imply read access', contract: { outputs: ['domain.b'] }, op: (c) => c.domain.b.c, effect: v(2), pure: v(2), admin: v(2) },
  { label: 'write an input (inputs are read-only)', contract: { inputs: ['domain.a'] }, op: (c) => void (c.domain.a = 5), effect: W, pure: W, admin: W },
  {
    label: 'write a declared output',
    contract: { inputs: ['domain.a'], outputs: ['domain.a'] },
    op: (c) => void (c.domain.a = 5),
    effect: 'ok',
    pure: W,
    admin: 'ok',
    after: (s) => expect(s.domain.a).toBe(5),
  },
  { label: 'write beside a declared output', contract: { inputs: ['domain'], outputs: ['domain.a'] }, op: (c) => void (c.domain.b.c = 9), effect: W, pure: W, admin: W },
  {
    label: 'add a key under a declared output',
    contract: { outputs: ['domain.b'] },
    op: (c) => void (c.domain.b.new = 1),
    effect: 'ok',
    pure: W,
    admin: 'ok',
    after: (s) => expect(s.domain.b).toEqual({ c: 2, new: 1 }),
  },
  {
    label: 'delete a key under a declared output',
    contract: { outputs: ['domain.b'] },
    op: (c) => void delete c.domain.b.c,
    effect: 'ok',
    pure: W,
    admin: 'ok',
    after: (s) => expect(s.domain.b).toEqual({}),
  },
  {
    label: 'wildcard output covers a new key',
    contract: { outputs: ['domain.*'] },
    op: (c) => void (c.domain.z = 1),
    effect: 'ok',
    pure: W,
    admin: 'ok',
    after: (s) => expect((s.domain as Record<string, unknown>).z).toBe(1),
  },
  { label: 'write a new key beside a wildcard subtree', contract: { outputs: ['domain.user.*'] }, op: (c) => void (c.domain.system = 'x'), effect: W, pure: W, admin: W },
  { label: 'data list: append', contract: { outputs: ['domain.lst'] }, op: (c) => void c.domain.lst.push(2), effect: 'ok', pure: W, admin: 'ok', after: (s) => expect(s.domain.lst).toEqual([1, 2]) },
  { label: 'data list: pop', contract: { outputs: ['domain.lst'] }, op: (c) => void c.domain.lst.pop(), effect: 'ok', pure: W, admin: 'ok', after: (s) => expect(s.domain.lst).toEqual([]) },
  { label: 'data list: replace', contract: { outputs: ['domain.lst'] }, op: (c) => void (c.domain.lst = [7]), effect: 'ok', pure: W, admin: 'ok', after: (s) => expect(s.domain.lst).toEqual([7]) },
  // log_ / audit_: append-only
  { label: 'log_: append', contract: { outputs: ['domain.log_x'] }, op: (c) => void c.domain.log_x.push('l1'), effect: 'ok', pure: W, admin: 'ok', after: (s) => expect(s.domain.log_x).toEqual(['l0', 'l1']) },
  { label: 'log_: pop', contract: { outputs: ['domain.log_x'] }, op: (c) => void c.domain.log_x.pop(), effect: W, pure: W, admin: 'ok', after: (s) => expect(s.domain.log_x).toEqual([]) },
  { label: 'log_: clear by length', contract: { outputs: ['domain.log_x'] }, op: (c) => void (c.domain.log_x.length = 0), effect: W, pure: W, admin: 'ok', after: (s) => expect(s.domain.log_x).toEqual([]) },
  { label: 'log_: replace the list', contract: { outputs: ['domain.log_x'] }, op: (c) => void (c.domain.log_x = []), effect: W, pure: W, admin: 'ok', after: (s) => expect(s.domain.log_x).toEqual([]) },
  { label: 'log_: overwrite an entry', contract: { outputs: ['domain.log_x'] }, op: (c) => void (c.domain.log_x[0] = 'forged'), effect: W, pure: W, admin: 'ok', after: (s) => expect(s.domain.log_x).toEqual(['forged']) },
  { label: 'audit_: append', contract: { outputs: ['domain.audit_trail'] }, op: (c) => void c.domain.audit_trail.push('t1'), effect: 'ok', pure: W, admin: 'ok', after: (s) => expect(s.domain.audit_trail).toEqual(['t0', 't1']) },
  { label: 'audit_: splice out', contract: { outputs: ['domain.audit_trail'] }, op: (c) => void c.domain.audit_trail.splice(0, 1), effect: W, pure: W, admin: 'ok', after: (s) => expect(s.domain.audit_trail).toEqual([]) },
  // const_: read-only for everyone
  { label: 'const_: read', contract: { inputs: ['domain.const_k'] }, op: (c) => c.domain.const_k, effect: v(1), pure: v(1), admin: v(1) },
  { label: 'const_: write under a declared parent', contract: { outputs: ['domain'] }, op: (c) => void (c.domain.const_k = 2), effect: W, pure: W, admin: W },
  { label: 'const_: delete under a declared parent', contract: { outputs: ['domain'] }, op: (c) => void delete c.domain.const_k, effect: W, pure: W, admin: W },
  // internal_: invisible without admin
  { label: 'internal_: read, undeclared', contract: { inputs: ['domain.a'] }, op: (c) => c.domain.internal_s, effect: v(undefined), pure: v(undefined), admin: R },
  { label: 'internal_: read, declared', contract: { outputs: ['domain.internal_s'] }, op: (c) => c.domain.internal_s, effect: v(undefined), pure: v(undefined), admin: v('x') },
  { label: 'internal_: listed?', contract: { inputs: ['domain'] }, op: (c) => [Object.keys(c.domain).includes('internal_s'), 'internal_s' in c.domain], effect: v([false, false]), pure: v([false, false]), admin: v([true, true]) },
  {
    label: 'internal_: write, declared',
    contract: { outputs: ['domain.internal_s'] },
    op: (c) => void (c.domain.internal_s = 'y'),
    effect: W,
    pure: W,
    admin: 'ok',
    after: (s) => expect(s.domain.internal_s).toBe('y'),
  },
  // meta_ (inside domain) and the meta root: overwrite only
  { label: 'meta_: update a field', contract: { outputs: ['domain.meta_cfg'] }, op: (c) => void (c.domain.meta_cfg.r = 2), effect: 'ok', pure: 'n/a', admin: 'ok', after: (s) => expect(s.domain.meta_cfg).toEqual({ r: 2 }) },
  { label: 'meta_: replace', contract: { outputs: ['domain.meta_cfg'] }, op: (c) => void (c.domain.meta_cfg = { r: 3 }), effect: 'ok', pure: 'n/a', admin: 'ok', after: (s) => expect(s.domain.meta_cfg).toEqual({ r: 3 }) },
  { label: 'meta_: delete a field', contract: { outputs: ['domain.meta_cfg'] }, op: (c) => void delete c.domain.meta_cfg.r, effect: W, pure: 'n/a', admin: 'ok', after: (s) => expect(s.domain.meta_cfg).toEqual({}) },
  { label: 'meta root: update', contract: { outputs: ['meta.cfg'] }, op: (c) => void (c.meta.cfg.level = 2), effect: 'ok', pure: 'n/a', admin: 'ok', after: (s) => expect(s.meta.cfg.level).toBe(2) },
  { label: 'meta root: delete', contract: { outputs: ['meta.cfg'] }, op: (c) => void delete c.meta.cfg.level, effect: W, pure: 'n/a', admin: 'ok', after: (s) => expect(s.meta.cfg).toEqual({}) },
  // sig_ / cmd_ fields: append only
  { label: 'sig_: append', contract: { outputs: ['domain.sig_q'] }, op: (c) => void c.domain.sig_q.push('s2'), effect: 'ok', pure: 'n/a', admin: 'ok', after: (s) => expect(s.domain.sig_q).toEqual(['s1', 's2']) },
  { label: 'sig_: overwrite', contract: { outputs: ['domain.sig_q'] }, op: (c) => void (c.domain.sig_q[0] = 'x'), effect: W, pure: 'n/a', admin: 'ok', after: (s) => expect(s.domain.sig_q).toEqual(['x']) },
  // heavy: references, swapped transactionally
  { label: 'heavy: swap an entry', contract: { outputs: ['heavy.m'] }, op: (c) => void (c.heavy.m = 2), effect: 'ok', pure: 'n/a', admin: 'ok', after: (s) => expect(s.heavy.m).toBe(2) },
  { label: 'heavy: read undeclared', contract: { inputs: ['heavy.other'] }, op: (c) => c.heavy.m, effect: R, pure: R, admin: R },
  // the signal writer
  { label: 'signal: emit a declared topic', contract: { outputs: ['signal.ping'] }, op: (c) => void (c.signal.ping = 1), effect: 'ok', pure: 'n/a', admin: 'ok' },
  { label: 'signal: emit an undeclared topic', contract: { outputs: ['signal.ping'] }, op: (c) => void (c.signal.other = 1), effect: W, pure: 'n/a', admin: W },
  { label: 'signal: emit with no signal output', contract: { outputs: ['domain.a'] }, op: (c) => c.signal.publish('ping', 1), effect: W, pure: W, admin: W },
  { label: 'signal: delete an emitted signal', contract: { outputs: ['signal.ping'] }, op: (c) => void ((c.signal.ping = 1), delete c.signal.ping), effect: W, pure: 'n/a', admin: W },
];

async function run(row: Row, semantic: Semantic, admin: boolean, strictGuards = true) {
  const engine = new TheusEngine(fixture(), { strictGuards });
  let seen: unknown;
  const p = process({ name: 'm', ...row.contract, semantic }, (ctx) => {
    seen = admin ? ctx.asAdmin(() => row.op(ctx)) : row.op(ctx);
  });
  try {
    await engine.execute(p);
    return { engine, seen, error: undefined };
  } catch (error) {
    return { engine, seen, error };
  }
}

async function check(row: Row, expected: Outcome, semantic: Semantic, admin: boolean) {
  const { engine, seen, error } = await run(row, semantic, admin);
  if (expected === 'ILLEGAL_READ' || expected === 'ILLEGAL_WRITE') {
    const err = expectCode(error, expected, PermissionDeniedError);
    expect(err).toBeInstanceOf(ContractViolationError);
    expect(typeof err.path).toBe('string');
    expect(engine.state.version).toBe(0);
    expect(engine.state.toJSON()).toEqual({ ...fixture(), meta: fixture().meta });
    return;
  }
  if (error) throw error;
  if (typeof expected === 'object') expect(seen).toEqual(expected.value);
  else if (row.after) row.after(engine.state.toJSON() as ReturnType<typeof fixture>);
}

describe('guard matrix (strictGuards: true)', () => {
  for (const row of rows) {
    describe(row.label, () => {
      it.each(['effect', 'guide'] as const)(`%s → ${JSON.stringify(row.effect)}`, (semantic) => check(row, row.effect, semantic, false));
      if (row.pure !== 'n/a') it(`pure → ${JSON.stringify(row.pure)}`, () => check(row, row.pure, 'pure', false));
      it(`effect under ctx.asAdmin → ${JSON.stringify(row.admin)}`, () => check(row, row.admin, 'effect', true));
    });
  }
});

describe('guards fail at the statement, not at commit', () => {
  it('a process can catch the refused write and go on; only its legal writes commit', async () => {
    const engine = new TheusEngine(fixture());
    const p = process({ name: 'p', inputs: ['domain.b'], outputs: ['domain.a'] }, (ctx) => {
      const caught: string[] = [];
      try {
        ctx.domain.b.c = 99;
      } catch (e) {
        caught.push((e as PermissionDeniedError).code, String((e as PermissionDeniedError).path));
      }
      try {
        void ctx.domain.lst;
      } catch (e) {
        caught.push((e as PermissionDeniedError).code, String((e as PermissionDeniedError).path));
      }
      ctx.domain.a = 2;
      return caught;
    });
    expect(await engine.execute(p)).toEqual(['ILLEGAL_WRITE', 'domain.b.c', 'ILLEGAL_READ', 'domain.lst']);
    expect(engine.state.domain).toMatchObject({ a: 2, b: { c: 2 }, lst: [1] });
  });

  it('the error message says what to change and names the process and path', async () => {
    const engine = new TheusEngine(fixture());
    const reader = process({ name: 'reader', inputs: ['domain.a'] }, (ctx) => ctx.domain.b);
    const err = await rejectsCode(engine.execute(reader), 'ILLEGAL_READ', PermissionDeniedError);
    expect(err.message).toMatch(/'reader'.*'domain\.b'.*Declare it in inputs/);
    const writer = process({ name: 'writer', inputs: ['domain.a'] }, (ctx) => void (ctx.domain.a = 3));
    const werr = await rejectsCode(engine.execute(writer), 'ILLEGAL_WRITE', PermissionDeniedError);
    expect(werr.message).toMatch(/'writer'.*'domain\.a'.*inputs are read-only/);
  });

  it('asAdmin is logged in engine.metaLog({ kind: "admin" }) and ends with its block (sync and async)', async () => {
    const engine = new TheusEngine(fixture());
    const p = process({ name: 'cleaner', outputs: ['domain.log_x'] }, async (ctx) => {
      await ctx.asAdmin(async () => {
        await Promise.resolve();
        ctx.domain.log_x.length = 0;
      });
      try {
        ctx.domain.log_x.pop();
      } catch (e) {
        return (e as PermissionDeniedError).code;
      }
      return 'still admin';
    });
    expect(await engine.execute(p)).toBe('ILLEGAL_WRITE');
    expect(engine.state.domain.log_x).toEqual([]);
    const log = engine.metaLog({ kind: 'admin' });
    expect(log).toHaveLength(1);
    expect(log[0]!.message).toContain('cleaner');
    // A throwing admin block restores the normal mode too.
    const q = process({ name: 'q', outputs: ['domain.log_x'] }, (ctx) => {
      try {
        ctx.asAdmin(() => {
          throw new Error('inside');
        });
      } catch {
        // expected
      }
      ctx.domain.log_x.pop();
    });
    await rejectsCode(engine.execute(q), 'ILLEGAL_WRITE');
    expect(engine.metaLog({ kind: 'admin' })).toHaveLength(2);
  });

  it('asAdmin takes a function', async () => {
    const engine = new TheusEngine(fixture());
    const p = process({ name: 'p' }, (ctx) => ctx.asAdmin('nope' as never));
    await rejectsCode(engine.execute(p), 'INVALID_ARGUMENT');
  });
});

describe('strictGuards: false (research mode)', () => {
  it('lifts contract checks: undeclared reads and writes commit', async () => {
    const engine = new TheusEngine(fixture(), { strictGuards: false });
    const p = process({ name: 'p', inputs: ['domain.a'] }, (ctx) => {
      ctx.domain.b.c = ctx.global.g + 10;
      ctx.domain.newKey = true;
    });
    await engine.execute(p);
    expect(engine.state.domain.b.c).toBe(11);
    expect(engine.state.domain.newKey).toBe(true);
  });

  it('keeps zone physics: log_ stays append-only, const_ read-only, internal_ invisible', async () => {
    const engine = new TheusEngine(fixture(), { strictGuards: false });
    const seen: unknown[] = [];
    const p = process({ name: 'p' }, (ctx) => {
      seen.push(ctx.domain.internal_s);
      for (const attempt of [() => ctx.domain.log_x.pop(), () => (ctx.domain.const_k = 5), () => (ctx.domain.internal_s = 'y'), () => delete ctx.meta.cfg]) {
        try {
          attempt();
          seen.push('allowed');
        } catch (e) {
          seen.push((e as PermissionDeniedError).code);
        }
      }
      ctx.domain.log_x.push('ok');
    });
    await engine.execute(p);
    expect(seen).toEqual([undefined, 'ILLEGAL_WRITE', 'ILLEGAL_WRITE', 'ILLEGAL_WRITE', 'ILLEGAL_WRITE']);
    expect(engine.state.domain.log_x).toEqual(['l0', 'ok']);
  });

  it('pure processes stay read-only; signal/meta inputs are allowed for effect processes', async () => {
    const engine = new TheusEngine(fixture(), { strictGuards: false });
    const pure = process({ name: 'pure', semantic: 'pure' }, (ctx) => void (ctx.domain.a = 2));
    await rejectsCode(engine.execute(pure), 'ILLEGAL_WRITE', PermissionDeniedError);
    const metaIn = process({ name: 'metaIn', inputs: ['domain.meta_cfg'] }, (ctx) => ctx.domain.meta_cfg.r);
    expect(await engine.execute(metaIn)).toBe(1);
    expect(engine.state.version).toBe(0);
  });

  it('keeps transactions: a throw after an undeclared write leaves no trace', async () => {
    const engine = new TheusEngine(fixture(), { strictGuards: false });
    const p = process({ name: 'p' }, (ctx) => {
      ctx.domain.a = 100;
      throw new Error('after');
    });
    await rejected(engine.execute(p));
    expect(engine.state.domain.a).toBe(1);
  });

  it('keeps optimistic concurrency: concurrent increments still conflict and retry', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } }, { strictGuards: false });
    const inc = process({ name: 'inc' }, async (ctx) => {
      const v = ctx.domain.n;
      await new Promise((r) => setImmediate(r));
      ctx.domain.n = v + 1;
    });
    await Promise.all(Array.from({ length: 5 }, () => engine.execute(inc)));
    expect(engine.state.domain.n).toBe(5);
    expect(engine.metrics().conflicts).toBeGreaterThan(0);
  });

  it('engine.strictGuards can be switched at runtime (and only to a boolean)', async () => {
    const engine = new TheusEngine(fixture());
    const p = process({ name: 'p', inputs: ['domain.a'] }, (ctx) => ctx.domain.b.c);
    await rejectsCode(engine.execute(p), 'ILLEGAL_READ');
    engine.strictGuards = false;
    expect(await engine.execute(p)).toBe(2);
    expect(() => ((engine as { strictGuards: unknown }).strictGuards = 'no')).toThrow(/boolean/);
    expect(engine.strictGuards).toBe(false);
  });
});

describe('control-zone inputs under strictGuards (INC-022 rule)', () => {
  for (const input of ['signal.ping', 'signal', 'meta.cfg', 'domain.meta_cfg', 'domain.sig_q', 'domain.cmd_go']) {
    it(`an effect process declaring input '${input}' is refused at execute, before running`, async () => {
      const engine = new TheusEngine(fixture());
      let ran = false;
      const p = process({ name: 'p', inputs: [input] }, () => {
        ran = true;
      });
      const err = await rejectsCode(engine.execute(p), 'ILLEGAL_READ', PermissionDeniedError);
      expect(err.path).toBe(input);
      expect(ran).toBe(false);
    });
  }

  it('a control zone as an output is fine and implies reading it', async () => {
    const engine = new TheusEngine(fixture());
    const p = process({ name: 'p', outputs: ['meta.cfg'] }, (ctx) => {
      ctx.meta.cfg.level += 1;
    });
    await engine.execute(p);
    expect(engine.state.data.meta.cfg.level).toBe(2);
  });
});

describe('an input that covers a declared output', () => {
  it('inputs [domain] with outputs [domain.orders]: writes inside the output commit, writes elsewhere are refused', async () => {
    const engine = new TheusEngine({ domain: { orders: {}, stock: 5 } });
    const place = process({ name: 'place', inputs: ['domain'], outputs: ['domain.orders'] }, (ctx) => {
      ctx.domain.orders.o1 = { qty: ctx.domain.stock };
    });
    await engine.execute(place);
    expect(engine.state.domain.orders).toEqual({ o1: { qty: 5 } });
    const steal = process({ name: 'steal', inputs: ['domain'], outputs: ['domain.orders'] }, (ctx) => {
      ctx.domain.stock = 0;
    });
    await expect(engine.execute(steal)).rejects.toMatchObject({ code: 'ILLEGAL_WRITE' });
    expect(engine.state.domain.stock).toBe(5);
  });
});
