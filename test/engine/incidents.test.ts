/**
 * The original's incidents (REFERENCE.md §13) as acceptance tests, translated to this API.
 */
import { describe, expect, it } from 'vitest';
import { ContractViolationError, PermissionDeniedError, StateUpdate, SystemBusyError, TheusEngine, process, type ProcessDefinition } from '../../src/index.js';
import { expectCode, gate, rejected, rejectsCode, thrown, throwsCode, tick, until } from './helpers.js';

describe('interop/INC-002 — PermissionError on legal writes', () => {
  it('a declared output is writable: counter += 1 succeeds', async () => {
    const engine = new TheusEngine({ domain: { counter: 0 } });
    const incr = process({ name: 'incr', inputs: ['domain.counter'], outputs: ['domain.counter'] }, (ctx) => {
      ctx.domain.counter += 1;
    });
    await engine.execute(incr);
    await engine.execute(incr);
    expect(engine.state.domain.counter).toBe(2);
  });
});

describe('core/INC-004 — output path resolved to the parent object', () => {
  it('a nested output writes the leaf and keeps the parent’s other fields', async () => {
    const engine = new TheusEngine({ domain: { order: { id: 1, orders: [] } } });
    await engine.execute(process({ name: 'p', outputs: ['domain.order.orders'] }, () => [{ x: 1 }]));
    expect(engine.state.domain.order).toEqual({ id: 1, orders: [{ x: 1 }] });
  });

  it('a dotted StateUpdate key becomes nested data, never a literal dotted key', async () => {
    const engine = new TheusEngine({ domain: {} });
    await engine.execute(process({ name: 'p', outputs: ['domain.nested.value'] }, () => StateUpdate({ data: { 'domain.nested.value': 'success' } })));
    expect(engine.state.domain).toEqual({ nested: { value: 'success' } });
    engine.compareAndSwap(engine.state.version, { data: { 'domain.other.value': 1 } });
    expect(engine.state.domain.other).toEqual({ value: 1 });
    expect(Object.keys(engine.state.data)).not.toContain('domain.other.value');
  });
});

describe('core/INC-005 — legacy alias leaked raw references', () => {
  it('there are no alias roots: contracts naming them are refused, ctx has none', async () => {
    const engine = new TheusEngine({ domain: { a: 1 } });
    for (const alias of ['domain_ctx', 'global_ctx', 'global_']) {
      throwsCode(() => engine.register(process({ name: `uses_${alias}`, inputs: [alias] }, () => undefined)), 'CONTRACT_VIOLATION');
    }
    const probe = process({ name: 'probe', inputs: ['domain'] }, (ctx) => [(ctx as any).domain_ctx, (ctx as any).global_ctx, (ctx as any).data]);
    expect(await engine.execute(probe)).toEqual([undefined, undefined, undefined]);
  });

  it('writes through an input-only domain raise and leave no counter', async () => {
    const engine = new TheusEngine({ domain: { a: 1 } });
    const leak = process({ name: 'leak', inputs: ['domain'] }, (ctx) => {
      const errors: string[] = [];
      for (const attempt of [() => (ctx.domain.counter = 999), () => (ctx.domain['counter'] = 666), () => Object.assign(ctx.domain, { counter: 1 })]) {
        try {
          attempt();
        } catch (e) {
          errors.push((e as PermissionDeniedError).code);
        }
      }
      return errors;
    });
    expect(await engine.execute(leak)).toEqual(['ILLEGAL_WRITE', 'ILLEGAL_WRITE', 'ILLEGAL_WRITE']);
    expect(engine.state.domain).toEqual({ a: 1 });
    expect('counter' in engine.state.domain).toBe(false);
  });
});

