/**
 * The edges a newcomer meets first: replacing a ctx root, a leaked ctx after the process ended,
 * namespace policy messages, a process defined inline per request, and an engine and its parallel
 * processes in one module.
 */
import { describe, expect, it } from 'vitest';
import { ContractViolationError, PermissionDeniedError, process } from '../../src/index.js';
import { rejectsCode, trackedEngines } from './helpers.js';

const make = trackedEngines();

describe('ctx misuse gets a typed error that says what to do', () => {
  it('ctx.domain = {…} → PermissionDeniedError ILLEGAL_WRITE, not a raw TypeError', async () => {
    const engine = make({ domain: { a: 1 } });
    for (const root of ['domain', 'global', 'heavy', 'meta', 'signal']) {
      const p = process({ name: `replace_${root}`, outputs: ['domain'] }, (ctx) => {
        (ctx as unknown as Record<string, unknown>)[root] = {};
      });
      const err = await rejectsCode(engine.execute(p), 'ILLEGAL_WRITE', PermissionDeniedError);
      expect(err.message).toContain(`ctx.${root}.key = value`);
    }
    expect(engine.state.version).toBe(0);
  });

  it('a leaked ctx.signal (or ctx.outbox) used after the process ended → STALE_REFERENCE', async () => {
    const engine = make({ domain: {} });
    let leaked: any;
    await engine.execute(process({ name: 'leak', outputs: ['signal.x'] }, (ctx) => void (leaked = ctx)));
    expect(() => (leaked.signal.x = 1)).toThrow(expect.objectContaining({ code: 'STALE_REFERENCE' }));
    expect(() => leaked.outbox.add('t', 1)).toThrow(expect.objectContaining({ code: 'STALE_REFERENCE' }));
    expect(() => leaked.domain).toThrow(expect.objectContaining({ code: 'STALE_REFERENCE' }));
  });

  it('namespace policy errors name the namespace and its policy', async () => {
    const engine = make({}, { namespaces: { ledger: { update: false, delete: false, initial: { total: 1, rows: [1] } }, vault: { read: false } } });
    const upd = process({ name: 'upd', outputs: ['ledger.total'] }, (ctx) => void (ctx.ns('ledger').total = 2));
    const err = await rejectsCode(engine.execute(upd), 'ILLEGAL_WRITE');
    expect(err.message).toContain("namespace 'ledger'");
    expect(err.message).toContain('update: false');
    expect(err.message).not.toContain('data zone');
    const read = process({ name: 'read', inputs: ['vault.k'] }, (ctx) => ctx.ns('vault').k);
    const r = await rejectsCode(engine.execute(read), 'ILLEGAL_READ');
    expect(r.message).toContain("namespace 'vault'");
    expect(r.message).toContain('read: false');
    // Appending is allowed by this policy.
    await engine.execute(process({ name: 'app', outputs: ['ledger.rows'] }, (ctx) => void ctx.ns('ledger').rows.push(2)));
    expect(engine.state.get('ledger')).toEqual({ total: 1, rows: [1, 2] });
  });
});

describe('process definitions', () => {
  it('the same definition executes any number of times', async () => {
    const engine = make({ domain: { n: 0 } });
    const inc = process({ name: 'inc', inputs: ['domain.n'], outputs: ['domain.n'] }, (ctx) => void (ctx.domain.n += 1));
    for (let i = 0; i < 3; i++) await engine.execute(inc);
    expect(engine.state.domain.n).toBe(3);
  });

  it('a process defined inline per request (same name, same contract) runs its new function each time', async () => {
    const engine = make({ domain: { last: '' } });
    const handle = (who: string) => engine.execute(process({ name: 'greet', outputs: ['domain.last'] }, (ctx) => void (ctx.domain.last = who)));
    await handle('a');
    await handle('b');
    await handle('c');
    expect(engine.state.domain.last).toBe('c');
    expect(engine.processes()).toEqual(['greet']);
  });

  it('a different contract under a registered name is refused, naming both', async () => {
    const engine = make({ domain: { a: 0, b: 0 } });
    await engine.execute(process({ name: 'clash', outputs: ['domain.a'] }, () => 1));
    const err = await rejectsCode(engine.execute(process({ name: 'clash', outputs: ['domain.b'] }, () => 1)), 'CONTRACT_VIOLATION', ContractViolationError);
    expect(err.message).toContain('domain.a');
    expect(err.message).toContain('domain.b');
    expect(() => engine.register(process({ name: 'clash', outputs: ['domain.b'] }, () => 1))).toThrow(ContractViolationError);
  });
});

describe('an engine and its parallel processes in the same module', () => {
  it('fails at once with ENGINE_IN_WORKER, telling the user to move the parallel processes out', async () => {
    const mod = await import('./fixtures/engine-and-parallel.js');
    try {
      const err = await rejectsCode(mod.engine.execute('sameModuleJob'), 'ENGINE_IN_WORKER');
      expect(err.message).toMatch(/own module/);
      expect(mod.engine.state.version).toBe(0);
    } finally {
      await mod.engine.close();
    }
  }, 60_000);
});
