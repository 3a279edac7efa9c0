/** Unit tests of the engine's small parts: the priority lane, the commit log, backoff, the meta log. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PriorityLane, backoffMs } from '../../src/engine/lane.js';
import { CommitLog, displayKey } from '../../src/engine/commit-log.js';
import { MetaLog } from '../../src/engine/meta-log.js';
import { conflictKey, PRESENCE, SEP, STRUCTURE } from '../../src/core/path.js';
import { tick } from './helpers.js';

describe('PriorityLane', () => {
  it('tryAcquire takes a free lane only; release by a non-holder does nothing', () => {
    const lane = new PriorityLane();
    const a = {};
    const b = {};
    expect(lane.tryAcquire(a)).toBe(true);
    expect(lane.tryAcquire(a)).toBe(true);
    expect(lane.tryAcquire(b)).toBe(false);
    lane.release(b);
    expect(lane.isHeldBy(a)).toBe(true);
    lane.release(a);
    expect(lane.held).toBe(false);
  });

  it('acquire queues contenders FIFO and hands the lane over on release', async () => {
    const lane = new PriorityLane();
    const [a, b, c] = [{}, {}, {}];
    const order: string[] = [];
    await lane.acquire(a);
    const pb = lane.acquire(b).then(() => order.push('b'));
    const pc = lane.acquire(c).then(() => order.push('c'));
    await tick();
    expect(order).toEqual([]);
    lane.release(a);
    expect(lane.isHeldBy(b)).toBe(true); // handed over, never free in between
    await pb;
    lane.release(b);
    await pc;
    expect(order).toEqual(['b', 'c']);
    lane.release(c);
    expect(lane.held).toBe(false);
  });

  it('waitFor resolves only once the whole queue has drained', async () => {
    const lane = new PriorityLane();
    const [a, b, other] = [{}, {}, {}];
    await lane.acquire(a);
    const pb = lane.acquire(b);
    let waited = false;
    const pw = lane.waitFor(other).then(() => (waited = true));
    lane.release(a);
    await pb;
    await tick();
    expect(waited).toBe(false);
    lane.release(b);
    await pw;
    expect(waited).toBe(true);
    await lane.waitFor(other); // free: resolves at once
  });

  it('releaseAll (engine close) drops the queue and wakes everyone; nobody hangs', async () => {
    const lane = new PriorityLane();
    const [a, b] = [{}, {}];
    await lane.acquire(a);
    const pb = lane.acquire(b);
    const pw = lane.waitFor({});
    lane.releaseAll();
    await pb;
    expect(lane.isHeldBy(b)).toBe(true);
    lane.release(b);
    await pw;
    expect(lane.held).toBe(false);
  });
});

describe('backoffMs', () => {
  it('full jitter within [0, min(max, base·2^attempt))', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 1000, noNaN: true }), (attempt, base, max) => {
        const ms = backoffMs(attempt, base, max);
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThanOrEqual(Math.min(max, base * 2 ** Math.min(attempt, 20)));
      }),
    );
  });
});

describe('CommitLog', () => {
  const k = (...path: (string | number)[]) => conflictKey(path);

  it('reports touched keys equal to, above or below a key written since the snapshot', () => {
    const log = new CommitLog();
    log.add(1, new Set([k('domain', 'accounts', 'alice')]));
    log.add(2, new Set([k('domain', 'counter')]));
    expect(log.conflicts(0, 2, [k('domain', 'accounts', 'bob')])).toBeUndefined();
    expect(log.conflicts(0, 2, [k('domain', 'accounts', 'alice')])).toEqual([k('domain', 'accounts', 'alice')]);
    expect(log.conflicts(0, 2, [k('domain', 'accounts')])).toEqual([k('domain', 'accounts')]);
    expect(log.conflicts(0, 2, [k('domain', 'counter', 'x')])).toEqual([k('domain', 'counter', 'x')]);
    // Only commits after the snapshot count.
    expect(log.conflicts(1, 2, [k('domain', 'accounts', 'alice')])).toBeUndefined();
    expect(log.conflicts(2, 2, [k('domain', 'counter')])).toBeUndefined();
  });

  it('a key-set read conflicts with an added key; a presence read with a write of that child', () => {
    const log = new CommitLog();
    log.add(1, new Set([k('domain', 'accounts', 'carol'), k('domain', 'accounts') + SEP + STRUCTURE]));
    expect(log.conflicts(0, 1, [k('domain', 'accounts') + SEP + STRUCTURE])).toBeDefined();
    expect(log.conflicts(0, 1, [k('domain', 'accounts', 'carol') + SEP + PRESENCE])).toBeDefined();
    expect(log.conflicts(0, 1, [k('domain', 'accounts', 'bob') + SEP + PRESENCE])).toBeUndefined();
  });

  it('reports each contested path once, even when read and written', () => {
    const log = new CommitLog();
    log.add(1, new Set([k('domain', 'n')]));
    expect(log.conflicts(0, 1, [k('domain', 'n'), k('domain', 'n'), k('domain', 'n', 'deep')])!.map(displayKey)).toEqual(['domain.n', 'domain.n.deep']);
  });

  it('treats a snapshot older than its window as conflicting', () => {
    const log = new CommitLog(2);
    for (let v = 1; v <= 5; v++) log.add(v, new Set([k('domain', `k${v}`)]));
    expect(log.conflicts(0, 5, [k('domain', 'unrelated')])).toEqual(['*']);
    expect(log.conflicts(3, 5, [k('domain', 'unrelated')])).toBeUndefined();
  });

  it('displayKey drops markers', () => {
    expect(displayKey(k('domain', 'accounts') + SEP + STRUCTURE)).toBe('domain.accounts');
    expect(displayKey('*')).toBe('*');
  });
});

describe('MetaLog', () => {
  it('is a bounded ring, oldest first, filterable by kind and limit', () => {
    const log = new MetaLog(3);
    for (let i = 0; i < 5; i++) log.add(i % 2 ? 'admin' : 'vip', `m${i}`, i);
    expect(log.read().map((e) => e.message)).toEqual(['m2', 'm3', 'm4']);
    expect(log.read({ kind: 'vip' }).map((e) => e.message)).toEqual(['m2', 'm4']);
    expect(log.read({ limit: 1 }).map((e) => e.message)).toEqual(['m4']);
  });
});
