import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TheusError } from '../../src/errors.js';
import { memoryStore } from '../../src/storage/memory-store.js';
import { OutboxRelay } from '../../src/storage/outbox-relay.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import type { OutboxMessage, TheusStore } from '../../src/storage/store.js';
import { entry } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'theus-relay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const kinds: [string, () => TheusStore][] = [
  ['memory', () => memoryStore()],
  ['sqlite', () => sqliteStore(join(dir, `r${++n}.db`))],
];

async function withMessages(make: () => TheusStore, count: number, perCommit = 1): Promise<TheusStore> {
  const store = make();
  await store.open({});
  const entries = [];
  for (let v = 1; v <= count; v++) {
    entries.push(entry(v, [], { outbox: Array.from({ length: perCommit }, (_, i) => ({ topic: `t${i}`, payload: { v, i } })) }));
  }
  if (entries.length > 0) await store.commit(entries);
  return store;
}

for (const [name, make] of kinds) {
  describe(`OutboxRelay over the ${name} store`, () => {
    it('drain delivers every message once, in commit order, with stable ids and attempts 1', async () => {
      const store = await withMessages(make, 30, 2);
      const got: OutboxMessage[] = [];
      const relay = new OutboxRelay(store.outbox, (m) => void got.push(m), { batchSize: 7 });
      expect(await relay.drain()).toEqual({ delivered: 60, failed: 0, dead: 0 });
      expect(got.map((m) => [m.version, (m.payload as { i: number }).i])).toEqual(Array.from({ length: 60 }, (_, k) => [Math.floor(k / 2) + 1, k % 2]));
      expect(new Set(got.map((m) => m.id)).size).toBe(60);
      expect(got.every((m) => m.attempts === 1)).toBe(true);
      expect(await store.outbox.pending()).toBe(0);
      expect(await relay.drain()).toEqual({ delivered: 0, failed: 0, dead: 0 });
      await relay.stop();
      await store.close();
    });

    it('a throwing handler is called maxAttempts times with growing attempts, then the message is dead', async () => {
      const store = await withMessages(make, 3);
      const calls: [number, number][] = [];
      const relay = new OutboxRelay(store.outbox, (m) => {
        calls.push([m.version, m.attempts]);
        if (m.version === 2) throw new RangeError('nope');
      }, { maxAttempts: 3, backoffMs: 1 });
      expect(await relay.drain()).toEqual({ delivered: 2, failed: 2, dead: 1 });
      expect(calls.filter(([v]) => v === 2).map(([, a]) => a)).toEqual([1, 2, 3]);
      // The failing message did not hold back the one after it.
      expect(calls.findIndex(([v]) => v === 3)).toBeLessThan(calls.findLastIndex(([v]) => v === 2));
      const dead = await store.outbox.deadLetters();
      expect(dead.map((d) => [d.version, d.attempts, d.error])).toEqual([[2, 3, 'RangeError: nope']]);
      expect(await store.outbox.redrive()).toBe(1);
      const again: number[] = [];
      const fixed = new OutboxRelay(store.outbox, (m) => void again.push(m.attempts));
      expect(await fixed.drain()).toEqual({ delivered: 1, failed: 0, dead: 0 });
      expect(again).toEqual([1]);
      await relay.stop();
      await fixed.stop();
      await store.close();
    });

    it('an async handler that rejects once is retried and delivered; a non-Error throw is recorded', async () => {
      const store = await withMessages(make, 2);
      let first = true;
      const relay = new OutboxRelay(store.outbox, async (m) => {
        await new Promise((r) => setTimeout(r, 1));
        if (m.version === 1 && first) {
          first = false;
          throw 'plain string';
        }
      }, { backoffMs: 1 });
      expect(await relay.drain()).toEqual({ delivered: 2, failed: 1, dead: 0 });
      await relay.stop();
      await store.close();
    });

    it('a started relay delivers messages committed later once notified, and stop waits for the delivery in flight', async () => {
      const store = await withMessages(make, 0);
      const got: number[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const relay = new OutboxRelay(store.outbox, async (m) => {
        got.push(m.version);
        if (m.version === 2) await gate;
      }, { pollMs: 60_000 });
      relay.start();
      await store.commit([entry(1, [], { outbox: [{ topic: 'a', payload: 1 }] })]);
      relay.notify();
      await relay.drain();
      expect(got).toEqual([1]);
      await store.commit([entry(2, [], { outbox: [{ topic: 'a', payload: 2 }] })]);
      relay.notify();
      while (got.length < 2) await new Promise((r) => setTimeout(r, 1));
      const stopping = relay.stop();
      let stopped = false;
      void stopping.then(() => (stopped = true));
      await new Promise((r) => setTimeout(r, 5));
      expect(stopped).toBe(false);
      release();
      await stopping;
      expect(await store.outbox.pending()).toBe(0);
      expect(() => relay.start()).toThrow(TheusError);
      await expect(relay.drain()).rejects.toThrow(/stopped/);
      await store.close();
    });

    it('two relays on one store never deliver the same message twice', async () => {
      const store = await withMessages(make, 50);
      const seen: string[] = [];
      const slow = async (m: OutboxMessage) => {
        seen.push(m.id);
        await new Promise((r) => setImmediate(r));
      };
      const a = new OutboxRelay(store.outbox, slow, { batchSize: 3 });
      const b = new OutboxRelay(store.outbox, slow, { batchSize: 3 });
      const [ra, rb] = await Promise.all([a.drain(), b.drain()]);
      expect(ra.delivered + rb.delivered).toBe(50);
      expect(new Set(seen).size).toBe(50);
      expect(seen.length).toBe(50);
      await Promise.all([a.stop(), b.stop()]);
      await store.close();
    });
  });
}

describe('OutboxRelay options and failures', () => {
  it('refuses bad options and a non-function handler with INVALID_ARGUMENT', () => {
    const outbox = memoryStore().outbox;
    for (const opts of [{ maxAttempts: 0 }, { maxAttempts: 1.5 }, { backoffMs: -1 }, { backoffMs: Number.NaN }, { batchSize: 0 }, { leaseMs: Infinity }, { pollMs: -5 }, { onError: 'x' }]) {
      expect(() => new OutboxRelay(outbox, () => undefined, opts as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error);
    }
    expect(() => new OutboxRelay(outbox, 'nope' as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error);
  });

  it('a store that fails to claim ends a drain and reports through onError instead of spinning', async () => {
    const errors: unknown[] = [];
    const broken = { ...memoryStore().outbox, claim: () => Promise.reject(new Error('db down')) };
    const relay = new OutboxRelay(broken as never, () => undefined, { onError: (e) => errors.push(e) });
    expect(await relay.drain()).toEqual({ delivered: 0, failed: 0, dead: 0 });
    expect(String(errors[0])).toContain('db down');
    await relay.stop();
  });
});
