/**
 * `engine.audit`: the bounded log, inspect and stats, seen through the engine (API.md §7, REFERENCE.md §8.7).
 */
import { describe, expect, it } from 'vitest';
import { AuditBlockError, TheusEngine, TheusError, process } from '../../src/index.js';
import { expectTheus, thrownBy } from './fixtures/audit/support.js';

const pay = process({ name: 'pay', inputs: ['domain.total'], outputs: ['domain.total'] }, (ctx, args: { amount: number; memo?: string }) => {
  ctx.domain.total += args.amount;
});
const ship = process({ name: 'ship', outputs: ['domain.shipped'] }, (_ctx, args: { qty: number }) => args.qty);

const RECIPE = {
  audit: { threshold_max: 2 },
  process_recipes: {
    pay: {
      inputs: [
        { field: 'amount', max: 100, level: 'B', message: 'too much' },
        { field: 'memo', max_len: 5, level: 'C' },
      ],
      outputs: [{ field: 'domain.total', max: 1000, level: 'C' }],
      side_effects: ['ledger'],
      errors: ['RangeError'],
    },
    ship: { level: 'C', inputs: [{ field: 'qty', min: 1 }] },
  },
};

function makeEngine(options: { auditLogCapacity?: number } = {}): TheusEngine {
  const engine = new TheusEngine({ domain: { total: 0 } }, { auditRecipe: RECIPE, ...options });
  engine.register(pay).register(ship);
  return engine;
}

describe('engine.audit.log()', () => {
  it('records time, process, rule, level, value, action, version, message and count, oldest first', async () => {
    const engine = makeEngine();
    const t0 = Date.now();
    await engine.execute('pay', { amount: 150, memo: 'hello world' }); // amount (B, 1/2) and memo (C) fail
    await engine.execute('ship', { qty: 0 }); // C
    await engine.execute('pay', { amount: 5 });
    const t1 = Date.now();
    const entries = engine.audit.log();
    expect(entries.map((e) => [e.process, e.rule, e.level, e.value, e.action, e.version, e.count])).toEqual([
      ['pay', 'input:amount', 'B', 150, 'logged', 0, 1],
      ['pay', 'input:memo', 'C', 'hello world', 'logged', 0, 1],
      ['ship', 'input:qty', 'C', 0, 'logged', 1, 1],
    ]);
    for (const e of entries) {
      expect(e.time).toBeGreaterThanOrEqual(t0);
      expect(e.time).toBeLessThanOrEqual(t1);
      expect(Object.isFrozen(e)).toBe(true);
    }
    expect(entries[0]!.message).toContain('too much');
    expect(entries[1]!.message).toMatch(/length 11 > max_len 5/i);
    expect(() => {
      (entries[0] as { action: string }).action = 'blocked';
    }).toThrow(TypeError);
  });

  it('filters by process and level and keeps the newest `limit` entries', async () => {
    const engine = makeEngine();
    for (const qty of [0, -1, -2]) await engine.execute('ship', { qty });
    await engine.execute('pay', { amount: 101 });
    await engine.execute('pay', { amount: 102 });
    expect(engine.audit.log({ process: 'ship' }).map((e) => e.value)).toEqual([0, -1, -2]);
    expect(engine.audit.log({ process: 'ship', limit: 2 }).map((e) => e.value)).toEqual([-1, -2]);
    expect(engine.audit.log({ level: 'B' }).map((e) => e.value)).toEqual([101, 102]);
    expect(engine.audit.log({ process: 'pay', level: 'C' })).toEqual([]);
    expect(engine.audit.log({ limit: 0 })).toEqual([]);
    expect(engine.audit.log({ process: 'nobody' })).toEqual([]);
  });

  it('output rule entries carry the value the commit would write', async () => {
    const engine = makeEngine();
    await engine.execute('pay', { amount: 100 });
    for (let i = 0; i < 10; i++) await engine.execute('pay', { amount: 100 });
    const outputs = engine.audit.log({ process: 'pay' }).filter((e) => e.rule === 'output:domain.total');
    expect(outputs.map((e) => [e.value, e.version])).toEqual([[1100, 10]]);
    expect(engine.state.domain.total).toBe(1100); // level C: logged, committed anyway
  });

  it('refuses malformed filters with INVALID_ARGUMENT', () => {
    const engine = makeEngine();
    for (const bad of [{ level: 'X' }, { level: 'I' }, { limit: -1 }, { limit: 1.5 }, { process: 42 }]) {
      expectTheus(thrownBy(() => engine.audit.log(bad as never)), TheusError, 'INVALID_ARGUMENT');
    }
    expectTheus(thrownBy(() => engine.audit.log(null as never)), TheusError, 'INVALID_ARGUMENT');
  });
});

