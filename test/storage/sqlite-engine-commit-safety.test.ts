/**
 * What the engine's one commit pipeline guarantees over SQLite when a commit cannot be stored:
 * a value the store could not restore fails that commit alone, on every route, with committed
 * state untouched; a write that fails stops the engine at its last acknowledged version, and
 * nothing installed on top of the lost commit is ever acknowledged or written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { StorageError, TheusEngine, process as defineProcess } from '../../src/index.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import type { CommitEntry, TheusStore } from '../../src/storage/store.js';
import * as procs from '../engine/fixtures/parallel-procs.js';
import { rejectsCode, throwsCode } from '../engine/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'theus-commit-safety-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const nextFile = () => join(dir, `s${++n}.db`);

const engines: TheusEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

async function open(storage: string | TheusStore, initial: Record<string, unknown> = { domain: { n: 0, item: null } }, options: Record<string, unknown> = {}): Promise<TheusEngine> {
  const engine = await TheusEngine.open(initial, { storage, ...options });
  engines.push(engine);
  return engine;
}

/** Not registered with the store, so it could not be restored after a restart. */
class Unregistered {
  constructor(readonly label: string) {}
}

const inc = defineProcess({ name: 'inc', inputs: ['domain.n'], outputs: ['domain.n', 'signal.inc'], semantic: 'effect' }, (ctx: any) => {
  ctx.domain.n += 1;
  ctx.signal.inc = true;
  ctx.outbox.add('n', { n: ctx.domain.n });
});

const putItem = defineProcess({ name: 'putItem', inputs: [], outputs: ['domain.item'], semantic: 'effect' }, (ctx: any, item: unknown) => {
  ctx.domain.item = item;
});

const notify = defineProcess({ name: 'notify', inputs: [], outputs: ['domain.n'], semantic: 'effect' }, (ctx: any, payload: unknown) => {
  ctx.domain.n = 100;
  ctx.outbox.add('event', payload);
});

/**
 * Delegates to a real SQLite store; optionally refuses entries in `check`, fails the nth write, or
 * holds each write until the test releases it (so that commits queue behind a write in flight).
 */
function wrap(inner: TheusStore, opts: { refuse?: (e: CommitEntry) => boolean; failWrite?: number; writeThenFail?: boolean; hold?: boolean } = {}) {
  const calls: number[][] = [];
  let held: (() => void)[] = [];
  const release = () => {
    const r = held;
    held = [];
    for (const f of r) f();
  };
  const store: TheusStore = {
    kind: 'sqlite-wrapped',
    authoritative: false,
    open: (initial) => inner.open(initial),
    check: (entry) => {
      inner.check?.(entry);
      if (opts.refuse?.(entry)) throw new StorageError('refused by the test store');
    },
    commit: async (entries) => {
      calls.push(entries.map((e) => e.version ?? -1));
      if (opts.hold) await new Promise<void>((r) => held.push(r));
      if (calls.length === opts.failWrite) {
        // A write that failed before anything reached the file, or (writeThenFail) a sync that
        // failed after the write: its outcome on disk is unknown to the engine.
        if (opts.writeThenFail) await inner.commit(entries);
        throw new StorageError('simulated I/O error');
      }
      return inner.commit(entries);
    },
    history: (q) => inner.history(q),
    stateAt: (v) => inner.stateAt(v),
    outbox: inner.outbox,
    close: () => inner.close(),
  };
  return { store, calls, release, holding: () => held.length > 0 };
}

/** Waits until the store holds a write (the write before it includes a real sync: allow for a slow disk). */
async function untilHeld(holding: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!holding() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
  expect(holding()).toBe(true);
}

