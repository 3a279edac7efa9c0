import { afterEach, describe, expect, it } from 'vitest';
import { process as defineProcess } from '../../src/index.js';
import { toPlain } from '../../src/core/index.js';
import { commitChannel } from '../../src/engine/channels.js';
import { inspected } from './harness.js';

const tick = () => new Promise((r) => setTimeout(r, 2));

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

const inc = defineProcess({ name: 'inc', inputs: ['domain.n'], outputs: ['domain.n'] }, async (ctx: any) => {
  const v = ctx.domain.n;
  await tick();
  ctx.domain.n = v + 1;
});
const setName = defineProcess({ name: 'setName', inputs: [], outputs: ['domain.profile'] }, (ctx: any, name: string) => {
  ctx.domain.profile.name = name;
});

describe('inspector queries on a real engine', () => {
  it('explains a conflict: base version, winning commit, contested paths, both deltas, retry and backoff', async () => {
    const t = await inspected({ domain: { n: 0, profile: { name: 'a' } } });
    cleanup = t.close;
    t.engine.register(inc);
    await Promise.all([t.engine.execute('inc'), t.engine.execute('inc')]);
    const { events } = await t.api('events');
    const conflict = events.find((e: any) => e.kind === 'conflict');
    expect(conflict).toBeDefined();
    const ex = await t.api(`execution?id=${encodeURIComponent(conflict.executionId)}`);
    expect(ex.status).toBe(200);
    expect(ex.process).toBe('inc');
    expect(ex.contract).toMatchObject({ inputs: ['domain.n'], outputs: ['domain.n'], semantic: 'effect' });
    const c = ex.conflicts[0];
    expect(c.baseVersion).toBe(0);
    expect(c.winningVersion).toBe(1);
    expect(c.paths).toEqual(['domain.n']);
    expect(c.ours).toEqual([{ op: 'replace', path: ['domain', 'n'], value: 1, contested: true }]);
    expect(c.winners).toHaveLength(1);
    expect(c.winners[0]).toMatchObject({ version: 1, retained: true, process: 'inc', touchesContested: true });
    const retry = ex.timeline.find((r: any) => r.kind === 'retry');
    expect(retry).toMatchObject({ attempt: 2, baseVersion: 1 });
    expect(typeof retry.backoffMs).toBe('number');
    expect(ex.outcome).toEqual({ kind: 'commit', version: 2 });
  });

  it('shows a commit with before and after values, its contract, and a failure with its stack', async () => {
    const t = await inspected({ domain: { n: 0, profile: { name: 'a' } } });
    cleanup = t.close;
    t.engine.register(setName);
    const boom = defineProcess({ name: 'boom', inputs: [], outputs: ['domain.n'] }, () => {
      throw new RangeError('amount must be positive');
    });
    t.engine.register(boom);
    await t.engine.execute('setName', 'b');
    await expect(t.engine.execute('boom')).rejects.toThrow(RangeError);
    const d = await t.api('commit?v=1');
    expect(d.ops).toEqual([{ op: 'replace', path: ['domain', 'profile', 'name'], before: 'a', hadBefore: true, after: 'b' }]);
    expect(d.contract.outputs).toEqual(['domain.profile']);
    const { events } = await t.api('events?kind=failure');
    expect(events).toHaveLength(1);
    expect(events[0].error).toMatchObject({ name: 'RangeError', message: 'amount must be positive' });
    expect(events[0].error.stack).toContain('RangeError');
  });

  it('travels to any retained version (rebuilt from snapshots and deltas) and matches what the engine had', async () => {
    const t = await inspected({ domain: { n: 0, items: [], profile: { name: 'a' } } }, { snapshotEvery: 4 });
    cleanup = t.close;
    const seen = new Map<number, unknown>();
    const record = () => seen.set(t.engine.state.version, toPlain(t.engine.state.data));
    record();
    const push = defineProcess({ name: 'push', inputs: [], outputs: ['domain.items'] }, (ctx: any, x: number) => {
      ctx.domain.items.push({ x });
      if (x % 3 === 0) ctx.domain.items.shift();
    });
    t.engine.register(push);
    for (let i = 1; i <= 15; i++) {
      await t.engine.execute('push', i);
      record();
    }
    await new Promise((r) => setImmediate(r)); // deferred snapshots
    for (const v of [0, 1, 3, 4, 7, 12, 15]) {
      const s = await t.api(`state?v=${v}&path=domain&depth=8`);
      expect(s.status).toBe(200);
      expect(s.partial).toBe(false);
      expect(decode(s.value)).toEqual((seen.get(v) as any).domain);
    }
    const d = await t.api('diff?from=3&to=5');
    expect(d.entries.length).toBeGreaterThan(0);
    const h = await t.api('path?path=domain.items');
    expect(h.changes).toHaveLength(15);
    expect(h.changes[0].version).toBe(15);
    const found = await t.api('search?q=name');
    expect(found.hits.map((x: any) => x.path)).toContain('domain.profile.name');
  });

  it('answers absurd queries with typed errors, never a crash', async () => {
    // Handed over without stateAt (a memory engine of another version): old versions are gone.
    const t = await inspected({ domain: { n: 0 } }, { capacity: 16, snapshotEvery: 4 }, {}, (e) => ({ get state() { return e.state; } }));
    cleanup = t.close;
    t.engine.register(inc);
    for (let i = 0; i < 40; i++) await t.engine.execute('inc');
    const cases: [string, number, string][] = [
      ['state?v=-1', 400, 'INSPECTOR_REQUEST'],
      ['state?v=1e3', 400, 'INSPECTOR_REQUEST'],
      ['state?v=999999', 404, 'INSPECTOR_NOT_FOUND'],
      ['state?v=2', 410, 'INSPECTOR_NOT_RETAINED'],
      ['state?path=__proto__', 404, 'INSPECTOR_NOT_FOUND'],
      ['state?path=domain.constructor.prototype', 404, 'INSPECTOR_NOT_FOUND'],
      [`state?path=${'a.'.repeat(2000)}`, 400, 'INSPECTOR_REQUEST'],
      ['commit?v=1', 410, 'INSPECTOR_NOT_RETAINED'],
      ['commit', 400, 'INSPECTOR_REQUEST'],
      ['execution?id=', 400, 'INSPECTOR_REQUEST'],
      ['execution?id=nope', 404, 'INSPECTOR_NOT_FOUND'],
      ['events?kind=__proto__', 400, 'INSPECTOR_REQUEST'],
      ['search?q=', 400, 'INSPECTOR_REQUEST'],
      ['diff?from=0', 400, 'INSPECTOR_REQUEST'],
      ['state?engine=someone-else', 404, 'INSPECTOR_NOT_FOUND'],
      ['constructor', 404, 'INSPECTOR_NOT_FOUND'],
      ['__proto__', 404, 'INSPECTOR_NOT_FOUND'],
    ];
    for (const [q, status, code] of cases) {
      const r = await t.api(q);
      expect([q, r.status, r.error?.code]).toEqual([q, status, code]);
    }
    // The ring kept only the newest 16 events; the newest versions still travel.
    const s = await t.api('state?v=35&path=domain.n');
    expect(s.value).toBe(35);
  });

  it('reads versions older than the ring from the engine’s own history', async () => {
    const t = await inspected({ domain: { n: 0 } }, { capacity: 16, snapshotEvery: 4 }, { historyLimit: 100 });
    cleanup = t.close;
    t.engine.register(inc);
    for (let i = 0; i < 40; i++) await t.engine.execute('inc');
    const s = await t.api('state?v=2&path=domain.n');
    expect([s.status, s.source, s.value]).toEqual([200, 'store', 2]);
  });

  it('shows a huge state truncated, and bounds what one commit costs on the stream', async () => {
    const big: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) big[`k${i}`] = { i, s: 'x'.repeat(20) };
    const t = await inspected({ domain: { big, blob: '' } });
    cleanup = t.close;
    const write = defineProcess({ name: 'write', inputs: [], outputs: ['domain.blob', 'domain.big'] }, (ctx: any) => {
      ctx.domain.blob = 'y'.repeat(5_000_000);
      ctx.domain.big.k5 = { i: -1, s: 'changed' };
    });
    t.engine.register(write);
    let frameSize = 0;
    const { wireRec } = await import('../../src/inspect/wire.js');
    const measure = (m: unknown) => {
      frameSize = JSON.stringify(wireRec(0, { kind: 'commit', engineId: 'x', ...(m as object) } as never)).length;
    };
    commitChannel.subscribe(measure);
    try {
      await t.engine.execute('write');
    } finally {
      commitChannel.unsubscribe(measure);
    }
    expect(frameSize).toBeLessThan(4000);
    const s = await t.api('state?path=domain.big');
    expect(s.status).toBe(200);
    expect(s.value.$t).toBe('object');
    expect(s.value.e.length).toBeLessThanOrEqual(100);
    expect(s.value.more).toBeGreaterThan(0);
    const blob = await t.api('state?path=domain.blob');
    expect(blob.value).toMatchObject({ $t: 'str', len: 5_000_000 });
    expect(JSON.stringify(blob).length).toBeLessThan(10_000);
    const d = await t.api('commit?v=1');
    expect(JSON.stringify(d).length).toBeLessThan(50_000);
    const diff = await t.api('diff?from=0&to=1');
    expect(diff.entries.map((e: any) => e.path).sort()).toEqual(['domain.big.k5.i', 'domain.big.k5.s', 'domain.blob']);
  });
});

/** Turns a tagged preview back into plain data (for comparison with the engine's own state). */
function decode(v: any): unknown {
  if (v === null || typeof v !== 'object') return v;
  switch (v.$t) {
    case 'object':
      return Object.fromEntries(v.e.map(([k, x]: [string, unknown]) => [k, decode(x)]));
    case 'array':
      return v.e.map(decode);
    default:
      throw new Error(`not decodable: ${v.$t}`);
  }
}
