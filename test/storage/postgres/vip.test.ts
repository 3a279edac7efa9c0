/**
 * Anti-starvation across engines: a process that lost `vipAfter` races locks its declared paths in
 * the store, and then no engine can overtake it. Each scenario runs twice: through a store that
 * has `lockPaths`, where the process succeeds, and through the same store with `lockPaths`
 * hidden, where the very same pattern makes it exceed `maxRetries`, so the success is owed to the
 * lock and not to luck.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError, TheusEngine, process as proc } from '../../../src/index.js';
import type { TheusStore } from '../../../src/storage/store.js';
import { postgresStore } from '../../../src/storage/postgres/index.js';
import { freshSchema, PG_URL, until } from './helpers.js';

const engines: TheusEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

/** The same store without the priority lane across engines. */
function withoutLockPaths(s: TheusStore): TheusStore {
  return {
    kind: s.kind,
    authoritative: s.authoritative,
    open: (initial) => s.open(initial),
    commit: (entries) => s.commit(entries),
    follow: (after, apply) => s.follow!(after, apply),
    history: (q) => s.history(q),
    stateAt: (v) => s.stateAt(v),
    outbox: s.outbox,
    close: () => s.close(),
  };
}

const bump = proc({ name: 'bump', inputs: ['domain.hot'], outputs: ['domain.hot'] }, (ctx: any) => {
  ctx.domain.hot += 1;
});

async function open(schema: string, o: { lock: boolean; vipAfter?: number; maxRetries?: number }): Promise<TheusEngine> {
  const store = postgresStore({ connectionString: PG_URL!, schema, pollMs: 50 });
  const e = await TheusEngine.open(
    { domain: { hot: 0, seen: -1 } },
    { storage: o.lock ? store : withoutLockPaths(store), vipAfter: o.vipAfter ?? 1000, maxRetries: o.maxRetries ?? 1000, backoffBaseMs: 1, backoffMaxMs: 4 },
  );
  engines.push(e);
  e.register(bump);
  return e;
}

