/**
 * The pipeline's persist stage against stand-in stores (the real SQLite and PostgreSQL stores have
 * their own tests): a durable store acknowledges before execute resolves and before signals
 * publish, with group commit; an authoritative store decides conflicts and versions, and follow()
 * brings other engines' commits in, in version order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TheusEngine, process } from '../../src/index.js';
import { keysOverlap } from '../../src/core/path.js';
import { memoryStore } from '../../src/storage/memory-store.js';
import type { CommitEntry, CommitVerdict, HistoryRecord, TheusStore } from '../../src/storage/store.js';
import { rejectsCode, tick } from './helpers.js';

const engines: TheusEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

/** A memory store that claims to be durable and holds each write until released. */
function slowDisk() {
  const inner = memoryStore();
  const batches: number[] = [];
  let release: (() => void)[] = [];
  const store: TheusStore = {
    kind: 'slow-disk',
    authoritative: false,
    open: (initial) => inner.open(initial),
    commit: async (entries: readonly CommitEntry[]) => {
      batches.push(entries.length);
      await new Promise<void>((r) => release.push(r));
      return inner.commit(entries);
    },
    history: (q) => inner.history(q),
    stateAt: (v) => inner.stateAt(v),
    outbox: inner.outbox,
    close: () => inner.close(),
  };
  return {
    store,
    batches,
    flush: () => {
      const r = release;
      release = [];
      for (const f of r) f();
    },
  };
}

/** A tiny shared store that decides conflicts like a database would, for several engines. */
function sharedLedger() {
  let head = 0;
  let root: Record<string, unknown> | undefined;
  const log: { version: number; keys: string[]; record: HistoryRecord; from: object }[] = [];
  const followers = new Set<{ from: object; apply: (r: HistoryRecord) => void }>();
  return (): TheusStore => {
    const me = {};
    return {
      kind: 'ledger',
      authoritative: true,
      open: async (initial) => {
        if (root === undefined) {
          root = initial as Record<string, unknown>;
          return { version: 0, root: undefined };
        }
        return { version: 0, root }; // replays follow from 0
      },
      commit: async (entries) => {
        await tick();
        const out: CommitVerdict[] = [];
        for (const e of entries) {
          const touched = [...e.reads, ...e.writes];
          const hits = log.filter((l) => l.version > e.baseVersion).flatMap((l) => l.keys.filter((k) => touched.some((t) => keysOverlap(k, t))));
          if (hits.length > 0) {
            out.push({ ok: false, actualVersion: head, paths: hits });
            continue;
          }
          head++;
          const record: HistoryRecord = { version: head, process: e.process, delta: e.ops, signals: e.signals, at: e.at };
          log.push({ version: head, keys: [...e.writes], record, from: me });
          for (const f of followers) if (f.from !== me) f.apply(record);
          out.push({ ok: true, version: head });
        }
        return out;
      },
      follow: (after, apply) => {
        const f = { from: me, apply };
        for (const l of log) if (l.version > after && l.from !== me) apply(l.record);
        followers.add(f);
        return () => void followers.delete(f);
      },
      async *history() {
        for (const l of log) yield l.record;
      },
      stateAt: async () => undefined,
      outbox: memoryStore().outbox,
      close: async () => undefined,
    };
  };
}

