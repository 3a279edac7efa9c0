import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError, PermissionDeniedError, SchemaViolationError, StateUpdate, TheusEngine, TheusError, process } from '../../src/index.js';
import type { SignalMessage } from '../../src/index.js';
import { expectCode, gate, rejected, thrown, tick, until } from './fixtures/workflow/helpers.js';

/**
 * Signals through the real engine: published only after the commit that carries them is
 * installed (INC-023), never on rollback, exactly once per successful commit.
 */

const engines: TheusEngine[] = [];
function engineOf(...args: ConstructorParameters<typeof TheusEngine>): TheusEngine {
  const engine = new TheusEngine(...args);
  engines.push(engine);
  return engine;
}
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.close();
});

/** Every message the engine publishes, in order. */
function record(engine: TheusEngine, pattern = '*'): SignalMessage[] {
  const seen: SignalMessage[] = [];
  engine.signals.subscribe(pattern, (m) => void seen.push(m));
  return seen;
}

describe('signals are published after commit (INC-023)', () => {
  it('(a) a subscriber woken by the signal reads engine.state and sees the committed data and latch', async () => {
    const engine = engineOf({ domain: { data_counter: 0 } });
    const seenByListener: { counter: number; version: number; latched: unknown }[] = [];
    engine.signals.subscribe('ready', (m) => {
      seenByListener.push({ counter: engine.state.domain.data_counter, version: engine.state.version, latched: engine.state.signals.ready });
      expect(m.version).toBe(engine.state.version);
    });
    const produce = process({ name: 'produce', outputs: ['domain.data_counter', 'signal.ready'] }, (ctx) => {
      ctx.domain.data_counter = 99;
      ctx.signal.ready = true;
    });
    await engine.execute(produce);
    expect(seenByListener).toEqual([{ counter: 99, version: 1, latched: true }]);
  });

  it('(a) the same holds for an async process and for a signal-only compareAndSwap', async () => {
    const engine = engineOf({ domain: { n: 0 } });
    const views: number[] = [];
    engine.signals.subscribe('*', () => void views.push(engine.state.domain.n));
    const slow = process({ name: 'slow', inputs: ['domain.n'], outputs: ['domain.n', 'signal.bumped'] }, async (ctx) => {
      await tick();
      ctx.domain.n = 5;
      ctx.signal.bumped = 5;
      await tick();
    });
    await engine.execute(slow);
    engine.compareAndSwap(engine.state.version, { data: { 'domain.n': 6 }, signal: { bumped: 6 } });
    expect(views).toEqual([5, 6]);
  });

  it('(b) a schema rejecting the data: no signal, state and version untouched', async () => {
    const engine = engineOf({ domain: { data_counter: 0 } }, { schema: { 'domain.data_counter': z.number().max(50) } });
    const seen = record(engine);
    const before = engine.state;
    const produce = process({ name: 'produce', outputs: ['domain.data_counter', 'signal.ready'] }, (ctx) => {
      ctx.domain.data_counter = 99;
      ctx.signal.ready = true;
    });
    expect(await rejected(engine.execute(produce))).toBeInstanceOf(SchemaViolationError);
    expect(thrown(() => engine.compareAndSwap(0, { data: { 'domain.data_counter': 99 }, signal: { ready: true } }))).toBeInstanceOf(SchemaViolationError);
    await tick();
    expect(seen).toEqual([]);
    expect(engine.state).toBe(before);
    expect(engine.state.version).toBe(0);
    expect(engine.state.domain.data_counter).toBe(0);
    // The same process with valid data publishes once.
    const valid = process({ name: 'valid', outputs: ['domain.data_counter', 'signal.ready'] }, (ctx) => {
      ctx.domain.data_counter = 10;
      ctx.signal.ready = 'yes';
    });
    await engine.execute(valid);
    expect(seen).toEqual([{ topic: 'ready', payload: 'yes', version: 1 }]);
  });

  it('(b) with an asynchronous schema validator, signals wait for validation and a rejection publishes nothing', async () => {
    const atMost50 = z.number().refine(async (n) => {
      await tick();
      return n <= 50;
    }, 'too big');
    const engine = engineOf({ domain: { data_counter: 0 } }, { schema: { 'domain.data_counter': atMost50 } });
    const seen = record(engine);
    const write = process({ name: 'write', outputs: ['domain.data_counter', 'signal.ready'] }, (ctx, args: { n: number }) => {
      ctx.domain.data_counter = args.n;
      ctx.signal.ready = args.n;
    });
    expect(await rejected(engine.execute(write, { n: 99 }))).toBeInstanceOf(SchemaViolationError);
    expect(seen).toEqual([]);
    expect(engine.state.version).toBe(0);
    await engine.execute(write, { n: 7 });
    expect(seen).toEqual([{ topic: 'ready', payload: 7, version: 1 }]);
    expect(engine.state.domain.data_counter).toBe(7);
  });

  it('(b) closing the engine while an asynchronous validator runs commits and publishes nothing', async () => {
    const release = gate();
    let validating = false;
    const waits = z.number().refine(async () => {
      validating = true;
      await release.promise;
      return true;
    });
    const engine = engineOf({ domain: { n: 0 } }, { schema: { 'domain.n': waits } });
    const seen = record(engine);
    const write = process({ name: 'write', outputs: ['domain.n', 'signal.written'] }, (ctx) => {
      ctx.domain.n = 1;
      ctx.signal.written = true;
    });
    const run = engine.execute(write);
    await until(() => validating);
    await engine.close();
    release.open();
    expectCode(await rejected(run), 'ENGINE_CLOSED');
    expect(seen).toEqual([]);
    expect(engine.state.version).toBe(0);
  });

  it('(c) strictCas: a stale compareAndSwap with a signal publishes nothing; the right version publishes exactly once', () => {
    const engine = engineOf({ domain: { x: 0, y: 0 } }, { strictCas: true });
    const seen = record(engine);
    engine.compareAndSwap(0, { data: { domain: { x: 1 } } });
    const err = thrown(() => engine.compareAndSwap(0, { data: { domain: { y: 1 } }, signal: { done: 'true' } }));
    expect(err).toBeInstanceOf(ConflictError);
    expect(seen).toEqual([]);
    expect(engine.state.version).toBe(1);
    expect(engine.state.domain.y).toBe(0);
    expect(engine.state.signals).toEqual({});
    engine.compareAndSwap(1, { data: { domain: { y: 1 } }, signal: { done: 'true' } });
    expect(seen).toEqual([{ topic: 'done', payload: 'true', version: 2 }]);
    expect(engine.state.signals).toEqual({ done: 'true' });
  });

  it('a process that throws after emitting publishes nothing (sync and async) and commits nothing', async () => {
    const engine = engineOf({ domain: { n: 0 } });
    const seen = record(engine);
    const boom = new RangeError('after the signal');
    const syncFail = process({ name: 'syncFail', outputs: ['domain.n', 'signal.started'] }, (ctx) => {
      ctx.domain.n = 1;
      ctx.signal.started = true;
      throw boom;
    });
    const asyncFail = process({ name: 'asyncFail', outputs: ['domain.n', 'signal'] }, async (ctx) => {
      ctx.signal.publish('started', 1);
      ctx.domain.n = 2;
      await tick();
      throw new TypeError('late failure');
    });
    expect(await rejected(engine.execute(syncFail))).toBe(boom);
    expect(await rejected(engine.execute(asyncFail))).toBeInstanceOf(TypeError);
    await tick();
    expect(seen).toEqual([]);
    expect(engine.state.version).toBe(0);
    expect(engine.state.domain.n).toBe(0);
  });

  it('a process that emits and then breaks its contract publishes nothing', async () => {
    const engine = engineOf({ domain: { n: 0, secret: 1 } });
    const seen = record(engine);
    const sneaky = process({ name: 'sneaky', inputs: ['domain'], outputs: ['domain.n', 'signal.ping'] }, (ctx) => {
      ctx.signal.ping = 1;
      ctx.domain.secret = 2;
    });
    expect(await rejected(engine.execute(sneaky))).toBeInstanceOf(PermissionDeniedError);
    expect(seen).toEqual([]);
    expect(engine.state.version).toBe(0);
  });

  it('a conflicting attempt is re-run and only the committed attempt’s signals are published, once', async () => {
    const engine = engineOf({ domain: { n: 0 } });
    const seen = record(engine);
    const hold = gate();
    let attempts = 0;
    const bump = process({ name: 'bump', inputs: ['domain.n'], outputs: ['domain.n', 'signal.bumped'] }, async (ctx) => {
      attempts++;
      const attempt = attempts;
      const n = ctx.domain.n;
      ctx.signal.bumped = { attempt };
      if (attempt === 1) await hold.promise;
      ctx.domain.n = n + 1;
    });
    const run = engine.execute(bump);
    await until(() => attempts === 1);
    engine.edit((c) => void (c.domain.n = 100)); // invalidates what the first attempt read
    hold.open();
    await run;
    expect(attempts).toBe(2);
    expect(engine.state.domain.n).toBe(101);
    expect(seen).toEqual([{ topic: 'bumped', payload: { attempt: 2 }, version: 2 }]);
    expect(engine.metrics().retries).toBe(1);
  });

  it('a process that loses every retry (ConflictError) publishes nothing', async () => {
    const engine = engineOf({ domain: { n: 0 } }, { maxRetries: 0 });
    const seen = record(engine);
    const hold = gate();
    let attempts = 0;
    const bump = process({ name: 'bump', inputs: ['domain.n'], outputs: ['domain.n', 'signal.bumped'] }, async (ctx) => {
      attempts++;
      const n = ctx.domain.n;
      ctx.signal.bumped = true;
      await hold.promise;
      ctx.domain.n = n + 1;
    });
    const run = engine.execute(bump);
    await until(() => attempts === 1);
    engine.edit((c) => void (c.domain.n = 100));
    hold.open();
    expect(await rejected(run)).toBeInstanceOf(ConflictError);
    expect(seen).toEqual([]);
    expect(engine.state.domain.n).toBe(100);
  });
});

