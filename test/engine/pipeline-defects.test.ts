/**
 * Each leak of the per-route pipelines, reproduced, now closed by the one commit pipeline.
 */
import diagnostics from 'node:diagnostics_channel';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { CHANNELS, ConflictError, PermissionDeniedError, StateUpdate, TheusEngine, TheusError, process } from '../../src/index.js';
import { parseContractPath } from '../../src/contracts/grammar.js';
import { expectCode, rejected, rejectsCode, sleep, throwsCode, tick, trackedEngines } from './helpers.js';

const make = trackedEngines();

describe('engine.transaction() checks what it read', () => {
  it('write skew: two "go off call if the other is on" transactions cannot both commit', async () => {
    const engine = make({ domain: { alice: true, bob: true } });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const offIfOther = (me: 'alice' | 'bob', other: 'alice' | 'bob') =>
      engine.transaction(async (tx) => {
        const otherOn = tx.domain[other];
        await gate;
        if (otherOn) tx.domain[me] = false;
      });
    const a = offIfOther('alice', 'bob');
    const b = offIfOther('bob', 'alice');
    release();
    const results = await Promise.allSettled([a, b]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expectCode(lost.reason, 'CAS_VERSION_MISMATCH', ConflictError);
    // Somebody is still on call.
    expect(engine.state.domain.alice || engine.state.domain.bob).toBe(true);
  });

  it('a stale read does not commit', async () => {
    const engine = make({ domain: { price: 10, total: 0 } });
    const tx = engine.transaction();
    const price = tx.domain.price as number;
    engine.edit((ctx) => void (ctx.domain.price = 20));
    tx.domain.total = price * 2;
    const err = throwsCode(() => tx.commit(), 'CAS_VERSION_MISMATCH', ConflictError);
    expect(err.paths).toContain('domain.price');
    expect(engine.state.domain.total).toBe(0);
  });
});

describe('deadlines settle execute() whatever the process does', () => {
  const hang = process({ name: 'hang', outputs: ['domain.n'] }, () => new Promise<never>(() => undefined));

  it('writeTimeoutMs rejects a process that never settles and ignores ctx.abortSignal; unrelated writers proceed', async () => {
    const engine = make({ domain: { n: 0, m: 0 } }, { writeTimeoutMs: 30 });
    const before = engine.state;
    const pending = engine.execute(hang);
    await engine.execute(process({ name: 'other', outputs: ['domain.m'] }, (ctx) => void (ctx.domain.m = 1)));
    await rejectsCode(pending, 'WRITE_TIMEOUT');
    expect(engine.state.domain.n).toBe(0);
    expect(engine.state.version).toBe(before.version + 1);
    engine.edit((ctx) => void (ctx.domain.n = 5));
    expect(engine.state.domain.n).toBe(5);
  });

  it('an aborted signal rejects it (ABORTED), nothing committed', async () => {
    const engine = make({ domain: { n: 0 } });
    const controller = new AbortController();
    const pending = engine.execute(hang, undefined, { signal: controller.signal });
    await tick();
    controller.abort(new Error('user cancelled'));
    await rejectsCode(pending, 'ABORTED');
    expect(engine.state.version).toBe(0);
  });

  it('close() rejects it (ENGINE_CLOSED)', async () => {
    const engine = make({ domain: { n: 0 } });
    const pending = engine.execute(hang);
    await tick();
    await engine.close();
    await rejectsCode(pending, 'ENGINE_CLOSED');
  });

  it('a late write by the cut-off process is refused (its transaction is over)', async () => {
    const engine = make({ domain: { n: 0 } }, { writeTimeoutMs: 20 });
    let late: unknown;
    const slow = process({ name: 'slow', outputs: ['domain.n'] }, async (ctx) => {
      await sleep(60);
      try {
        ctx.domain.n = 99;
      } catch (e) {
        late = e;
      }
    });
    await rejectsCode(engine.execute(slow), 'WRITE_TIMEOUT');
    await sleep(80);
    expectCode(late, 'STALE_REFERENCE');
    expect(engine.state.domain.n).toBe(0);
  });
});

describe('a hung process holding the priority lane', () => {
  it('blocks other writers only until its deadline; then the lane is free', async () => {
    const engine = make({ domain: { n: 0, other: 0 } }, { vipAfter: 1, writeTimeoutMs: 60, backoffMaxMs: 1 });
    let attempts = 0;
    let tookLane!: () => void;
    const laneTaken = new Promise<void>((r) => (tookLane = r));
    let release!: () => void;
    const firstGate = new Promise<void>((r) => (release = r));
    const greedy = process({ name: 'greedy', inputs: ['domain.n'], outputs: ['domain.n'] }, async (ctx) => {
      attempts++;
      const n = ctx.domain.n as number;
      if (attempts > 1) {
        tookLane();
        await new Promise<never>(() => undefined); // holds the lane and never settles
      }
      await firstGate;
      ctx.domain.n = n + 1;
    });
    const pending = engine.execute(greedy);
    await tick();
    engine.edit((ctx) => void (ctx.domain.n = 100)); // makes greedy's first attempt conflict
    release();
    await laneTaken;
    throwsCode(() => engine.edit((ctx) => void (ctx.domain.other = 1)), 'SYSTEM_BUSY');
    await rejectsCode(pending, 'WRITE_TIMEOUT');
    engine.edit((ctx) => void (ctx.domain.other = 1));
    expect(engine.state.domain).toEqual({ n: 100, other: 1 });
  });

  it('a value nested beyond the walk limit in a replaced parent is refused, not waved through', async () => {
    let deep: Record<string, unknown> = { const_k: 1 };
    for (let i = 0; i < 990; i++) deep = { d: deep };
    const engine = make({ domain: { cfg: deep } });
    let changed: Record<string, unknown> = { const_k: 2 };
    for (let i = 0; i < 990; i++) changed = { d: changed };
    const p = process({ name: 'p', outputs: ['domain.cfg'] }, (ctx) => void (ctx.domain.cfg = changed));
    await rejectsCode(engine.execute(p), 'ILLEGAL_WRITE');
  });
});

describe('audit S stops every route until audit.reset()', () => {
  it('edit, compareAndSwap, transaction() and heavy all throw AUDIT_STOP', async () => {
    const engine = make(
      { domain: { amount: 0 } },
      { auditRecipe: { process_recipes: { pay: { outputs: [{ field: 'domain.amount', max: 100, level: 'S' }] } } } },
    );
    const pay = process({ name: 'pay', outputs: ['domain.amount'] }, (ctx, n: number) => void (ctx.domain.amount = n));
    engine.register(pay);
    await rejectsCode(engine.execute(pay, 500), 'AUDIT_STOP');
    throwsCode(() => engine.edit((ctx) => void (ctx.domain.amount = 500)), 'AUDIT_STOP');
    throwsCode(() => engine.compareAndSwap(engine.state.version, { data: { 'domain.amount': 500 } }), 'AUDIT_STOP');
    throwsCode(() => engine.transaction(), 'AUDIT_STOP');
    throwsCode(() => engine.heavy.alloc('m', [2], 'int8'), 'AUDIT_STOP');
    expect(engine.state.domain.amount).toBe(0);
    engine.audit.reset();
    engine.edit((ctx) => void (ctx.domain.amount = 1));
    expect(engine.state.domain.amount).toBe(1);
  });
});

describe('re-entrancy ends with the process transaction', () => {
  it('a timer scheduled by a finished process may call the engine', async () => {
    const engine = make({ domain: { n: 0, later: 0 } });
    const bump = process({ name: 'bump', outputs: ['domain.later'] }, (ctx) => void (ctx.domain.later = 1));
    let done!: Promise<unknown>;
    const scheduled = new Promise<void>((resolve) => {
      const p = process({ name: 'p', outputs: ['domain.n'] }, (ctx) => {
        ctx.domain.n = 1;
        setTimeout(() => {
          done = engine.execute(bump);
          resolve();
        }, 5);
      });
      void engine.execute(p);
    });
    await scheduled;
    await done;
    expect(engine.state.domain).toEqual({ n: 1, later: 1 });
  });

  it('work a process scheduled (which keeps its async context) does not keep the attempt alive: its args are collected', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const engine = make({ domain: { n: 0 } });
    let timer: ReturnType<typeof setInterval> | undefined;
    const p = process({ name: 'p', outputs: ['domain.n'] }, (ctx) => {
      ctx.domain.n += 1;
      // References neither ctx nor args: only the async context ties it to this execution.
      timer = setInterval(() => undefined, 60_000);
    });
    // The arguments live only in this function's scope.
    const ref = await (async () => {
      const args = { payload: new Array(1000).fill(1) };
      await engine.execute(p, args);
      return new WeakRef(args);
    })();
    try {
      for (let i = 0; i < 10 && ref.deref() !== undefined; i++) {
        await sleep(5);
        gc();
      }
      expect(ref.deref()).toBeUndefined();
    } finally {
      clearInterval(timer);
    }
  });

  it('a finished asynchronous attempt is not kept by its deadline, which stays queued until the timeout passes', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // A long timeout: the deadline of each attempt stays in the engine's queue long after it settled.
    const engine = make({ domain: { n: 0 } }, { writeTimeoutMs: 60_000 });
    const p = process({ name: 'p', outputs: ['domain.n'] }, async (ctx, args: { payload: number[] }) => {
      await sleep(1);
      ctx.domain.n += args.payload.length > 0 ? 1 : 0;
    });
    const ref = await (async () => {
      const args = { payload: new Array(1000).fill(1) };
      await engine.execute(p, args);
      return new WeakRef(args);
    })();
    for (let i = 0; i < 10 && ref.deref() !== undefined; i++) {
      await sleep(5);
      gc();
    }
    expect(ref.deref()).toBeUndefined();
    expect(engine.state.domain.n).toBe(1);
  });

  it('a call from inside a running process is still refused', async () => {
    const engine = make({ domain: { n: 0 } });
    const p = process({ name: 'p', outputs: ['domain.n'] }, () => {
      engine.edit(() => undefined);
    });
    await rejectsCode(engine.execute(p), 'REENTRANT_CALL');
  });
});