describe('core/INC-010 — PURE "ghost writes"', () => {
  function pureEngine() {
    return new TheusEngine({ domain: { safe_list: [] as number[], safe_dict: { a: 1 }, x: 0 }, global: { config: 1 }, heavy: { matrix: { id: 'm' } } });
  }

  it('pure with no inputs: every write to domain, global and heavy raises', async () => {
    const engine = pureEngine();
    const attacks: ((ctx: any) => unknown)[] = [(c) => (c.domain.x = 1), (c) => (c.domain['x'] = 1), (c) => (c.global.config = 2), (c) => (c.heavy['matrix'] = [0])];
    for (const [i, attack] of attacks.entries()) {
      const p = process({ name: `attack${i}`, semantic: 'pure' }, (ctx) => void attack(ctx));
      expect(await rejected(engine.execute(p))).toBeInstanceOf(ContractViolationError);
    }
    expect(engine.state.version).toBe(0);
  });

  it('pure with declared inputs: delete, append and item set all raise ILLEGAL_WRITE', async () => {
    const engine = pureEngine();
    const attacks: ((ctx: any) => unknown)[] = [(c) => delete c.domain.safe_list, (c) => c.domain.safe_list.push(999), (c) => (c.domain.safe_dict['hacked'] = true), (c) => c.domain.safe_list.splice(0, 0, 1)];
    for (const [i, attack] of attacks.entries()) {
      const p = process({ name: `attack${i}`, semantic: 'pure', inputs: ['domain.safe_list', 'domain.safe_dict'] }, (ctx) => void attack(ctx));
      await rejectsCode(engine.execute(p), 'ILLEGAL_WRITE', PermissionDeniedError);
    }
    expect(engine.state.toJSON().domain).toEqual({ safe_list: [], safe_dict: { a: 1 }, x: 0 });
  });

  it('10 concurrent attacks all fail; the seeded list stays empty', async () => {
    const engine = pureEngine();
    const attack = process({ name: 'attack', semantic: 'pure', inputs: ['domain.safe_list'] }, async (ctx) => {
      await tick();
      ctx.domain.safe_list.push(999);
    });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => engine.execute(attack)));
    expect(results.every((r) => r.status === 'rejected' && (r.reason as PermissionDeniedError).code === 'ILLEGAL_WRITE')).toBe(true);
    expect(engine.state.domain.safe_list).toEqual([]);
  });
});

describe('core/INC-011 — strictness flags conflated and not propagated', () => {
  it('strictGuards true, strictCas false: a stale CAS on another key succeeds (smart)', async () => {
    const engine = new TheusEngine({ domain: { x: 0 } }, { strictGuards: true, strictCas: false });
    await engine.execute(process({ name: 'w', outputs: ['domain.x'] }, () => 1));
    engine.compareAndSwap(0, { data: { domain: { other: 99 } } });
    expect(engine.state.domain).toEqual({ x: 1, other: 99 });
  });

  it('strictGuards true, strictCas true: the same call raises (strict CAS); flipping the flag at runtime takes effect', async () => {
    const engine = new TheusEngine({ domain: { x: 0 } }, { strictGuards: true, strictCas: true });
    await engine.execute(process({ name: 'w', outputs: ['domain.x'] }, () => 1));
    const err = expectCode(thrown(() => engine.compareAndSwap(0, { data: { domain: { other: 99 } } })), 'CAS_VERSION_MISMATCH');
    expect(err.message).toMatch(/strict CAS/);
    engine.strictCas = false;
    engine.compareAndSwap(0, { data: { domain: { other: 99 } } });
    engine.strictCas = true;
    throwsCode(() => engine.compareAndSwap(0, { data: { domain: { third: 1 } } }), 'CAS_VERSION_MISMATCH');
    // The guard flag is independent of the CAS flag.
    expect(engine.strictGuards).toBe(true);
  });
});