describe('a durable store', () => {
  it('execute resolves and signals publish only once the write is acknowledged; a burst goes in one group write', async () => {
    const disk = slowDisk();
    const engine = await TheusEngine.open({ domain: { n: 0 } }, { storage: disk.store });
    engines.push(engine);
    const heard: number[] = [];
    engine.signals.subscribe('inc', (m) => void heard.push(m.version));
    const inc = process({ name: 'inc', inputs: ['domain.n'], outputs: ['domain.n', 'signal.inc'] }, (ctx) => {
      ctx.domain.n += 1;
      ctx.signal.inc = true;
    });
    let resolved = 0;
    const first = engine.execute(inc).then(() => resolved++);
    await tick();
    const rest = [engine.execute(inc), engine.execute(inc)].map((p) => p.then(() => resolved++));
    await tick();
    expect(resolved).toBe(0);
    expect(heard).toEqual([]);
    disk.flush();
    await first;
    await tick();
    disk.flush();
    await Promise.all(rest);
    expect(resolved).toBe(3);
    expect(heard).toEqual([1, 2, 3]);
    expect(disk.batches).toEqual([1, 2]);
    const versions: number[] = [];
    for await (const r of engine.history()) versions.push(r.version);
    expect(versions).toEqual([1, 2, 3]);
  });

  it('new TheusEngine() with storage is refused: durable storage is opened with TheusEngine.open', () => {
    expect(() => new TheusEngine({}, { storage: slowDisk().store } as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('a malformed store object is refused at open with INVALID_ARGUMENT, naming what is wrong', async () => {
    const good = slowDisk().store;
    const bad: [unknown, RegExp][] = [
      [{}, /store object implementing open, commit/],
      [{ ...good, commit: 'yes' }, /store object implementing/],
      [{ ...good, outbox: null }, /outbox/],
      [{ ...good, groupsCommits: 'true' }, /storage\.groupsCommits must be a boolean/],
      [{ ...good, authoritative: 1 }, /storage\.authoritative must be a boolean/],
      [{ ...good, check: {} }, /storage\.check must be a function/],
      [{ ...good, follow: 'x' }, /storage\.follow must be a function/],
      [{ ...good, lockPaths: 5 }, /storage\.lockPaths must be a function/],
    ];
    for (const [storage, message] of bad) {
      const error = await TheusEngine.open({ domain: { n: 0 } }, { storage: storage as TheusStore }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(message) as string });
    }
  });

  it('a store that fails a write rejects the commit and stops the engine from committing on top of it', async () => {
    const inner = memoryStore();
    const store: TheusStore = { ...slowDisk().store, open: (i) => inner.open(i), commit: () => Promise.reject(new Error('disk full')) };
    const engine = await TheusEngine.open({ domain: { n: 0 } }, { storage: store });
    engines.push(engine);
    const inc = process({ name: 'inc', outputs: ['domain.n'] }, (ctx) => void (ctx.domain.n = 1));
    await rejectsCode(engine.execute(inc), 'STORAGE');
    await rejectsCode(engine.execute(inc), 'STORAGE');
  });

  it('a store that gathers its own commits (groupsCommits) gets each commit at once; close() still waits for every one handed over', async () => {
    const disk = slowDisk();
    let closedWith = -1;
    const store: TheusStore = { ...disk.store, groupsCommits: true, close: async () => void (closedWith = disk.batches.length) };
    const engine = await TheusEngine.open({ domain: { n: 0 } }, { storage: store });
    const inc = process({ name: 'inc', outputs: ['domain.n'] }, (ctx) => void (ctx.domain.n += 1));
    const done = [engine.execute(inc), engine.execute(inc), engine.execute(inc)].map((p) => p.then(() => 'resolved'));
    await tick();
    // Not gathered by the engine: one call per commit, none waiting for the one before.
    expect(disk.batches).toEqual([1, 1, 1]);
    let closed = false;
    const closing = engine.close().then(() => (closed = true));
    await tick();
    expect(closed).toBe(false);
    expect(closedWith).toBe(-1);
    disk.flush();
    await closing;
    expect(closedWith).toBe(3);
    expect(await Promise.all(done)).toEqual(['resolved', 'resolved', 'resolved']);
  });
});

describe('an authoritative store shared by two engines', () => {
  it('conflicts come from the store verdict and re-run; every engine sees every commit in order', async () => {
    const ledger = sharedLedger();
    const a = await TheusEngine.open({ domain: { n: 0 } }, { storage: ledger(), backoffMaxMs: 2, maxRetries: 100 });
    const b = await TheusEngine.open({ domain: { n: 0 } }, { storage: ledger(), backoffMaxMs: 2, maxRetries: 100 });
    engines.push(a, b);
    const inc = process({ name: 'inc', inputs: ['domain.n'], outputs: ['domain.n'] }, async (ctx) => {
      const n = ctx.domain.n as number;
      await tick();
      ctx.domain.n = n + 1;
    });
    await Promise.all([...Array.from({ length: 5 }, () => a.execute(inc)), ...Array.from({ length: 5 }, () => b.execute(inc))]);
    for (let i = 0; i < 20 && (a.state.version < 10 || b.state.version < 10); i++) await tick();
    expect(a.state.domain.n).toBe(10);
    expect(b.state.domain.n).toBe(10);
    expect(a.state.version).toBe(10);
    expect(b.state.version).toBe(10);
    expect(a.metrics().conflicts + b.metrics().conflicts).toBeGreaterThan(0);
    // Synchronous routes cannot wait for the store's verdict: refused with the way out.
    expect(() => a.edit((ctx) => void (ctx.domain.n = 0))).toThrow(/await engine.transaction/);
    expect(() => a.compareAndSwap(a.state.version, { data: { 'domain.n': 0 } })).toThrow(/await engine.transaction/);
    await a.transaction((tx) => void (tx.domain.n = 0));
    expect(a.state.domain.n).toBe(0);
  });
});