describe('what a published signal looks like', () => {
  it('is { topic, payload, version } with the version of the commit that carried it, in emission order', async () => {
    const engine = engineOf({ domain: { n: 0 } });
    const seen = record(engine);
    const many = process({ name: 'many', outputs: ['domain.n', 'signal'] }, (ctx) => {
      ctx.domain.n = 1;
      ctx.signal.status = 'active';
      ctx.signal.publish('progress', '50%');
      ctx.signal['order.created'] = { id: 7 };
    });
    await engine.execute(many);
    expect(seen).toEqual([
      { topic: 'status', payload: 'active', version: 1 },
      { topic: 'progress', payload: '50%', version: 1 },
      { topic: 'order.created', payload: { id: 7 }, version: 1 },
    ]);
    for (const m of seen) expect(Object.keys(m).sort()).toEqual(['payload', 'topic', 'version']);
    // Payloads are shared by every listener: the engine hands them out frozen.
    expect(Object.isFrozen(seen[2]?.payload)).toBe(true);
  });

  it('the three ways to emit: ctx.signal assignment, a signal.* output return value, StateUpdate({ signal })', async () => {
    const engine = engineOf({ domain: { n: 0 } });
    const seen = record(engine);
    const byAssignment = process({ name: 'byAssignment', outputs: ['signal.ping'] }, (ctx) => {
      ctx.signal.ping = 'assigned';
    });
    const byReturn = process({ name: 'byReturn', outputs: ['signal.ping'] }, () => 'returned');
    const byUpdate = process({ name: 'byUpdate', outputs: ['domain.n', 'signal.ping'] }, () => StateUpdate({ data: { 'domain.n': 3 }, signal: { ping: 'updated' } }));
    await engine.execute(byAssignment);
    await engine.execute(byReturn);
    await engine.execute(byUpdate);
    expect(seen).toEqual([
      { topic: 'ping', payload: 'assigned', version: 1 },
      { topic: 'ping', payload: 'returned', version: 2 },
      { topic: 'ping', payload: 'updated', version: 3 },
    ]);
    expect(engine.state.domain.n).toBe(3);
  });

  it('patterns: exact topic, * and globs select what a subscriber receives', async () => {
    const engine = engineOf();
    const exact = record(engine, 'order.created');
    const glob = record(engine, 'order.*');
    const cmd = record(engine, 'cmd_*');
    const emit = process({ name: 'emit', outputs: ['signal'] }, (ctx) => {
      ctx.signal['order.created'] = 1;
      ctx.signal['order.paid'] = 2;
      ctx.signal.cmd_stop = 3;
    });
    await engine.execute(emit);
    expect(exact.map((m) => m.topic)).toEqual(['order.created']);
    expect(glob.map((m) => m.topic)).toEqual(['order.created', 'order.paid']);
    expect(cmd.map((m) => m.topic)).toEqual(['cmd_stop']);
  });
});