describe('signal payloads are copied and frozen on every route', () => {
  it('StateUpdate, compareAndSwap and a signal.* return value', async () => {
    const engine = make({ domain: {} });
    const a = { n: 1 };
    await engine.execute(process({ name: 'su', outputs: ['signal.a'] }, () => StateUpdate({ signal: { a } })));
    a.n = 2;
    expect(engine.state.signals.a).toEqual({ n: 1 });
    expect(Object.isFrozen(engine.state.signals.a)).toBe(true);
    const b = { n: 1 };
    engine.compareAndSwap(engine.state.version, { signal: { b } });
    b.n = 2;
    expect(engine.state.signals.b).toEqual({ n: 1 });
    const c = { n: 1 };
    await engine.execute(process({ name: 'ret', outputs: ['signal.c'] }, () => c));
    c.n = 2;
    expect(engine.state.signals.c).toEqual({ n: 1 });
    expect(Object.isFrozen(engine.state.signals.c)).toBe(true);
  });
});

describe('ctx.asAdmin(fn) passes fn an admin view; the outer ctx is never elevated', () => {
  it('while an async admin block is pending, the outer ctx still cannot rewrite a log', async () => {
    const engine = make({ domain: { log_ops: ['a'], user: {} } });
    let outer: unknown;
    const p = process({ name: 'p', outputs: ['domain.log_ops', 'domain.user'] }, async (ctx) => {
      const pending = ctx.asAdmin(async (admin) => {
        await tick();
        admin.domain.user.internal_seen = true;
      });
      try {
        ctx.domain.log_ops = [];
      } catch (e) {
        outer = e;
      }
      await pending;
    });
    await engine.execute(p);
    expectCode(outer, 'ILLEGAL_WRITE', PermissionDeniedError);
    expect(engine.state.domain).toEqual({ log_ops: ['a'], user: { internal_seen: true } });
    expect(engine.metaLog({ kind: 'admin' })).toHaveLength(1);
  });
});