describe('a value the store cannot restore fails its commit before it is installed, on every route', () => {
  it('execute: STORAGE, the same State as before, and the engine keeps committing', async () => {
    const file = nextFile();
    const engine = await open(file);
    engine.register(putItem).register(inc).register(notify);
    await engine.execute('inc');
    const before = engine.state;
    const heard: unknown[] = [];
    engine.signals.subscribe('*', (m) => void heard.push(m.topic));

    const err = await rejectsCode(engine.execute('putItem', new Unregistered('x')), 'STORAGE', StorageError);
    expect(err.message).toMatch(/Unregistered.*domain\.item/);
    expect(engine.state).toBe(before);
    // An outbox payload is stored with the commit: the same rule.
    await rejectsCode(engine.execute('notify', { who: new Unregistered('y') }), 'STORAGE');
    expect(engine.state).toBe(before);
    expect(heard).toEqual([]);
    expect(await engine.outbox.pending()).toBe(1);

    await engine.execute('inc');
    await engine.execute('putItem', { label: 'plain' });
    expect(engine.state.version).toBe(3);
    await engine.close();
    const again = await open(file);
    expect(again.state.version).toBe(3);
    expect(again.state.domain.n).toBe(2);
    expect(again.state.toJSON()).toEqual({ ...again.state.toJSON(), domain: { n: 2, item: { label: 'plain' } } });
    expect(await again.outbox.pending()).toBe(2);
  });

  it('transaction(fn) and tx.commit(): STORAGE, nothing committed', async () => {
    const engine = await open(nextFile());
    const before = engine.state;
    await rejectsCode(
      engine.transaction((tx: any) => {
        tx.domain.n = 5;
        tx.domain.item = new Unregistered('t');
      }),
      'STORAGE',
    );
    expect(engine.state).toBe(before);
    await rejectsCode(
      engine.transaction((tx: any) => {
        tx.domain.n = 5;
        tx.outbox.add('t', new Unregistered('o'));
      }),
      'STORAGE',
    );
    expect(engine.state).toBe(before);
    const tx: any = engine.transaction();
    tx.domain.item = new Unregistered('manual');
    throwsCode(() => tx.commit(), 'STORAGE');
    expect(engine.state).toBe(before);
    await engine.transaction((t: any) => void (t.domain.n = 7));
    expect(engine.state.domain.n).toBe(7);
  });

  it('edit and compareAndSwap: STORAGE, nothing committed', async () => {
    const file = nextFile();
    const engine = await open(file);
    const before = engine.state;
    throwsCode(() => engine.edit((ctx: any) => void (ctx.domain.item = new Unregistered('e'))), 'STORAGE', StorageError);
    expect(engine.state).toBe(before);
    throwsCode(() => engine.compareAndSwap(0, { data: { domain: { item: new Unregistered('c') } } }), 'STORAGE', StorageError);
    expect(engine.state).toBe(before);
    engine.compareAndSwap(0, { data: { domain: { n: 1 } } });
    engine.edit((ctx: any) => void (ctx.domain.n = 2));
    await engine.close();
    const again = await open(file);
    expect(again.state.version).toBe(2);
    expect(again.state.domain.n).toBe(2);
  });

  it('a registered class is stored and restored', async () => {
    const file = nextFile();
    const engine = await open(sqliteStore(file, { classes: [Unregistered] }));
    engine.register(putItem);
    await engine.execute('putItem', new Unregistered('kept'));
    await engine.close();
    const again = await open(sqliteStore(file, { classes: [Unregistered] }));
    expect(again.state.domain.item).toBeInstanceOf(Unregistered);
    expect((again.state.domain.item as Unregistered).label).toBe('kept');
  });

  it('parallel: a worker delta the store refuses fails with STORAGE and commits nothing', async () => {
    // Values from a worker arrive as structured clones (plain data), so the refusal is the test
    // store's, on top of the SQLite store's own check.
    const { store } = wrap(sqliteStore(nextFile()), { refuse: (e) => e.ops.some((op) => op.path.join('.') === 'domain.evidence') });
    const engine = await open(store, { domain: { n: 0, keys: {} } }, { workers: { maxThreads: 1, minThreads: 1 } });
    engine.register(procs.evidence).register(procs.pset);
    const before = engine.state;
    await rejectsCode(engine.executeParallel('evidence'), 'STORAGE');
    expect(engine.state).toBe(before);
    await engine.executeParallel('pset', { key: 'a' });
    expect(engine.state.version).toBe(1);
    // Worker threads load the TypeScript sources: slow to start on a loaded machine.
  }, 90_000);
});

