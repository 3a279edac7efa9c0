import { describe, expect, it } from 'vitest';
import { ParallelPool } from '../../src/parallel/index.js';

describe('a pool starts nothing until its first task', () => {
  it('has no threads after construction, closes at once, and refuses work after close', async () => {
    const pool = new ParallelPool({ maxThreads: 2, minThreads: 1 });
    expect(pool.stats()).toMatchObject({ threads: 0, queued: 0, pending: 0, closed: false });
    await pool.close();
    expect(pool.stats()).toMatchObject({ threads: 0, closed: true });
    await expect(pool.run({ module: new URL('./fixtures/tasks.mjs', import.meta.url), exportName: 'add', payload: { a: 1, b: 1 } })).rejects.toMatchObject({ code: 'ENGINE_CLOSED' });
  });

  it('still validates its options at construction', () => {
    expect(() => new ParallelPool({ maxThreads: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
