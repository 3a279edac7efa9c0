import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { preview, SMALL } from '../../src/inspect/preview.js';
import { WorkflowGraphs } from '../../src/inspect/graphs.js';
import { RecordRing } from '../../src/inspect/record-ring.js';
import { VersionIndex } from '../../src/inspect/version-index.js';
import { diffStates, readAt, searchState, splitPath } from '../../src/inspect/state-view.js';

describe('preview: any value, bounded', () => {
  it('tags what JSON cannot say', () => {
    const cyclic: any = { a: 1 };
    cyclic.self = cyclic;
    class Account {
      balance = 3;
    }
    expect(preview(undefined)).toEqual({ $t: 'undefined' });
    expect(preview(Number.NaN)).toEqual({ $t: 'num', v: 'NaN' });
    expect(preview(-Infinity)).toEqual({ $t: 'num', v: '-Infinity' });
    expect(preview(10n)).toEqual({ $t: 'bigint', v: '10' });
    expect(preview(new Date(0))).toEqual({ $t: 'date', v: '1970-01-01T00:00:00.000Z' });
    expect(preview(new Date(Number.NaN))).toEqual({ $t: 'date', v: 'Invalid Date' });
    expect(preview(new Float32Array(5))).toEqual({ $t: 'binary', kind: 'Float32Array', len: 5 });
    expect(preview(new Map([['k', 1]]))).toEqual({ $t: 'map', e: [['k', 1]], size: 1 });
    expect(preview(new Set([1]))).toEqual({ $t: 'set', e: [1], size: 1 });
    expect(preview(cyclic)).toEqual({ $t: 'object', e: [['a', 1], ['self', { $t: 'circular' }]] });
    expect(preview(new Account())).toEqual({ $t: 'object', c: 'Account', e: [['balance', 3]] });
    expect(preview(() => 1)).toEqual({ $t: 'function' });
    expect(preview(Symbol('s'))).toEqual({ $t: 'symbol' });
    expect(preview(JSON.parse('{"__proto__": {"polluted": 1}}'))).toEqual({ $t: 'object', e: [['__proto__', { $t: 'object', e: [['polluted', 1]] }]] });
    expect(({} as any).polluted).toBeUndefined();
  });

  it('never throws on hostile objects', () => {
    const throwing = new Proxy({}, { ownKeys: () => { throw new Error('no'); } });
    const getter = Object.defineProperty({}, 'x', { enumerable: true, get: () => { throw new Error('boom'); } });
    expect(preview(throwing)).toEqual({ $t: 'unreadable' });
    expect(preview(getter)).toEqual({ $t: 'unreadable' });
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    expect(preview(revocable.proxy)).toEqual({ $t: 'unreadable' });
  });

  it('caps size whatever the input', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 6, withMap: true, withSet: true, withBigInt: true, withDate: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true }), (v) => {
        const p = preview(v, SMALL);
        expect(JSON.stringify(p).length).toBeLessThan(40_000);
      }),
      { numRuns: 300 },
    );
    const wide: Record<string, number> = {};
    for (let i = 0; i < 50_000; i++) wide[`k${i}`] = i;
    const p = preview({ wide, long: 'x'.repeat(1e6), arr: new Array(1e6).fill(0) }) as any;
    expect(JSON.stringify(p).length).toBeLessThan(3000);
    expect(p.e[0][1].e.length).toBe(SMALL.keys);
    expect(p.e[0][1].more).toBeGreaterThan(0);
  });
});