describe('ring buffer (auditLogCapacity)', () => {
  it('keeps the newest `capacity` entries; stats count every entry ever written', async () => {
    const engine = makeEngine({ auditLogCapacity: 5 });
    for (let qty = 0; qty > -8; qty--) await engine.execute('ship', { qty });
    const entries = engine.audit.log();
    expect(entries).toHaveLength(5);
    expect(entries.map((e) => e.count)).toEqual([4, 5, 6, 7, 8]);
    expect(entries.map((e) => e.value)).toEqual([-3, -4, -5, -6, -7]);
    expect(engine.audit.stats().totals.logEntries).toBe(8);
  });

  it('defaults to 1000 entries', async () => {
    const engine = makeEngine();
    for (let i = 0; i < 1005; i++) await engine.execute('ship', { qty: -i });
    const entries = engine.audit.log();
    expect(entries).toHaveLength(1000);
    expect(entries[0]!.value).toBe(-5);
  });

  it.each([0, -1, 2.5, 'ten', 10_000_000])('refuses auditLogCapacity %s at construction', (capacity) => {
    expectTheus(thrownBy(() => new TheusEngine({}, { auditRecipe: RECIPE, auditLogCapacity: capacity as number })), TheusError, 'INVALID_ARGUMENT');
  });
});

describe('engine.audit.inspect()', () => {
  it('shows a process’s effective rules with inherited settings resolved', () => {
    const engine = makeEngine();
    const pay = engine.audit.inspect('pay')!;
    expect(pay).toMatchObject({ process: 'pay', level: 'B', maxThreshold: 2, minThreshold: 0, resetOnSuccess: true, sideEffects: ['ledger'], errors: ['RangeError'] });
    expect(pay.inputs.map((r) => [r.id, r.field, r.level, r.maxThreshold, r.conditions])).toEqual([
      ['input:amount', 'amount', 'B', 2, { max: 100 }],
      ['input:memo', 'memo', 'C', 2, { maxLen: 5 }],
    ]);
    expect(pay.outputs.map((r) => [r.id, r.field, r.level])).toEqual([['output:domain.total', 'domain.total', 'C']]);
    expect(pay.inputs[0]!.source).toContain('process_recipes.pay.inputs[0]');
    expect(engine.audit.inspect('ship')?.inputs[0]).toMatchObject({ level: 'C', field: 'qty' });
  });

  it('returns undefined for a process without an entry and refuses a non-string name', () => {
    const engine = makeEngine();
    expect(engine.audit.inspect('nobody')).toBeUndefined();
    expectTheus(thrownBy(() => engine.audit.inspect(7 as never)), TheusError, 'INVALID_ARGUMENT');
  });
});

describe('engine.audit.stats()', () => {
  it('counts successes, failures, violations and actions per process and in total', async () => {
    const engine = makeEngine();
    await engine.execute('pay', { amount: 1 });
    for (let i = 0; i < 3; i++) await engine.execute('pay', { amount: 200 }).catch(() => undefined);
    await engine.execute('ship', { qty: 0 });
    const stats = engine.audit.stats();
    expect(stats.stopped).toBe(false);
    const pay = stats.processes.find((p) => p.process === 'pay')!;
    expect(pay).toMatchObject({ successes: 3, failures: 0 });
    expect(pay.rules.find((r) => r.rule === 'input:amount')).toEqual({ rule: 'input:amount', field: 'amount', level: 'B', count: 3, violations: 3 });
    expect(stats.totals).toMatchObject({ violations: 4, blocks: 1, aborts: 0, stops: 0, successes: 4, failures: 0, logEntries: 4 });
  });

  it('reset() zeroes current counters but keeps lifetime violations and the log', async () => {
    const engine = makeEngine();
    for (let i = 0; i < 3; i++) await engine.execute('pay', { amount: 500 }).catch(() => undefined);
    engine.audit.reset();
    const amount = engine.audit.stats().processes.find((p) => p.process === 'pay')!.rules.find((r) => r.rule === 'input:amount')!;
    expect(amount).toMatchObject({ count: 0, violations: 3 });
    expect(engine.audit.log()).toHaveLength(3);
    // The counter restarts: two more violations pass before the block.
    await engine.execute('pay', { amount: 500 });
    await engine.execute('pay', { amount: 500 });
    await expect(engine.execute('pay', { amount: 500 })).rejects.toBeInstanceOf(AuditBlockError);
  });

  it('an engine without a recipe reports an empty, well-formed audit', async () => {
    const engine = new TheusEngine({ domain: {} });
    await engine.execute(process({ name: 'free', outputs: ['domain.x'] }, () => 1));
    expect(engine.audit.log()).toEqual([]);
    expect(engine.audit.inspect('free')).toBeUndefined();
    expect(engine.audit.stopped).toBe(false);
    expect(engine.audit.stats()).toEqual({
      stopped: false,
      processes: [],
      totals: { violations: 0, warnings: 0, blocks: 0, aborts: 0, stops: 0, successes: 0, failures: 0, logEntries: 0 },
    });
    engine.audit.reset();
  });
});
