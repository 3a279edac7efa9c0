/**
 * A worker's delta meets the same rules as any other route (it once wrote a namespace declared
 * `update: false` that the same process, not parallel, could not).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PermissionDeniedError, TheusEngine } from '../../src/index.js';
import { plog, pconst, pns } from './fixtures/parallel-transfer.js';

const engine = new TheusEngine(
  { domain: { cfg: { const_k: 1 }, log_ops: ['a'] } },
  { workers: { maxThreads: 1, minThreads: 1 }, namespaces: { ledger: { update: false, initial: { total: 1 } } } },
);
afterAll(() => engine.close());

describe('parallel processes obey the one rule table', { timeout: 120_000 }, () => {
  it.each([
    ['const_ inside a replaced parent', pconst, /const_/],
    ["namespace 'ledger' { update: false }", pns, /namespace 'ledger'/],
    ['log_ rewritten by a returned value', plog, /append-only/],
  ])('%s → ILLEGAL_WRITE, nothing committed', async (_label, def, mentions) => {
    const before = engine.state;
    const err = (await engine.execute(def).catch((e: unknown) => e)) as PermissionDeniedError;
    expect(err).toMatchObject({ code: 'ILLEGAL_WRITE' });
    expect(err.message).toMatch(mentions);
    expect(engine.state).toBe(before);
  });
});