describe('core/INC-015 — VIP unreachable', () => {
  it('while a struggling process holds the priority lane, anonymous compareAndSwap is refused; its success lifts the block', async () => {
    const engine = new TheusEngine({ domain: { hot_key: 0 } }, { vipAfter: 2, maxRetries: 10 });
    const gates = [gate(), gate(), gate()];
    let attempt = 0;
    const struggling_worker = process({ name: 'struggling_worker', inputs: ['domain.hot_key'], outputs: ['domain.hot_key'] }, async (ctx) => {
      const g = gates[attempt++]!;
      const v = ctx.domain.hot_key;
      await g.promise;
      ctx.domain.hot_key = v + 1;
    });
    const run = engine.execute(struggling_worker);
    for (let i = 0; i < 2; i++) {
      await until(() => attempt >= i + 1);
      engine.edit((c) => void (c.domain.hot_key += 100)); // someone else wins
      gates[i]!.open();
    }
    await until(() => attempt >= 3);
    expect(engine.metrics().byProcess.struggling_worker!.vipGrants).toBe(1);
    expectCode(thrown(() => engine.compareAndSwap(engine.state.version, { data: { 'domain.hot_key': 999 } })), 'SYSTEM_BUSY', SystemBusyError);
    gates[2]!.open();
    await run;
    expect(engine.state.domain.hot_key).toBe(201);
    engine.compareAndSwap(engine.state.version, { data: { 'domain.hot_key': 999 } });
    expect(engine.state.domain.hot_key).toBe(999);
  });
});

describe('core/INC-017 — manual-suite regressions', () => {
  it('(a) a stale compareAndSwap under strictCas raises', () => {
    const engine = new TheusEngine({ domain: { a: 0 } }, { strictCas: true });
    engine.compareAndSwap(0, { data: { 'domain.a': 1 } });
    throwsCode(() => engine.compareAndSwap(0, { data: { 'domain.b': 1 } }), 'CAS_VERSION_MISMATCH');
  });

  it('(b) an undeclared write fails with strictGuards and is committed without', async () => {
    const sneaky = process({ name: 'sneaky', outputs: ['domain.a'] }, (ctx) => {
      ctx.domain.a = 1;
      ctx.domain.b = 2;
    });
    const strict = new TheusEngine({ domain: { a: 0 } });
    await rejectsCode(strict.execute(sneaky), 'ILLEGAL_WRITE');
    expect(strict.state.domain).toEqual({ a: 0 });
    const research = new TheusEngine({ domain: { a: 0 } }, { strictGuards: false });
    await research.execute(sneaky);
    expect(research.state.domain).toEqual({ a: 1, b: 2 });
  });

  it('(c) two outputs and a scalar return → ContractViolationError naming both outputs and the allowed shapes', async () => {
    const engine = new TheusEngine({ domain: { a: 0, b: 0 } });
    const err = await rejectsCode(engine.execute(process({ name: 'p', outputs: ['domain.a', 'domain.b'] }, () => 11)), 'CONTRACT_VIOLATION', ContractViolationError);
    expect(err).not.toBeInstanceOf(TypeError);
    expect(err.message).toContain('domain.a');
    expect(err.message).toContain('domain.b');
    expect(err.message).toMatch(/undefined.*array.*object/);
  });
});

