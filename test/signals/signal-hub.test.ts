import { describe, expect, it, vi } from 'vitest';
import { SignalHub, SignalListenerError } from '../../src/signals/index.js';
import type { SignalMessage } from '../../src/signals/index.js';
import { TheusError } from '../../src/errors.js';

function collect(hub: SignalHub, pattern: string | readonly string[]): SignalMessage[] {
  const got: SignalMessage[] = [];
  hub.subscribe(pattern, (m) => {
    got.push(m);
  });
  return got;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TheusError);
    return (error as TheusError).code;
  }
  return undefined;
}

describe('SignalHub subscriptions', () => {
  it('delivers { topic, payload, version } to exact subscribers only', () => {
    let version = 7;
    const hub = new SignalHub({ versionOf: () => version });
    const ping = collect(hub, 'ping');
    const pong = collect(hub, 'pong');
    expect(hub.publish('ping', { n: 1 })).toBe(1);
    version = 8;
    hub.publish('ping', 'two');
    expect(ping).toEqual([
      { topic: 'ping', payload: { n: 1 }, version: 7 },
      { topic: 'ping', payload: 'two', version: 8 },
    ]);
    expect(pong).toEqual([]);
  });

  it('stamps version 0 without versionOf and passes the payload by reference', () => {
    const hub = new SignalHub();
    const got = collect(hub, 'x');
    const payload = Object.freeze({ deep: { a: 1 } });
    hub.publish('x', payload);
    expect(got[0]?.version).toBe(0);
    expect(got[0]?.payload).toBe(payload);
  });

  it("'*' receives every topic; globs match any run of characters", () => {
    const hub = new SignalHub();
    const all = collect(hub, '*');
    const cmd = collect(hub, 'cmd_*');
    const order = collect(hub, 'order.*');
    const mid = collect(hub, 'a*b*c');
    for (const t of ['cmd_stop', 'cmd_', 'order.created', 'order', 'orders.x', 'abc', 'aXbYc', 'acb', 'abcc']) hub.publish(t, t);
    expect(all.map((m) => m.topic)).toEqual(['cmd_stop', 'cmd_', 'order.created', 'order', 'orders.x', 'abc', 'aXbYc', 'acb', 'abcc']);
    expect(cmd.map((m) => m.topic)).toEqual(['cmd_stop', 'cmd_']);
    expect(order.map((m) => m.topic)).toEqual(['order.created']);
    expect(mid.map((m) => m.topic)).toEqual(['abc', 'aXbYc', 'abcc']);
  });

  it('treats regular-expression characters in patterns literally', () => {
    const hub = new SignalHub();
    const got = collect(hub, 'a.(b)+*');
    hub.publish('a.(b)+x', 1);
    hub.publish('aX(b)+x', 2);
    hub.publish('a.bbx', 3);
    expect(got.map((m) => m.payload)).toEqual([1]);
  });

  it('a list of topics subscribes once: a message matching several entries arrives once', () => {
    const hub = new SignalHub();
    const got = collect(hub, ['order.*', 'order.created', 'ping']);
    hub.publish('order.created', 1);
    hub.publish('ping', 2);
    hub.publish('pong', 3);
    expect(got.map((m) => m.payload)).toEqual([1, 2]);
    const exactOnly = collect(hub, ['a', 'b', 'a']);
    hub.publish('a', 4);
    hub.publish('b', 5);
    expect(exactOnly.map((m) => m.payload)).toEqual([4, 5]);
  });

  it('calls listeners synchronously in subscription order across exact and pattern subscriptions', () => {
    const hub = new SignalHub();
    const order: string[] = [];
    hub.subscribe('*', () => void order.push('all-1'));
    hub.subscribe('job.done', () => void order.push('exact-2'));
    hub.subscribe('job.*', () => void order.push('glob-3'));
    hub.subscribe('job.done', () => void order.push('exact-4'));
    hub.publish('job.done', null);
    order.push('after-publish');
    expect(order).toEqual(['all-1', 'exact-2', 'glob-3', 'exact-4', 'after-publish']);
  });

  it('unsubscribe stops delivery, is idempotent and leaves other listeners alone', () => {
    const hub = new SignalHub();
    const a: unknown[] = [];
    const b: unknown[] = [];
    const offA = hub.subscribe('t', (m) => void a.push(m.payload));
    const offGlob = hub.subscribe('t*', (m) => void b.push(m.payload));
    hub.publish('t', 1);
    offA();
    offA();
    hub.publish('t', 2);
    offGlob();
    hub.publish('t', 3);
    expect(a).toEqual([1]);
    expect(b).toEqual([1, 2]);
    expect(hub.listenerCount('t')).toBe(0);
    expect(hub.publish('t', 4)).toBe(0);
  });

  it('a listener removed during a delivery does not receive that message; one added does not either', () => {
    const hub = new SignalHub();
    const got: string[] = [];
    let offSecond: () => void = () => undefined;
    hub.subscribe('t', () => {
      got.push('first');
      offSecond();
      hub.subscribe('t', () => void got.push('late'));
    });
    offSecond = hub.subscribe('t', () => void got.push('second'));
    hub.publish('t', 1);
    expect(got).toEqual(['first']);
    hub.publish('t', 2);
    expect(got).toEqual(['first', 'first', 'late']);
  });

  it('re-entrant publish is delivered depth-first', () => {
    const hub = new SignalHub();
    const order: string[] = [];
    hub.subscribe('outer', () => {
      order.push('outer-1');
      hub.publish('inner', null);
    });
    hub.subscribe('outer', () => void order.push('outer-2'));
    hub.subscribe('inner', () => void order.push('inner'));
    hub.publish('outer', null);
    expect(order).toEqual(['outer-1', 'inner', 'outer-2']);
  });
});