describe('state helpers', () => {
  it('reads paths without reaching prototypes, splits paths, diffs and searches within bounds', () => {
    const root = { domain: { items: [{ name: 'pen' }], m: new Map([['k', { v: 1 }]]) } };
    expect(readAt(root, ['domain', 'items', 0, 'name'])).toEqual({ found: true, value: 'pen' });
    expect(readAt(root, ['domain', 'm', 'k', 'v'])).toEqual({ found: true, value: 1 });
    for (const p of [['__proto__'], ['constructor'], ['domain', 'items', 'length'], ['domain', 'toString']]) expect(readAt(root, p).found).toBe(p[2] === 'length');
    expect(splitPath('domain.items[0].name')).toEqual(['domain', 'items', 0, 'name']);
    expect(splitPath('a.01.b')).toEqual(['a', '01', 'b']);
    const shared = { big: Array.from({ length: 1000 }, (_, i) => ({ i })) };
    expect(diffStates({ s: shared, x: 1 }, { s: shared, x: 2 }).entries).toEqual([{ path: ['x'], kind: 'changed', before: 1, after: 2 }]);
    expect(diffStates({ a: 1 }, { b: 1 }).entries.map((e) => e.kind).sort()).toEqual(['added', 'removed']);
    expect(searchState(root, 'PEN').hits.map((h) => h.path)).toEqual(['domain.items.0.name']);
    const deep: any = {};
    let cur = deep;
    for (let i = 0; i < 100_000; i++) cur = cur.n = {};
    expect(searchState(deep, 'zzz').truncated).toBe(true);
  });

  it('the version index forgets versions whose commits left the ring, in batches', () => {
    const idx = new VersionIndex();
    for (let v = 5; v < 105; v++) idx.set(v, v * 2);
    idx.set(110, 999); // a gap (versions committed elsewhere)
    expect([idx.get(4), idx.get(5), idx.get(107), idx.get(110)]).toEqual([undefined, 10, undefined, 999]);
    idx.prune(100, 10); // sequences below 100 left the ring
    expect([idx.get(49), idx.get(50)]).toEqual([undefined, 100]);
    expect([...idx.versions()].slice(0, 2)).toEqual([50, 51]);
    idx.set(3, 1); // older than kept: ignored
    expect(idx.get(3)).toBeUndefined();
  });

  it('the ring keeps the newest records with sequence numbers; a commit comes back as it went in', () => {
    const r = new RecordRing(3);
    const signal = (n: number) => ({ kind: 'signal', engineId: 'e', at: n, topic: 't', payload: n, version: n }) as const;
    for (let i = 0; i < 4; i++) r.push(signal(i));
    const ops = [{ op: 'replace', path: ['domain', 'n'], value: 1 }] as const;
    const commit = { engineId: 'eng', version: 7, baseVersion: 6, process: 'p', route: 'execute', executionId: 'eng:12', ops, signals: [], outbox: 0, at: 5 } as const;
    expect(r.pushCommit(commit)).toBe(4);
    expect(r.first).toBe(2);
    expect([...r.since(0)].map(([s, x]) => [s, x.kind])).toEqual([[2, 'signal'], [3, 'signal'], [4, 'commit']]);
    expect(r.get(1)).toBeUndefined();
    expect([...r.newest()].map(([s]) => s)).toEqual([4, 3, 2]);
    expect(r.get(4)).toEqual({ kind: 'commit', ...commit });
    expect([r.commitVersion(4), r.commitVersion(3), r.commitOps(4)]).toEqual([7, -1, ops]);
    // An execution id of another form is kept as it is.
    for (const executionId of ['other:3', 'eng:03', 'eng:', 'eng:1x', null]) {
      const seq = r.pushCommit({ ...commit, executionId });
      expect((r.get(seq) as { executionId: unknown }).executionId).toBe(executionId);
    }
    // Overwritten slots let go of the commit they held.
    for (let i = 0; i < 3; i++) r.push(signal(i));
    expect(r.commitOps(r.next - 1)).toBeUndefined();
  });
});

describe('workflow graphs from step events', () => {
  const step = (workflow: string, s: string, status: 'start' | 'done' | 'failed' | 'transition', kind: 'workflow' | 'machine' = 'workflow') =>
    ({ kind: 'step', engineId: 'e', at: 0, workflow, graph: kind, step: s, status, version: 0 }) as const;

  it('counts runs, draws edges between consecutive steps, and knows the current and failed step', () => {
    const g = new WorkflowGraphs();
    for (const [s, st] of [['a', 'start'], ['a', 'done'], ['b', 'start'], ['b', 'failed'], ['a', 'start'], ['a', 'done'], ['c', 'start']] as const) g.add(step('w', s, st));
    const [w] = g.list() as any[];
    expect(w.nodes).toEqual([{ id: 'a', runs: 2, done: 2, failed: 0 }, { id: 'b', runs: 1, done: 0, failed: 1 }, { id: 'c', runs: 1, done: 0, failed: 0 }]);
    expect(w.edges).toEqual([{ from: 'a', to: 'b', count: 1 }, { from: 'b', to: 'a', count: 1 }, { from: 'a', to: 'c', count: 1 }]);
    expect([w.current, w.failed]).toEqual(['c', 'b']);
  });

  it('a state machine stays in its state; graphs and nodes are bounded', () => {
    const g = new WorkflowGraphs();
    g.add(step('m', 'IDLE', 'transition', 'machine'));
    g.add(step('m', 'IDLE', 'done', 'machine'));
    expect((g.list()[0] as any).current).toBe('IDLE');
    for (let i = 0; i < 500; i++) g.add(step('wide', `s${i}`, 'start'));
    for (let i = 0; i < 100; i++) g.add(step(`w${i}`, 'x', 'start'));
    expect(g.graphs.size).toBeLessThanOrEqual(64);
    const wide = [...g.graphs.values()].find((x) => x.name === 'wide');
    if (wide) expect(wide.nodes.size).toBeLessThanOrEqual(200);
  });
});