describe('core/INC-021 — sequential copy-and-return writes lost', () => {
  const contract = { inputs: ['domain.documents', 'domain.outbox_queue'], outputs: ['domain.documents', 'domain.outbox_queue'] };
  const initial = () => ({ domain: { documents: {} as Record<string, unknown>, outbox_queue: [] as unknown[] } });

  const saveCow = process({ name: 'save_document_cow', ...contract }, (ctx, id: string) => {
    const docs = { ...ctx.domain.documents };
    docs[id] = { id, seen: Object.keys(ctx.domain.documents).length };
    const queue = [...ctx.domain.outbox_queue, { doc: id }];
    return [docs, queue];
  });

  async function fiveCalls(def: ProcessDefinition<string, unknown>) {
    const engine = new TheusEngine(initial());
    for (let i = 0; i < 5; i++) await engine.execute(def, `doc${i}`);
    return engine.state.toJSON().domain as { documents: Record<string, { seen: number }>; outbox_queue: unknown[] };
  }

  it('5 sequential copy-and-return calls → 5 documents and 5 queue entries; each call sees all previous ones', async () => {
    const d = await fiveCalls(saveCow);
    expect(Object.keys(d.documents)).toEqual(['doc0', 'doc1', 'doc2', 'doc3', 'doc4']);
    expect(Object.values(d.documents).map((x) => x.seen)).toEqual([0, 1, 2, 3, 4]);
    expect(d.outbox_queue).toHaveLength(5);
  });

  it('three independent runs give identical results', async () => {
    const runs = [await fiveCalls(saveCow), await fiveCalls(saveCow), await fiveCalls(saveCow)];
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
  });

  it('the proxy-mutation variant and the StateUpdate variant also give 5/5', async () => {
    const mutate = process({ name: 'save_document_proxy', ...contract }, (ctx, id: string) => {
      ctx.domain.documents[id] = { id, seen: Object.keys(ctx.domain.documents).length };
      ctx.domain.outbox_queue.push({ doc: id });
    });
    const viaUpdate = process({ name: 'save_document_update', ...contract }, (ctx, id: string) => {
      const docs = { ...ctx.domain.documents, [id]: { id, seen: Object.keys(ctx.domain.documents).length } };
      return StateUpdate({ data: { 'domain.documents': docs, 'domain.outbox_queue': [...ctx.domain.outbox_queue, { doc: id }] } });
    });
    for (const def of [mutate, viaUpdate]) {
      const d = await fiveCalls(def);
      expect(Object.keys(d.documents)).toHaveLength(5);
      expect(Object.values(d.documents).map((x) => x.seen)).toEqual([0, 1, 2, 3, 4]);
      expect(d.outbox_queue).toHaveLength(5);
    }
  });

  it('a 200-call sequential burst keeps every entry', async () => {
    const engine = new TheusEngine(initial());
    for (let i = 0; i < 200; i++) await engine.execute(saveCow, `d${i}`);
    expect(Object.keys(engine.state.domain.documents)).toHaveLength(200);
    expect(engine.state.domain.outbox_queue).toHaveLength(200);
    expect(engine.state.version).toBe(200);
  });

  it('a 200-call concurrent burst (async, contended) keeps every entry', async () => {
    const engine = new TheusEngine(initial());
    const saveAsync = process({ name: 'save_async', ...contract }, async (ctx, id: string) => {
      const docs = { ...ctx.domain.documents };
      await tick();
      docs[id] = { id };
      return [docs, [...ctx.domain.outbox_queue, id]];
    });
    await Promise.all(Array.from({ length: 200 }, (_, i) => engine.execute(saveAsync, `d${i}`)));
    expect(Object.keys(engine.state.domain.documents)).toHaveLength(200);
    expect(new Set(engine.state.domain.outbox_queue).size).toBe(200);
  });
});