/** A commit held back by a lane that was never released would hang: fail it instead. */
function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms: the lane was not released`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

interface Gate {
  readonly promise: Promise<void>;
  open(): void;
}
function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe.skipIf(!PG_URL)('postgres store: the priority lane across engines', () => {
  /**
   * Every attempt of `slow` reads domain.hot, and before it may finish another engine commits a
   * bump of domain.hot: without a lock across engines every attempt loses.
   */
  async function loserAgainstAnotherEngine(lock: boolean): Promise<{ result: Promise<unknown>; attempts: () => number; bumpsDuringVip: boolean[]; victim: TheusEngine; rival: TheusEngine }> {
    const schema = freshSchema();
    const victim = await open(schema, { lock, vipAfter: 2, maxRetries: 4 });
    const rival = await open(schema, { lock });
    let attempts = 0;
    const gates: Gate[] = [];
    const slow = proc({ name: 'slow', inputs: ['domain.hot'], outputs: ['domain.seen'] }, async (ctx: any) => {
      const g = gate();
      gates.push(g);
      attempts++;
      const hot = ctx.domain.hot as number;
      await g.promise;
      ctx.domain.seen = hot;
    });
    victim.register(slow);
    const bumpsDuringVip: boolean[] = [];
    let finished = false;
    const result = victim.execute('slow');
    result.then(
      () => (finished = true),
      () => (finished = true),
    );
    void (async () => {
      for (let i = 0; ; i++) {
        await until(() => gates.length > i || finished, `attempt ${i + 1}`);
        if (gates.length <= i) return;
        // The rival's commit lands before this attempt may end, unless a lock holds it back.
        let landed = false;
        const rivalCommit = rival.execute('bump').then(() => {
          landed = true;
        });
        const settled = await Promise.race([rivalCommit.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 300))]);
        bumpsDuringVip.push(settled && landed);
        gates[i]!.open();
        await rivalCommit.catch(() => undefined);
      }
    })();
    return { result, attempts: () => attempts, bumpsDuringVip, victim, rival };
  }

  it('a process that always loses to another engine succeeds once it holds the lane', { timeout: 30_000 }, async () => {
    const run = await loserAgainstAnotherEngine(true);
    await expect(run.result).resolves.toBeUndefined();
    // Two attempts lost (vipAfter), then the third ran under the lock: the rival's bump had to wait.
    expect(run.attempts()).toBe(3);
    expect(run.bumpsDuringVip).toEqual([true, true, false]);
    expect(run.victim.metrics().byProcess.slow).toMatchObject({ commits: 1, conflicts: 2, vipGrants: 1 });
    // The victim committed on the state with both earlier bumps; the held-back bump landed after.
    await until(() => run.victim.state.version === 4 && run.rival.state.version === 4, 'both engines at version 4');
    expect(run.victim.state.domain).toEqual({ hot: 3, seen: 2 });
    expect(run.rival.state.domain).toEqual({ hot: 3, seen: 2 });
    const processes: (string | null)[] = [];
    for await (const r of run.victim.history({})) processes.push(r.process);
    expect(processes).toEqual(['bump', 'bump', 'slow', 'bump']);
  });

  it('control: the same pattern without lockPaths exceeds maxRetries', { timeout: 30_000 }, async () => {
    const run = await loserAgainstAnotherEngine(false);
    const err = await run.result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(run.attempts()).toBe(5);
    expect(run.bumpsDuringVip.every(Boolean)).toBe(true);
    expect(run.victim.metrics().byProcess.slow).toMatchObject({ commits: 0, conflicts: 5, vipGrants: 1 });
  });

  /** Two engines bump domain.hot as fast as they can while a third runs a slow reader of it. */
  async function againstHotWriters(lock: boolean): Promise<{ outcome: unknown; victim: TheusEngine; bumps: number }> {
    const schema = freshSchema();
    const victim = await open(schema, { lock, vipAfter: 3, maxRetries: 6 });
    const writers = [await open(schema, { lock }), await open(schema, { lock })];
    const slow = proc({ name: 'slow', inputs: ['domain.hot'], outputs: ['domain.seen'] }, async (ctx: any) => {
      const hot = ctx.domain.hot as number;
      await new Promise((r) => setTimeout(r, 40));
      ctx.domain.seen = hot;
    });
    victim.register(slow);
    let stop = false;
    let bumps = 0;
    const loops = writers.flatMap((w) =>
      [0, 1].map(async () => {
        while (!stop) {
          await w.execute('bump');
          bumps++;
        }
      }),
    );
    await until(() => bumps >= 20, 'the writers to get going');
    const outcome = await victim.execute('slow').then(
      () => 'ok',
      (e: unknown) => e,
    );
    const atEnd = bumps;
    // The writers are not stuck behind a lane left held.
    await until(() => bumps >= atEnd + 20, 'the writers to carry on');
    stop = true;
    await Promise.all(loops);
    return { outcome, victim, bumps };
  }

  it('three engines: a slow reader of a hot path succeeds after vipAfter conflicts; without the lock it fails', { timeout: 60_000 }, async () => {
    const won = await againstHotWriters(true);
    expect(won.outcome).toBe('ok');
    expect(won.victim.metrics().byProcess.slow).toMatchObject({ commits: 1, vipGrants: 1 });
    expect(won.victim.metrics().byProcess.slow!.conflicts).toBeGreaterThanOrEqual(3);
    await Promise.all(engines.splice(0).map((e) => e.close()));

    const lost = await againstHotWriters(false);
    expect(lost.outcome).toBeInstanceOf(ConflictError);
    expect(lost.victim.metrics().byProcess.slow).toMatchObject({ commits: 0, conflicts: 7 });
  });

  it('the lane is released when the holder throws, and when its engine closes mid-run', { timeout: 30_000 }, async () => {
    const schema = freshSchema();
    const victim = await open(schema, { lock: true, vipAfter: 1, maxRetries: 5 });
    const rival = await open(schema, { lock: true });
    let attempts = 0;
    let hold: Gate | undefined = undefined;
    const fragile = proc({ name: 'fragile', inputs: ['domain.hot'], outputs: ['domain.seen'] }, async (ctx: any) => {
      attempts++;
      const hot = ctx.domain.hot as number;
      if (attempts === 1) await rival.execute('bump');
      else if (hold) await hold.promise;
      else throw new Error('boom');
      ctx.domain.seen = hot;
    });
    victim.register(fragile);
    // Attempt 1 loses to the rival, attempt 2 holds the lane and throws: the rival is not blocked.
    await expect(victim.execute('fragile')).rejects.toThrow('boom');
    await within(3000, rival.execute('bump'));
    expect(rival.state.domain.hot).toBe(2);

    // Holding the lane when its engine closes: the lock goes with it.
    attempts = 0;
    hold = gate();
    const run = victim.execute('fragile');
    run.catch(() => undefined);
    await until(() => attempts >= 2, 'the second attempt, under the lane');
    await victim.close();
    hold.open();
    await expect(run).rejects.toThrow();
    await within(3000, rival.execute('bump'));
    expect(rival.state.domain.hot).toBe(4);
  });
});