describe('engine.state.signals: the latch of the last commit', () => {
  it('holds the signals of the commit that produced the current version and is emptied by the next commit', async () => {
    const engine = engineOf({ domain: { n: 0 } });
    expect(engine.state.signals).toEqual({});
    const emit = process({ name: 'emit', outputs: ['domain.n', 'signal'] }, (ctx) => {
      ctx.domain.n += 1;
      ctx.signal.a = 1;
      ctx.signal.b = { nested: true };
      ctx.signal.a = 2; // the last payload of a topic is the latched one
    });
    const plain = process({ name: 'plain', inputs: ['domain.n'], outputs: ['domain.n'] }, (ctx) => {
      ctx.domain.n += 1;
    });
    await engine.execute(emit);
    const latched = engine.state;
    expect(latched.signals).toEqual({ a: 2, b: { nested: true } });
    expect(Object.isFrozen(latched.signals)).toBe(true);
    await engine.execute(plain);
    expect(engine.state.signals).toEqual({});
    // Old States keep their own latch.
    expect(latched.signals).toEqual({ a: 2, b: { nested: true } });
    engine.edit((c) => void (c.domain.n = 0));
    expect(engine.state.signals).toEqual({});
  });
});

describe('engine.signals.stream() over committed signals', () => {
  it('a slow consumer gets the newest messages and `lost` counts what was dropped', async () => {
    const engine = engineOf({ domain: { n: 0 } });
    const stream = engine.signals.stream({ topics: 'tick', bufferSize: 2 });
    const emit = process({ name: 'emit', inputs: ['domain.n'], outputs: ['domain.n', 'signal.tick'] }, (ctx) => {
      ctx.domain.n += 1;
      ctx.signal.tick = ctx.domain.n;
    });
    for (let i = 0; i < 5; i++) await engine.execute(emit);
    const first = await stream.next();
    const second = await stream.next();
    expect(first.value).toEqual({ topic: 'tick', payload: 4, version: 4, lost: 3 });
    expect(second.value).toEqual({ topic: 'tick', payload: 5, version: 5 });
    expect(second.value).not.toHaveProperty('lost');
    await stream.return();
    expect(engine.signals.listenerCount('tick')).toBe(0);
  });

  it('a consumer that keeps up loses nothing, and a failed commit never reaches the stream', async () => {
    const engine = engineOf({ domain: { n: 0 } });
    const stream = engine.signals.stream({ topics: ['ok', 'bad'] });
    const got: SignalMessage[] = [];
    const consumer = (async () => {
      for await (const m of stream) got.push(m);
    })();
    const ok = process({ name: 'ok', outputs: ['signal.ok'] }, (ctx) => void (ctx.signal.ok = 1));
    const bad = process({ name: 'bad', outputs: ['signal.bad'] }, (ctx) => {
      ctx.signal.bad = 1;
      throw new Error('no');
    });
    await engine.execute(ok);
    await rejected(engine.execute(bad));
    await engine.execute(ok);
    await engine.close();
    await consumer;
    expect(got).toEqual([
      { topic: 'ok', payload: 1, version: 1 },
      { topic: 'ok', payload: 1, version: 2 },
    ]);
  });

  it('engine.close() ends streams after their buffered messages; the hub and engine then refuse work', async () => {
    const engine = engineOf({ domain: { n: 0 } });
    const stream = engine.signals.stream();
    const emit = process({ name: 'emit', outputs: ['signal.bye'] }, (ctx) => void (ctx.signal.bye = 'now'));
    await engine.execute(emit);
    await engine.close();
    expect((await stream.next()).value).toEqual({ topic: 'bye', payload: 'now', version: 1 });
    expect((await stream.next()).done).toBe(true);
    expectCode(thrown(() => engine.signals.subscribe('*', () => undefined)), 'ENGINE_CLOSED');
    expectCode(thrown(() => engine.signals.stream()), 'ENGINE_CLOSED');
    expectCode(await rejected(engine.execute(emit)), 'ENGINE_CLOSED');
    await engine.close(); // idempotent
  });

  it('a pending for-await loop finishes when the engine closes', async () => {
    const engine = engineOf();
    const stream = engine.signals.stream({ topics: 'never' });
    let finished = false;
    const consumer = (async () => {
      for await (const _m of stream) expect.fail('no message was published');
      finished = true;
    })();
    await tick();
    expect(finished).toBe(false);
    await engine.close();
    await consumer;
    expect(finished).toBe(true);
  });

  it('bad stream options are refused with a clear error', () => {
    const engine = engineOf();
    expectCode(thrown(() => engine.signals.stream({ bufferSize: 0 })), 'INVALID_ARGUMENT');
    expectCode(thrown(() => engine.signals.stream({ topics: [] })), 'INVALID_ARGUMENT');
    expectCode(thrown(() => engine.signals.subscribe('*', 'not a function' as never)), 'INVALID_ARGUMENT');
  });
});