describe('the schema gate sees segment paths', () => {
  it('a record key containing a dot is validated', async () => {
    const engine = make({ domain: { users: {} } }, { schema: { 'domain.users.*': z.object({ age: z.number() }) } });
    const add = process({ name: 'add', outputs: ['domain.users'] }, (ctx, key: string) => void (ctx.domain.users[key] = { age: 'old' }));
    await rejectsCode(engine.execute(add, 'a.b'), 'SCHEMA_VIOLATION');
    await rejectsCode(engine.execute(add, 'x[0]'), 'SCHEMA_VIOLATION');
    expect(engine.state.version).toBe(0);
  });

  it('an async schema that rejects the initial state: open() rejects; a constructed engine refuses every commit', async () => {
    const schema = { domain: z.object({ n: z.number() }).refine(async (d) => d.n >= 0, 'n must be >= 0') };
    const err = await rejected(TheusEngine.open({ domain: { n: -1 } }, { schema }));
    expectCode(err, 'SCHEMA_VIOLATION');
    const engine = make({ domain: { n: -1 } }, { schema });
    const p = process({ name: 'p', outputs: ['domain.n'] }, (ctx) => void (ctx.domain.n = 1));
    await rejectsCode(engine.execute(p), 'SCHEMA_VIOLATION');
    expect(engine.state.version).toBe(0);
  });
});

