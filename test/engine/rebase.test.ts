import { describe, expect, it } from 'vitest';
import { TheusEngine, process } from '../../src/index.js';

// A commit whose snapshot is older than the current state, but whose paths nobody else touched,
// is replayed on the newer state (not retried). These cover the shapes its ops can take.
describe('replaying a non-conflicting commit on a newer state', () => {
  it('array pushes, pops, splices and deep edits inside array elements land next to a concurrent commit elsewhere', async () => {
    const engine = new TheusEngine({ domain: { items: [{ x: 1 }, { x: 2 }, { x: 3 }], tail: [1, 2, 3], count: 0, tags: new Map([['a', 1]]) } });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = process({ name: 'slow', outputs: ['domain.items', 'domain.tail', 'domain.tags'] }, async (ctx) => {
      ctx.domain.items[1].x = 20;
      ctx.domain.items.push({ x: 4 });
      ctx.domain.items.splice(0, 1);
      ctx.domain.tail.pop();
      ctx.domain.tags.set('b', 2);
      await gate;
    });
    const fast = process({ name: 'fast', inputs: ['domain.count'], outputs: ['domain.count'] }, (ctx) => {
      ctx.domain.count = ctx.domain.count + 1;
    });
    const running = engine.execute(slow);
    await engine.execute(fast);
    release();
    await running;
    expect(engine.state.domain.items).toEqual([{ x: 20 }, { x: 3 }, { x: 4 }]);
    expect(engine.state.domain.tail).toEqual([1, 2]);
    expect([...engine.state.domain.tags]).toEqual([['a', 1], ['b', 2]]);
    expect(engine.state.domain.count).toBe(1);
    expect(engine.state.version).toBe(2);
    expect(engine.metrics().retries).toBe(0);
    await engine.close();
  });

  it('a concurrent edit of the same array is a conflict, re-run on the fresh array (no lost element)', async () => {
    const engine = new TheusEngine({ domain: { items: [1] } });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let runs = 0;
    const slow = process({ name: 'slowPush', outputs: ['domain.items'] }, async (ctx) => {
      runs++;
      ctx.domain.items.push('slow');
      await gate;
    });
    const fast = process({ name: 'fastPush', outputs: ['domain.items'] }, (ctx) => {
      ctx.domain.items.push('fast');
    });
    const running = engine.execute(slow);
    await engine.execute(fast);
    release();
    await running;
    expect(engine.state.domain.items).toEqual([1, 'fast', 'slow']);
    expect(runs).toBe(2);
    await engine.close();
  });
});