describe('the signal zone under strict guards (INC-022)', () => {
  it("inputs: ['signal.ping'] fails with PermissionDeniedError before the process runs", async () => {
    const engine = engineOf({ domain: { n: 0 } }, { strictGuards: true });
    let ran = false;
    const reader = process({ name: 'reader', inputs: ['signal.ping'], outputs: ['domain.n'] }, () => {
      ran = true;
    });
    const err = await rejected(engine.execute(reader));
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect((err as TheusError).message).toContain('signal.ping');
    expect(ran).toBe(false);
    expect(engine.state.version).toBe(0);
  });

  it("outputs: ['signal.ping'] can read ctx.signal and emit, by assignment and by publish()", async () => {
    const engine = engineOf({}, { strictGuards: true });
    const seen = record(engine);
    const warnings: Error[] = [];
    const onWarning = (w: Error) => void warnings.push(w);
    globalThis.process.on('warning', onWarning);
    try {
      const pinger = process({ name: 'pinger', outputs: ['signal.ping'] }, (ctx) => {
        expect(typeof ctx.signal.publish).toBe('function');
        ctx.signal.ping = 1;
        expect(ctx.signal.ping).toBe(1); // reads back what this execution emitted
        ctx.signal.publish('ping', 2);
      });
      await engine.execute(pinger);
      await tick();
    } finally {
      globalThis.process.off('warning', onWarning);
    }
    expect(seen.map((m) => m.payload)).toEqual([1, 2]);
    expect(warnings).toEqual([]);
  });

  it('an undeclared topic is refused under strict guards and nothing is published', async () => {
    const engine = engineOf({}, { strictGuards: true });
    const seen = record(engine);
    const wrong = process({ name: 'wrong', outputs: ['signal.ping'] }, (ctx) => void (ctx.signal.pong = 1));
    expect(await rejected(engine.execute(wrong))).toBeInstanceOf(PermissionDeniedError);
    expect(seen).toEqual([]);
  });

  it('hostile or absurd topics are refused and nothing commits', async () => {
    const engine = engineOf({ domain: { n: 0 } });
    const seen = record(engine);
    // 'a*b' used to commit the data and only then fail to publish: the caller got an error for a committed change.
    for (const topic of ['__proto__', '', 'x'.repeat(300), 'a*b']) {
      const p = process({ name: `emit_${topic.length}_${topic.slice(0, 3)}`, outputs: ['domain.n', 'signal'] }, (ctx) => {
        ctx.domain.n = 1;
        ctx.signal.publish(topic, 1);
      });
      expect(await rejected(engine.execute(p))).toBeInstanceOf(TheusError);
    }
    const byUpdate = process({ name: 'byUpdate', outputs: ['domain.n', 'signal'] }, () => StateUpdate({ data: { 'domain.n': 1 }, signal: { 'a*b': 1 } }));
    expectCode(await rejected(engine.execute(byUpdate)), 'INVALID_ARGUMENT');
    expectCode(thrown(() => engine.compareAndSwap(0, { data: { 'domain.n': 1 }, signal: { 'a*b': 1 } })), 'INVALID_ARGUMENT');
    expect(seen).toEqual([]);
    expect(engine.state.domain.n).toBe(0);
    expect(engine.state.version).toBe(0);
  });
});

