import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { applyOps } from '../../src/storage/apply-ops.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import type { StoredOp } from '../../src/storage/store.js';
import { collect, counterCommits, entry, set } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'theus-reopen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const leaf = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date({ noInvalidDate: true }),
  fc.bigInt(),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 4 }).filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k)), tie('v'), { maxKeys: 3 }),
    fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 3 }), fc.integer()), tie('v')), { maxLength: 2 }).map((e) => new Map(e)),
    fc.array(leaf, { maxLength: 3 }).map((e) => new Set(e))),
})).v;

/** An action on the model, turned into the ops the engine would record. */
const action = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key: fc.constantFrom('a', 'b', 'c', 'x.y', '😀'), value }),
  fc.record({ kind: fc.constant('del' as const), key: fc.constantFrom('a', 'b', 'c', 'x.y', '😀') }),
  fc.record({ kind: fc.constant('push' as const), value }),
  fc.record({ kind: fc.constant('pop' as const) }),
  fc.record({ kind: fc.constant('nested' as const), key: fc.constantFrom('p', 'q'), value }),
);
type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

function opsFor(model: { domain: Record<string, unknown> & { list: unknown[]; obj: Record<string, { x?: unknown }> } }, a: Action): StoredOp[] {
  const d = model.domain;
  switch (a.kind) {
    case 'set':
      return [{ op: Object.prototype.hasOwnProperty.call(d, a.key) ? 'replace' : 'add', path: ['domain', a.key], value: a.value }];
    case 'del':
      return Object.prototype.hasOwnProperty.call(d, a.key) ? [{ op: 'remove', path: ['domain', a.key] }] : [];
    case 'push':
      return [{ op: 'add', path: ['domain', 'list', d.list.length], value: a.value }];
    case 'pop':
      return d.list.length === 0 ? [] : [{ op: 'remove', path: ['domain', 'list', d.list.length - 1] }];
    case 'nested':
      return d.obj[a.key] === undefined
        ? [{ op: 'add', path: ['domain', 'obj', a.key], value: { x: a.value } }]
        : [{ op: 'replace', path: ['domain', 'obj', a.key, 'x'], value: a.value }];
  }
}

describe('sqliteStore: reopen equivalence', () => {
  it('random commits in random groups, closed and reopened at random points: same version and state, and every stateAt', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(action, fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        async (steps, snapshotEvery) => {
          const file = join(dir, `p${++n}.db`);
          const initial = { domain: { list: [] as unknown[], obj: {} as Record<string, { x?: unknown }> } };
          let model = initial as Record<string, unknown>;
          const models: Record<string, unknown>[] = [model];
          let store = sqliteStore(file, { snapshotEvery });
          await store.open(initial);
          let version = 0;
          let group: ReturnType<typeof entry>[] = [];
          for (const [a, flush, reopen] of steps) {
            const ops = opsFor(model as never, a);
            if (ops.length === 0) continue;
            model = applyOps(model, ops);
            models.push(model);
            group.push(entry(++version, ops));
            if (flush || reopen) {
              await store.commit(group);
              group = [];
            }
            if (reopen) {
              await store.close();
              store = sqliteStore(file, { snapshotEvery });
              const opened = await store.open({ ignored: true });
              expect(opened.version).toBe(version);
              if (version > 0) expect(opened.root).toEqual(model);
            }
          }
          if (group.length > 0) await store.commit(group);
          await store.close();
          store = sqliteStore(file, { snapshotEvery });
          // With nothing committed the new initial state wins, so reopen with the same one.
          const opened = await store.open(initial);
          expect(opened.version).toBe(version);
          if (version > 0) expect(opened.root).toEqual(model);
          for (let v = 0; v <= version; v++) expect(await store.stateAt(v)).toEqual(models[v]);
          await store.close();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('snapshots are written as the log grows, and reopen replays only the log after the newest', async () => {
    const file = join(dir, `snap${++n}.db`);
    const s = sqliteStore(file, { snapshotEvery: 10 });
    await s.open({ domain: { n: 0 } });
    await counterCommits(s, 0, 95, 4);
    await s.close();
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(file, { readonly: true });
    const snaps = (db.prepare('SELECT version FROM theus_snapshot ORDER BY version').all() as { version: number }[]).map((r) => r.version);
    db.close();
    expect(snaps.length).toBeGreaterThan(3);
    expect(snaps.at(-1)).toBeGreaterThanOrEqual(85);
    const again = sqliteStore(file, { snapshotEvery: 10 });
    expect(await again.open({})).toEqual({ version: 95, root: { domain: { n: 95 } } });
    expect(await again.stateAt(37)).toEqual({ domain: { n: 37 } });
    await again.close();
  });

  it('retainVersions prunes old log and snapshots, keeping at least that many versions reachable', async () => {
    const file = join(dir, `ret${++n}.db`);
    const s = sqliteStore(file, { snapshotEvery: 10, retainVersions: 25 });
    await s.open({ domain: { n: 0 } });
    await counterCommits(s, 0, 200, 3);
    const versions = (await collect(s.history({}))).map((r) => r.version);
    expect(versions.at(-1)).toBe(200);
    expect(versions[0]).toBeLessThanOrEqual(176);
    expect(versions[0]).toBeGreaterThan(100);
    expect(await s.stateAt(176)).toEqual({ domain: { n: 176 } });
    expect(await s.stateAt(3)).toBeUndefined();
    await s.close();
    const again = sqliteStore(file, { snapshotEvery: 10, retainVersions: 25 });
    expect(await again.open({})).toEqual({ version: 200, root: { domain: { n: 200 } } });
    await again.close();
  });

  it('an engine-supplied frozen value is stored without being written into', async () => {
    const file = join(dir, `frozen${++n}.db`);
    const s = sqliteStore(file, { snapshotEvery: 1 });
    const cfg = Object.freeze({ a: Object.freeze({ b: 1 }) });
    await s.open({ domain: {} });
    await s.commit([entry(1, [set(['domain', 'cfg'], cfg)]), entry(2, [set(['domain', 'cfg', 'a', 'b'], 2)])]);
    expect(cfg.a.b).toBe(1);
    await s.close();
    const again = sqliteStore(file);
    expect((await again.open({})).root).toEqual({ domain: { cfg: { a: { b: 2 } } } });
    await again.close();
  });
});