describe('SignalHub listener isolation', () => {
  it('a throwing listener is reported and the others still get the message', () => {
    const reported: [unknown, SignalMessage][] = [];
    const hub = new SignalHub({ onListenerError: (error, message) => void reported.push([error, message]) });
    const got: string[] = [];
    hub.subscribe('t', () => void got.push('before'));
    hub.subscribe('t', () => {
      throw new Error('boom');
    });
    hub.subscribe('*', () => void got.push('after'));
    expect(hub.publish('t', 42)).toBe(3);
    expect(got).toEqual(['before', 'after']);
    expect(reported).toHaveLength(1);
    expect((reported[0]?.[0] as Error).message).toBe('boom');
    expect(reported[0]?.[1]).toMatchObject({ topic: 't', payload: 42 });
  });

  it('a listener whose promise rejects is reported, not left as an unhandled rejection', async () => {
    const reported: unknown[] = [];
    const hub = new SignalHub({ onListenerError: (error) => void reported.push(error) });
    hub.subscribe('t', async () => {
      throw new Error('async boom');
    });
    hub.publish('t', 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect((reported[0] as Error).message).toBe('async boom');
  });

  it('a failing error handler does not break delivery', () => {
    const hub = new SignalHub({
      onListenerError: () => {
        throw new Error('handler broke');
      },
    });
    const got: number[] = [];
    hub.subscribe('t', () => {
      throw new Error('x');
    });
    hub.subscribe('t', (m) => void got.push(m.payload as number));
    hub.publish('t', 5);
    expect(got).toEqual([5]);
  });

  it('by default reports through process.emitWarning with a SignalListenerError', () => {
    const spy = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const hub = new SignalHub();
      const cause = new Error('listener bug');
      hub.subscribe('topic.a', () => {
        throw cause;
      });
      hub.publish('topic.a', 1);
      expect(spy).toHaveBeenCalledTimes(1);
      const warning = spy.mock.calls[0]?.[0] as SignalListenerError;
      expect(warning).toBeInstanceOf(SignalListenerError);
      expect(warning.code).toBe('SIGNAL_LISTENER');
      expect(warning.topic).toBe('topic.a');
      expect(warning.cause).toBe(cause);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('SignalHub publishAll', () => {
  it('delivers the engine-built messages in order with their own versions', () => {
    const hub = new SignalHub({ versionOf: () => 99 });
    const got = collect(hub, '*');
    hub.publishAll([
      { topic: 'a', payload: 1, version: 3 },
      { topic: 'b', payload: 2, version: 3 },
    ]);
    expect(got).toEqual([
      { topic: 'a', payload: 1, version: 3 },
      { topic: 'b', payload: 2, version: 3 },
    ]);
  });

  it('validates the whole batch before delivering anything', () => {
    const hub = new SignalHub();
    const got = collect(hub, '*');
    expect(codeOf(() => hub.publishAll([{ topic: 'ok', payload: 1, version: 1 }, { topic: '', payload: 2, version: 1 }]))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => hub.publishAll([{ topic: 'ok', payload: 1, version: Number.NaN }]))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => hub.publishAll([null as unknown as SignalMessage]))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => hub.publishAll('nope' as unknown as SignalMessage[]))).toBe('INVALID_ARGUMENT');
    expect(got).toEqual([]);
  });
});

describe('SignalHub bad input', () => {
  const hub = new SignalHub();
  it.each([
    ['empty topic', () => hub.publish('', 1)],
    ['non-string topic', () => hub.publish(42 as unknown as string, 1)],
    ['topic with *', () => hub.publish('a*', 1)],
    ['over-long topic', () => hub.publish('x'.repeat(257), 1)],
    ['empty pattern', () => hub.subscribe('', () => undefined)],
    ['non-string pattern', () => hub.subscribe({} as unknown as string, () => undefined)],
    ['empty pattern list', () => hub.subscribe([], () => undefined)],
    ['over-long pattern', () => hub.subscribe('a*'.repeat(200), () => undefined)],
    ['missing listener', () => hub.subscribe('t', undefined as unknown as () => void)],
    ['bufferSize 0', () => hub.stream({ bufferSize: 0 })],
    ['bufferSize 1.5', () => hub.stream({ bufferSize: 1.5 })],
    ['bufferSize huge', () => hub.stream({ bufferSize: 2 ** 30 })],
    ['bufferSize string', () => hub.stream({ bufferSize: '10' as unknown as number })],
    ['bad stream topics', () => hub.stream({ topics: [''] })],
    ['bad options', () => new SignalHub({ versionOf: 3 as unknown as () => number })],
    ['bad error handler', () => new SignalHub({ onListenerError: 'x' as unknown as () => void })],
  ])('%s → INVALID_ARGUMENT', (_name, fn) => {
    expect(codeOf(fn)).toBe('INVALID_ARGUMENT');
  });

  it('a 256-character topic is accepted', () => {
    expect(hub.publish('x'.repeat(256), 1)).toBe(0);
  });
});