describe('listeners are isolated from the commit and from each other', () => {
  it('a throwing (or rejecting) subscriber does not stop the others nor fail the commit; it is reported as a warning', async () => {
    const engine = engineOf({ domain: { n: 0 } });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => void warnings.push(w);
    globalThis.process.on('warning', onWarning);
    const order: string[] = [];
    try {
      engine.signals.subscribe('ping', () => {
        order.push('first');
        throw new Error('listener bug');
      });
      engine.signals.subscribe('*', async () => {
        order.push('second');
        throw new Error('async listener bug');
      });
      engine.signals.subscribe('ping', () => void order.push('third'));
      const emit = process({ name: 'emit', outputs: ['domain.n', 'signal.ping'] }, (ctx) => {
        ctx.domain.n = 1;
        ctx.signal.ping = true;
      });
      await engine.execute(emit);
      await until(() => warnings.length >= 2);
    } finally {
      globalThis.process.off('warning', onWarning);
    }
    expect(order).toEqual(['first', 'second', 'third']);
    expect(engine.state.domain.n).toBe(1);
    expect(engine.state.version).toBe(1);
    expect(warnings.map((w) => (w as TheusError).code)).toEqual(['SIGNAL_LISTENER', 'SIGNAL_LISTENER']);
    expect(warnings.map((w) => w.message).join('\n')).toContain("'ping'");
  });

  it('a subscriber may start another process: delivery happens after commit, outside the emitting process', async () => {
    const engine = engineOf({ domain: { orders: 0, invoices: 0 } });
    const order = process({ name: 'order', inputs: ['domain.orders'], outputs: ['domain.orders', 'signal.order_created'] }, (ctx) => {
      ctx.domain.orders += 1;
      ctx.signal.order_created = ctx.domain.orders;
    });
    const invoice = process({ name: 'invoice', inputs: ['domain.invoices', 'domain.orders'], outputs: ['domain.invoices'] }, (ctx) => {
      ctx.domain.invoices = ctx.domain.orders;
    });
    const followUps: Promise<unknown>[] = [];
    engine.signals.subscribe('order_created', () => void followUps.push(engine.execute(invoice)));
    await engine.execute(order);
    await engine.execute(order);
    await Promise.all(followUps);
    expect(engine.state.domain).toEqual({ orders: 2, invoices: 2 });
  });

  it('an unsubscribed listener receives nothing more', async () => {
    const engine = engineOf();
    const got: unknown[] = [];
    const off = engine.signals.subscribe('ping', (m) => void got.push(m.payload));
    const emit = process({ name: 'emit', outputs: ['signal.ping'] }, (_ctx, args: { v: number }) => args.v);
    await engine.execute(emit, { v: 1 });
    off();
    off();
    await engine.execute(emit, { v: 2 });
    expect(got).toEqual([1]);
  });
});
