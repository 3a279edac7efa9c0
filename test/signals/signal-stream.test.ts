import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SignalHub } from '../../src/signals/index.js';
import type { SignalMessage } from '../../src/signals/index.js';
import { TheusError } from '../../src/errors.js';

async function take(it: AsyncIterator<SignalMessage>, n: number): Promise<SignalMessage[]> {
  const out: SignalMessage[] = [];
  for (let i = 0; i < n; i++) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

describe('SignalHub.stream', () => {
  it('delivers matching messages in order to a waiting consumer', async () => {
    const hub = new SignalHub({ versionOf: () => 5 });
    const stream = hub.stream({ topics: ['order.*'] });
    const pending = take(stream, 2);
    hub.publish('order.created', 1);
    hub.publish('other', 'skip');
    hub.publish('order.paid', 2);
    expect(await pending).toEqual([
      { topic: 'order.created', payload: 1, version: 5 },
      { topic: 'order.paid', payload: 2, version: 5 },
    ]);
    await stream.return();
  });

  it('a slow consumer loses the oldest messages and the next delivery reports how many', async () => {
    const hub = new SignalHub();
    const stream = hub.stream({ bufferSize: 3 });
    for (let i = 1; i <= 10; i++) hub.publish('t', i);
    expect(stream.pending).toBe(3);
    const first = await take(stream, 3);
    expect(first.map((m) => m.payload)).toEqual([8, 9, 10]);
    expect(first[0]?.lost).toBe(7);
    expect(first[1]).not.toHaveProperty('lost');
    hub.publish('t', 11);
    const next = await take(stream, 1);
    expect(next).toEqual([{ topic: 't', payload: 11, version: 0 }]);
    await stream.return();
  });

  it('counts losses only since the previous delivery', async () => {
    const hub = new SignalHub();
    const stream = hub.stream({ bufferSize: 2 });
    hub.publish('t', 1);
    hub.publish('t', 2);
    expect((await take(stream, 1))[0]).toEqual({ topic: 't', payload: 1, version: 0 });
    hub.publish('t', 3);
    hub.publish('t', 4); // drops 2
    const rest = await take(stream, 2);
    expect(rest).toEqual([
      { topic: 't', payload: 3, version: 0, lost: 1 },
      { topic: 't', payload: 4, version: 0 },
    ]);
    await stream.return();
  });

  it('property: delivered payloads are the newest ones, and delivered + lost = published', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 8 }), async (bufferSize, bursts) => {
        const hub = new SignalHub();
        const stream = hub.stream({ bufferSize });
        let published = 0;
        let delivered = 0;
        let lost = 0;
        for (const burst of bursts) {
          for (let i = 0; i < burst; i++) hub.publish('t', published++);
          const got = await take(stream, stream.pending);
          expect(got.length).toBe(Math.min(burst, bufferSize));
          for (const m of got) lost += m.lost ?? 0;
          delivered += got.length;
          if (got.length > 0) expect(got[got.length - 1]?.payload).toBe(published - 1);
        }
        expect(delivered + lost).toBe(published);
        hub.close();
      }),
      { numRuns: 60 },
    );
  });

  it('break in for-await unsubscribes the stream', async () => {
    const hub = new SignalHub();
    const stream = hub.stream({ topics: 't' });
    hub.publish('t', 1);
    hub.publish('t', 2);
    const seen: unknown[] = [];
    for await (const m of stream) {
      seen.push(m.payload);
      break;
    }
    expect(seen).toEqual([1]);
    expect(hub.listenerCount('t')).toBe(0);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('close() finishes streams after their buffered messages, wakes waiting consumers, and refuses later use', async () => {
    const hub = new SignalHub();
    const idle = hub.stream();
    const waiting = idle.next();
    const busy = hub.stream();
    hub.publish('late', 'buffered?');
    // `idle` had a waiter: it got the message directly; `busy` buffered it.
    expect((await waiting).value).toMatchObject({ payload: 'buffered?' });
    const idleWaiting = idle.next();
    hub.close();
    expect(await idleWaiting).toEqual({ done: true, value: undefined });
    const rest: unknown[] = [];
    for await (const m of busy) rest.push(m.payload);
    expect(rest).toEqual(['buffered?']);
    expect(hub.closed).toBe(true);
    for (const use of [() => hub.publish('t', 1), () => hub.subscribe('t', () => undefined), () => hub.stream(), () => hub.publishAll([])]) {
      try {
        use();
        expect.unreachable('should refuse after close');
      } catch (error) {
        expect(error).toBeInstanceOf(TheusError);
        expect((error as TheusError).code).toBe('ENGINE_CLOSED');
      }
    }
    hub.close();
  });

  it('concurrent next() calls are served in call order', async () => {
    const hub = new SignalHub();
    const stream = hub.stream();
    const a = stream.next();
    const b = stream.next();
    hub.publish('t', 'first');
    hub.publish('t', 'second');
    expect((await a).value?.payload).toBe('first');
    expect((await b).value?.payload).toBe('second');
    await stream.return();
  });

  it('a stream and a listener on the same topic both receive it', async () => {
    const hub = new SignalHub();
    const stream = hub.stream({ topics: 'x' });
    const got: unknown[] = [];
    hub.subscribe('x', (m) => void got.push(m.payload));
    expect(hub.publish('x', 1)).toBe(2);
    expect((await stream.next()).value?.payload).toBe(1);
    expect(got).toEqual([1]);
    await stream.return();
  });
});
