// What the recorder holds and listens to: engines of a process-wide inspector are let go when they
// close and bounded in number; the attempt channel is followed only while a retry may come.
import { afterEach, describe, expect, it } from 'vitest';
import { TheusEngine, process as defineProcess } from '../../src/index.js';
import { attemptChannel, commitChannel, executeChannel } from '../../src/engine/channels.js';
import { MAX_ENGINES, Recorder } from '../../src/inspect/recorder.js';

const bump = defineProcess({ name: 'bump', inputs: ['domain.n'], outputs: ['domain.n'] }, (ctx: any) => {
  ctx.domain.n += 1;
});
const slowBump = defineProcess({ name: 'slowBump', inputs: ['domain.n'], outputs: ['domain.n'] }, async (ctx: any) => {
  const n = ctx.domain.n;
  await new Promise((r) => setTimeout(r, 5));
  ctx.domain.n = n + 1;
});
const fail = defineProcess({ name: 'fail', inputs: [], outputs: ['domain.n'] }, () => {
  throw new RangeError('no');
});

let recorder: Recorder | undefined;
const engines: TheusEngine[] = [];
afterEach(async () => {
  recorder?.stop();
  recorder = undefined;
  await Promise.all(engines.splice(0).map((e) => e.close()));
});
function make(): TheusEngine {
  const e = new TheusEngine({ domain: { n: 0 } }, { maxRetries: 5 });
  engines.push(e);
  e.register(bump);
  e.register(slowBump);
  e.register(fail);
  return e;
}

describe('a process-wide recorder', () => {
  it('lets go of an engine when it closes, and its late events do not bring it back', async () => {
    recorder = new Recorder();
    recorder.start();
    const [a, b] = [make(), make()];
    await a.execute('bump');
    await b.execute('bump');
    expect([...recorder.tracks.keys()].sort()).toEqual([a.engineId, b.engineId].sort());
    await a.close();
    expect([...recorder.tracks.keys()]).toEqual([b.engineId]);
    commitChannel.publish({ engineId: a.engineId, version: 9, baseVersion: 8, process: 'bump', route: 'execute', executionId: null, ops: [], signals: [], outbox: 0, at: Date.now() });
    expect(recorder.tracks.has(a.engineId)).toBe(false);
  });

  it('follows a bounded number of engines, letting the idlest go first', async () => {
    recorder = new Recorder();
    recorder.start();
    const first = make();
    const rest = Array.from({ length: MAX_ENGINES + 2 }, () => make());
    for (const e of rest) await e.execute('bump');
    expect(recorder.tracks.size).toBe(MAX_ENGINES);
    expect(recorder.tracks.has(first.engineId)).toBe(false);
    expect(recorder.tracks.has(rest.at(-1)!.engineId)).toBe(true);
  });
});

describe('what the recorder listens to', () => {
  it('records a failure without execute events built for successful calls', async () => {
    const engine = make();
    recorder = new Recorder({ engine });
    recorder.start();
    expect([executeChannel.start.hasSubscribers, executeChannel.end.hasSubscribers, executeChannel.error.hasSubscribers]).toEqual([false, false, true]);
    await engine.execute('bump');
    await expect(engine.execute('fail')).rejects.toThrow(RangeError);
    const kinds = [...recorder.ring.since(0)].map(([, r]) => r.kind);
    expect(kinds).toEqual(['commit', 'failure']);
    const failure = recorder.ring.get(1) as { executionId: string; process: string; error: unknown };
    expect(failure.process).toBe('fail');
    expect(failure.executionId).toMatch(new RegExp(`^${engine.engineId}:\\d+$`));
    expect(failure.error).toBeInstanceOf(RangeError);
  });

  it('follows attempts only while an execution that lost a conflict may retry, and records its retries', async () => {
    const engine = make();
    recorder = new Recorder({ engine });
    recorder.start();
    await engine.execute('bump');
    expect(recorder.followsAttempts).toBe(false);
    expect(attemptChannel.start.hasSubscribers).toBe(false);
    await Promise.all([engine.execute('slowBump'), engine.execute('slowBump'), engine.execute('slowBump')]);
    expect(engine.state.domain.n).toBe(4);
    const recs = [...recorder.ring.since(0)].map(([, r]) => r);
    const conflicts = recs.filter((r) => r.kind === 'conflict');
    const retries = recs.filter((r) => r.kind === 'retry') as { executionId: string; attempt: number }[];
    expect(conflicts.length).toBeGreaterThan(0);
    expect(retries.length).toBe(conflicts.length);
    for (const c of conflicts as { executionId: string; attempt: number }[]) expect(retries).toContainEqual(expect.objectContaining({ executionId: c.executionId, attempt: c.attempt + 1 }));
    // Every execution settled: the attempt channel is left alone again.
    expect(recorder.followsAttempts).toBe(false);
    expect(attemptChannel.start.hasSubscribers).toBe(false);
  });
});