describe('one contract grammar', () => {
  it('the engine and the linter read the same answers from it', () => {
    expect(parseContractPath('domain.items[*]')).toEqual({ ok: true, segments: ['domain', 'items', '*'] });
    expect(parseContractPath('domain.__cache')).toEqual({ ok: true, segments: ['domain', '__cache'] });
    for (const bad of ['domain.__proto__', 'domain.constructor.x', 'domain..x', 'a b', `domain.${'x'.repeat(1100)}`]) expect(parseContractPath(bad).ok).toBe(false);
    expect(parseContractPath('dom.x', new Set(['domain']))).toMatchObject({ ok: false, problem: expect.stringContaining("unknown root 'dom'") });
  });
});

describe('diagnostics channels', () => {
  it('commit, conflict, signal and the execute/attempt traces carry the pipeline life', async () => {
    const engine = make({ domain: { n: 0 } });
    const seen: Record<string, unknown[]> = { commit: [], conflict: [], signal: [], execute: [], attempt: [] };
    const on = (name: string) => (m: unknown) => void seen[name]!.push(m);
    const handlers = { commit: on('commit'), conflict: on('conflict'), signal: on('signal') };
    diagnostics.subscribe(CHANNELS.commit, handlers.commit);
    diagnostics.subscribe(CHANNELS.conflict, handlers.conflict);
    diagnostics.subscribe(CHANNELS.signal, handlers.signal);
    const exec = { start: on('execute') };
    const att = { start: on('attempt') };
    diagnostics.tracingChannel(CHANNELS.execute).subscribe(exec as never);
    diagnostics.tracingChannel(CHANNELS.attempt).subscribe(att as never);
    try {
      const inc = process({ name: 'inc', inputs: ['domain.n'], outputs: ['domain.n', 'signal.ping'] }, async (ctx) => {
        const n = ctx.domain.n as number;
        await tick();
        ctx.domain.n = n + 1;
        ctx.signal.ping = n;
      });
      await Promise.all([engine.execute(inc), engine.execute(inc)]);
    } finally {
      diagnostics.unsubscribe(CHANNELS.commit, handlers.commit);
      diagnostics.unsubscribe(CHANNELS.conflict, handlers.conflict);
      diagnostics.unsubscribe(CHANNELS.signal, handlers.signal);
      diagnostics.tracingChannel(CHANNELS.execute).unsubscribe(exec as never);
      diagnostics.tracingChannel(CHANNELS.attempt).unsubscribe(att as never);
    }
    expect(engine.state.domain.n).toBe(2);
    expect(seen.commit).toHaveLength(2);
    expect(seen.commit![0]).toMatchObject({ version: 1, process: 'inc', route: 'execute', ops: [{ op: 'replace', path: ['domain', 'n'], value: 1 }] });
    expect(seen.conflict).toHaveLength(1);
    expect(seen.conflict![0]).toMatchObject({ process: 'inc', baseVersion: 0, winningVersion: 1, paths: ['domain.n'] });
    expect(seen.signal).toHaveLength(2);
    expect(seen.execute).toHaveLength(2);
    expect(seen.attempt).toHaveLength(3);
  });
});

describe('bad input keeps its typed errors', () => {
  it('compareAndSwap with hostile keys', () => {
    const engine = make({ domain: {} });
    expect(() => engine.compareAndSwap(0, { data: JSON.parse('{"domain.__proto__.x": 1}') as Record<string, unknown> })).toThrow(TheusError);
    expect(engine.state.version).toBe(0);
  });
});