describe('core/INC-026 — snapshot merge base blocked all return-value mapping', () => {
  it('a returned list lands on a field that is []', async () => {
    const engine = new TheusEngine({ domain: { experiments: [] } });
    await engine.execute(process({ name: 'p', outputs: ['domain.experiments'] }, () => [{ id: 1 }, { id: 2 }]));
    expect(engine.state.domain.experiments).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('three outputs are all committed', async () => {
    const engine = new TheusEngine({ domain: { a: 0, b: '', c: [] } });
    await engine.execute(process({ name: 'p', outputs: ['domain.a', 'domain.b', 'domain.c'] }, () => [1, 'two', [3]]));
    expect(engine.state.domain).toEqual({ a: 1, b: 'two', c: [3] });
  });

  it('a counter returned as value + 1, three times → 3', async () => {
    const engine = new TheusEngine({ domain: { counter: 0 } });
    const inc = process({ name: 'inc', inputs: ['domain.counter'], outputs: ['domain.counter'] }, (ctx) => ctx.domain.counter + 1);
    for (let i = 0; i < 3; i++) await engine.execute(inc);
    expect(engine.state.domain.counter).toBe(3);
  });

  it('a list replaced by a different list is replaced', async () => {
    const engine = new TheusEngine({ domain: { list: [1, 2, 3] } });
    await engine.execute(process({ name: 'p', inputs: ['domain.list'], outputs: ['domain.list'] }, (ctx) => ctx.domain.list.map((x: number) => x * 10).reverse()));
    expect(engine.state.domain.list).toEqual([30, 20, 10]);
  });

  it('proxy write then return undefined → 42; proxy write 99 then return "ok" → 99', async () => {
    const engine = new TheusEngine({ domain: { counter: 0 } });
    await engine.execute(process({ name: 'a', outputs: ['domain.counter'] }, (ctx) => void (ctx.domain.counter = 42)));
    expect(engine.state.domain.counter).toBe(42);
    const r = await engine.execute(
      process({ name: 'b', outputs: ['domain.counter'] }, (ctx) => {
        ctx.domain.counter = 99;
        return 'ok';
      }),
    );
    expect(engine.state.domain.counter).toBe(99);
    expect(r).toBe('ok');
  });

  it('returning [undefined, "new_dir"] changes only output_dir', async () => {
    const engine = new TheusEngine({ domain: { input_dir: 'in', output_dir: 'out' } });
    await engine.execute(process({ name: 'p', outputs: ['domain.input_dir', 'domain.output_dir'] }, () => [undefined, 'new_dir']));
    expect(engine.state.domain).toEqual({ input_dir: 'in', output_dir: 'new_dir' });
  });
});

describe('core/INC-027 — unchecked state replacement reachable from user code', () => {
  it('the engine has no commitState-like method; state is a read-only accessor; States are immutable', () => {
    const engine = new TheusEngine({ domain: { balance: 10 } });
    const anyEngine = engine as unknown as Record<string, unknown>;
    for (const name of ['commitState', 'commit_state', 'setState', 'replaceState', '_core']) expect(anyEngine[name]).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(Object.getPrototypeOf(engine), 'state')!.set).toBeUndefined();
    expect(() => ((engine.state.domain as { balance: number }).balance = 0)).toThrow();
    expect(engine.state.domain.balance).toBe(10);
    // An old State cannot be re-installed: the only ways in are CAS and transactions.
    const old = engine.state;
    engine.edit((c) => void (c.domain.balance = 20));
    expect(() => ((engine as unknown as { state: unknown }).state = old)).toThrow(TypeError);
    expect(engine.state.domain.balance).toBe(20);
  });
});

describe('core/INC-028 — transaction exit had no conflict check', () => {
  it('tx writes x=42, external CAS writes x=99 → commit throws, x stays 99, version advanced once', () => {
    const engine = new TheusEngine({ domain: { x: 0, y: 0 } });
    const tx = engine.transaction();
    tx.domain.x = 42;
    engine.compareAndSwap(0, { data: { 'domain.x': 99 } });
    throwsCode(() => tx.commit(), 'CAS_VERSION_MISMATCH');
    expect(engine.state.domain.x).toBe(99);
    expect(engine.state.version).toBe(1);
  });

  it('an external write on y instead → no error, both changes kept', () => {
    const engine = new TheusEngine({ domain: { x: 0, y: 0 } });
    const tx = engine.transaction();
    tx.domain.x = 42;
    engine.compareAndSwap(0, { data: { 'domain.y': 99 } });
    tx.commit();
    expect(engine.state.domain).toEqual({ x: 42, y: 99 });
  });

  it('two concurrent increments (await between read and return) → 2 with more than 2 executions', async () => {
    const engine = new TheusEngine({ domain: { counter: 0 } });
    let runs = 0;
    const increment = process({ name: 'increment', inputs: ['domain.counter'], outputs: ['domain.counter'] }, async (ctx) => {
      runs++;
      const v = ctx.domain.counter;
      await tick();
      return v + 1;
    });
    await Promise.all([engine.execute(increment), engine.execute(increment)]);
    expect(engine.state.domain.counter).toBe(2);
    expect(runs).toBeGreaterThan(2);
  });
});