describe('commits installed before they are durable', () => {
  it('a commit built on a not-yet-durable one is written after it, in the next group', async () => {
    const file = nextFile();
    const { store, calls, release, holding } = wrap(sqliteStore(file), { hold: true });
    const engine = await open(store);
    engine.register(inc);
    const order: string[] = [];
    const a = engine.execute('inc').then(() => order.push('a'));
    await untilHeld(holding);
    // A's commit is installed and its write is in flight: B reads it and commits on top.
    expect(engine.state.domain.n).toBe(1);
    const b = engine.execute('inc').then(() => order.push('b'));
    expect(engine.state.domain.n).toBe(2);
    expect(calls).toEqual([[1]]);
    release();
    await untilHeld(holding);
    expect(order).toEqual(['a']);
    release();
    await Promise.all([a, b]);
    expect(order).toEqual(['a', 'b']);
    expect(calls).toEqual([[1], [2]]);
    await engine.close();
    const again = await open(file);
    expect(again.state.domain.n).toBe(2);
  });

  it('a failed write stops the engine at its last acknowledged version; nothing on top of it is acknowledged', async () => {
    const file = nextFile();
    const { store, calls, release, holding } = wrap(sqliteStore(file), { failWrite: 3, hold: true });
    const engine = await open(store);
    engine.register(inc).register(putItem);
    const heard: number[] = [];
    engine.signals.subscribe('inc', (m) => void heard.push(m.version));
    for (let i = 0; i < 2; i++) {
      const done = engine.execute('inc');
      await untilHeld(holding);
      release();
      await done;
    }
    const acked = engine.state;

    // The third write fails; the commits queued behind it were built on it.
    const burst = [engine.execute('inc')];
    await untilHeld(holding);
    for (let i = 0; i < 4; i++) burst.push(engine.execute('inc'));
    expect(engine.state.version).toBe(7);
    release();
    const results = await Promise.allSettled(burst);
    expect(results.every((r) => r.status === 'rejected' && (r.reason as StorageError).code === 'STORAGE')).toBe(true);
    const err = (results[0] as PromiseRejectedResult).reason as StorageError;
    expect(err.message).toMatch(/simulated I\/O error/);
    expect(err.message).toMatch(/version 2/);
    expect(calls).toEqual([[1], [2], [3]]);
    expect(heard).toEqual([1, 2]);

    // Readers see the last acknowledged State, and every route refuses to commit.
    expect(engine.state).toBe(acked);
    await rejectsCode(engine.execute('inc'), 'STORAGE');
    throwsCode(() => engine.edit((ctx: any) => void (ctx.domain.n = 0)), 'STORAGE');
    throwsCode(() => engine.compareAndSwap(acked.version, { data: { domain: { n: 0 } } }), 'STORAGE');
    await rejectsCode(() => engine.transaction((tx: any) => void (tx.domain.n = 0)), 'STORAGE');
    expect(engine.state).toBe(acked);
    expect(calls).toHaveLength(3);

    await engine.close();
    const again = await open(file);
    expect(again.state.version).toBe(2);
    expect(again.state.domain.n).toBe(2);
    expect(await again.outbox.pending()).toBe(2);
  });

  it('a write whose outcome is unknown: the commits queued behind it are never written', async () => {
    const file = nextFile();
    const { store, calls, release, holding } = wrap(sqliteStore(file), { failWrite: 2, writeThenFail: true, hold: true });
    const engine = await open(store);
    engine.register(inc);
    const one = engine.execute('inc');
    await untilHeld(holding);
    release();
    await one;
    const first = engine.execute('inc');
    await untilHeld(holding);
    const second = engine.execute('inc');
    release();
    await rejectsCode(first, 'STORAGE');
    await rejectsCode(second, 'STORAGE');
    expect(calls).toEqual([[1], [2]]);
    expect(engine.state.version).toBe(1);
    await engine.close();
    // Version 2 reached the file before its sync "failed", so a reopen may find it; version 3,
    // built on it and never written, cannot be there.
    const again = await open(file);
    expect(again.state.version).toBe(2);
    expect(again.state.domain.n).toBe(2);
  });

  it('a synchronous route whose write fails leaves the engine stopped at the last acknowledged version', async () => {
    const file = nextFile();
    const { store } = wrap(sqliteStore(file), { failWrite: 1 });
    const engine = await open(store);
    const before = engine.state;
    // edit returns once the commit is installed; its write fails afterwards.
    engine.edit((ctx: any) => void (ctx.domain.n = 9));
    expect(engine.state.domain.n).toBe(9);
    await new Promise((r) => setTimeout(r, 20));
    expect(engine.state).toBe(before);
    throwsCode(() => engine.edit((ctx: any) => void (ctx.domain.n = 10)), 'STORAGE');
    await engine.close();
    const again = await open(file);
    expect(again.state.version).toBe(0);
  });
});

describe('the SQLite store gathers the commits itself (groupsCommits): each execute hands its commit over at once', () => {
  it('a lone commit the file cannot take fails alone and leaves nothing; the engine stops at the last acknowledged version', async () => {
    const file = nextFile();
    const store = sqliteStore(file, { maxPages: 40 });
    expect(store.groupsCommits).toBe(true);
    // A sync on the thread pool lets a later write happen while an earlier one's sync is in
    // flight: the engine then makes one call at a time.
    expect(sqliteStore(nextFile(), { syncInBackground: true }).groupsCommits).toBe(false);
    const engine = await open(store);
    engine.register(inc).register(putItem);
    await engine.execute('inc');
    await engine.execute('inc');
    const acked = engine.state;
    // One row without messages: written without BEGIN and COMMIT, and refused as a whole all the same.
    await rejectsCode(engine.execute('putItem', 'x'.repeat(400_000)), 'STORAGE');
    expect(engine.state).toBe(acked);
    await rejectsCode(engine.execute('inc'), 'STORAGE');
    await engine.close();
    const again = await open(file);
    expect(again.state.version).toBe(2);
    expect(again.state.domain).toEqual({ n: 2, item: null });
    expect(await again.outbox.pending()).toBe(2);
  });

  it('commits handed over in one turn share one write: when it fails, all of them fail and none is written', async () => {
    const file = nextFile();
    const engine = await open(sqliteStore(file, { maxPages: 40 }));
    engine.register(inc).register(putItem);
    await engine.execute('inc');
    const acked = engine.state;
    const heard: number[] = [];
    engine.signals.subscribe('inc', (m) => void heard.push(m.version));
    const burst = [engine.execute('inc'), engine.execute('putItem', 'x'.repeat(400_000)), engine.execute('inc')];
    expect(engine.state.version).toBe(4);
    const results = await Promise.allSettled(burst);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(results.every((r) => (r as PromiseRejectedResult).reason instanceof StorageError)).toBe(true);
    expect(heard).toEqual([]);
    expect(engine.state).toBe(acked);
    await rejectsCode(engine.execute('inc'), 'STORAGE');
    await engine.close();
    const again = await open(file);
    expect(again.state.version).toBe(1);
    expect(again.state.domain.n).toBe(1);
  });
});
