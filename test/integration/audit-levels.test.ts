/**
 * Audit levels and thresholds through the engine (API.md §7, REFERENCE.md §8.3–8.5): every level × threshold
 * combination, reset_on_success, process failures counted on `<exception>`, and the input gate running once,
 * before the first attempt.
 */
import { describe, expect, it } from 'vitest';
import { AuditAbortError, AuditBlockError, AuditStopError, ContractViolationError, TheusEngine, process } from '../../src/index.js';
import { expectTheus, rejection } from './fixtures/audit/support.js';

type Outcome = 'ok' | 'S' | 'A' | 'B' | 'other';

/** A process guarded by one input rule `score >= 0`; it counts its runs so commits are visible. */
function probeEngine(rule: Record<string, unknown>, globals: Record<string, unknown> = {}, processSettings: Record<string, unknown> = {}) {
  let bodyRuns = 0;
  const probe = process({ name: 'probe', inputs: ['domain.runs'], outputs: ['domain.runs'] }, (ctx) => {
    bodyRuns++;
    ctx.domain.runs += 1;
  });
  const engine = new TheusEngine(
    { domain: { runs: 0 } },
    { auditRecipe: { audit: globals, process_recipes: { probe: { ...processSettings, inputs: [{ field: 'score', min: 0, ...rule }] } } } },
  );
  engine.register(probe);
  const call = async (score: number): Promise<Outcome> => {
    try {
      await engine.execute('probe', { score });
      return 'ok';
    } catch (e) {
      if (e instanceof AuditStopError) return 'S';
      if (e instanceof AuditAbortError) return 'A';
      if (e instanceof AuditBlockError) return 'B';
      return 'other';
    }
  };
  const fails = async (n: number): Promise<Outcome[]> => {
    const out: Outcome[] = [];
    for (let i = 0; i < n; i++) out.push(await call(-1));
    return out;
  };
  return { engine, call, fails, bodyRuns: () => bodyRuns };
}

const actions = (engine: TheusEngine) => engine.audit.log({ process: 'probe' }).map((e) => e.action);

describe('levels × thresholds (a level acts when its count exceeds max_threshold)', () => {
  it.each([
    // [description, rule, globals, outcomes of consecutive violations]
    ['B inherits the default threshold 3: the 4th violation blocks', { level: 'B' }, {}, ['ok', 'ok', 'ok', 'B', 'B']],
    ['B with max_threshold 1: the 2nd blocks', { level: 'B', max_threshold: 1 }, {}, ['ok', 'B', 'B']],
    ['B with max_threshold 0: the 1st blocks', { level: 'B', max_threshold: 0 }, {}, ['B', 'B']],
    ['B inherits a global threshold_max 2', {}, { threshold_max: 2 }, ['ok', 'ok', 'B']],
    ['A acts on the first violation without a threshold of its own', { level: 'A' }, { threshold_max: 50 }, ['A', 'A']],
    ['A with max_threshold 2: the 3rd aborts', { level: 'A', max_threshold: 2 }, {}, ['ok', 'ok', 'A']],
    ['C never acts, even with max_threshold 0', { level: 'C', max_threshold: 0 }, {}, ['ok', 'ok', 'ok', 'ok', 'ok']],
    ['global level A applies to rules without a level, on the first violation', {}, { level: 'Abort', threshold_max: 9 }, ['A']],
    ['global level C applies to rules without a level', {}, { level: 'Count', threshold_max: 0 }, ['ok', 'ok']],
  ] as const)('%s', async (_label, rule, globals, expected) => {
    const { engine, fails } = probeEngine(rule, globals);
    expect(await fails(expected.length)).toEqual(expected);
    // Only runs that were not acted on reached the body and committed.
    expect(engine.state.domain.runs).toBe(expected.filter((o) => o === 'ok').length);
  });

  it('S acts on the first violation (the global threshold_max is for B only) and stops the engine', async () => {
    const { engine, fails, call } = probeEngine({ level: 'S' }, { threshold_max: 100 });
    expect(await fails(1)).toEqual(['S']);
    expect(await call(5)).toBe('S'); // a passing call is refused too: the engine is stopped
    expect(engine.state.domain.runs).toBe(0);
    engine.audit.reset();
    expect(await call(5)).toBe('ok');
  });

  it('S with max_threshold 2 acts on the 3rd violation', async () => {
    const { engine, fails, call } = probeEngine({ level: 'S', max_threshold: 2 });
    expect(await fails(3)).toEqual(['ok', 'ok', 'S']);
    expect(engine.audit.stopped).toBe(true);
    expect(await call(1)).toBe('S');
    expect(engine.state.domain.runs).toBe(2);
  });

  it('A rolls back this call only: the engine keeps running', async () => {
    const { engine, fails, call } = probeEngine({ level: 'A' });
    expect(await fails(1)).toEqual(['A']);
    expect(engine.audit.stopped).toBe(false);
    expect(await call(3)).toBe('ok');
    expect(engine.state.domain.runs).toBe(1);
  });

  it('dual threshold min 2 / max 5: silent, then warned from the 2nd, the 6th blocks', async () => {
    const { engine, fails } = probeEngine({ level: 'B', min_threshold: 2, max_threshold: 5 });
    expect(await fails(6)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'B']);
    expect(actions(engine)).toEqual(['logged', 'warned', 'warned', 'warned', 'warned', 'blocked']);
    const warned = engine.audit.log({ process: 'probe' })[1]!;
    expect(warned.message).toMatch(/approaching threshold \(2\/5\)/i);
    expect(engine.audit.stats().totals).toMatchObject({ violations: 6, warnings: 4, blocks: 1 });
  });

  it('C with a warning threshold warns but never acts', async () => {
    const { engine, fails } = probeEngine({ level: 'C', min_threshold: 2 });
    expect(await fails(4)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(actions(engine)).toEqual(['logged', 'warned', 'warned', 'warned']);
  });

  it('a global threshold_min warns for every rule that inherits it', async () => {
    const { engine, fails } = probeEngine({}, { threshold_min: 1, threshold_max: 2 });
    expect(await fails(3)).toEqual(['ok', 'ok', 'B']);
    expect(actions(engine)).toEqual(['warned', 'warned', 'blocked']);
  });

  it('process-level settings are inherited by its rules', async () => {
    const { engine, fails } = probeEngine({}, { level: 'B' }, { level: 'C', max_threshold: 0 });
    expect(await fails(3)).toEqual(['ok', 'ok', 'ok']);
    expect(engine.audit.inspect('probe')?.inputs[0]).toMatchObject({ level: 'C', maxThreshold: 0 });
  });
});

describe('reset_on_success', () => {
  it('on (default): a passing check resets that rule’s counter', async () => {
    const { engine, call } = probeEngine({ level: 'B', max_threshold: 2 });
    const seq = [-1, -1, 1, -1, -1, -1];
    const out: Outcome[] = [];
    for (const s of seq) out.push(await call(s));
    expect(out).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'B']);
    expect(engine.audit.log({ process: 'probe' }).map((e) => e.count)).toEqual([1, 2, 1, 2, 3]);
  });

  it('off ("flaky detector"): failures keep counting across successes', async () => {
    const { call } = probeEngine({ level: 'B', max_threshold: 2, reset_on_success: false });
    const out: Outcome[] = [];
    for (const s of [-1, 1, -1, 1, -1]) out.push(await call(s));
    expect(out).toEqual(['ok', 'ok', 'ok', 'ok', 'B']);
  });

  it('off globally is inherited; a rule can turn it back on', async () => {
    const off = probeEngine({ level: 'B', max_threshold: 1 }, { reset_on_success: false });
    expect([await off.call(-1), await off.call(1), await off.call(-1)]).toEqual(['ok', 'ok', 'B']);
    const on = probeEngine({ level: 'B', max_threshold: 1, reset_on_success: true }, { reset_on_success: false });
    expect([await on.call(-1), await on.call(1), await on.call(-1)]).toEqual(['ok', 'ok', 'ok']);
  });
});

describe('input gate', () => {
  it('runs before the process: a blocked call never enters the body', async () => {
    const { fails, bodyRuns } = probeEngine({ level: 'B', max_threshold: 0 });
    await fails(3);
    expect(bodyRuns()).toBe(0);
  });

  it('reads nested args by dotted field and skips rules whose field is absent or null', async () => {
    const noop = process({ name: 'noop', outputs: ['domain.seen'] }, (_ctx, args: unknown) => JSON.stringify(args));
    const engine = new TheusEngine(
      { domain: {} },
      { auditRecipe: { process_recipes: { noop: { inputs: [{ field: 'meta.channel', neq: 'blocked', level: 'B', max_threshold: 0 }] } } } },
    );
    engine.register(noop);
    await engine.execute('noop', {});
    await engine.execute('noop', { meta: null });
    await engine.execute('noop', { meta: { channel: null } });
    await engine.execute('noop', { meta: { channel: 'web' } });
    await expect(engine.execute('noop', { meta: { channel: 'blocked' } })).rejects.toBeInstanceOf(AuditBlockError);
    expect(engine.state.version).toBe(4);
    // Inherited properties never pose as arguments.
    await engine.execute('noop', Object.create({ meta: { channel: 'blocked' } }) as Record<string, unknown>);
    expect(engine.audit.log()).toHaveLength(1);
  });

  it('is checked once per execute, not again when a conflict re-runs the process', async () => {
    let attempts = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slow = process({ name: 'slow', inputs: ['domain.n'], outputs: ['domain.n'] }, async (ctx) => {
      attempts++;
      const n = ctx.domain.n;
      if (attempts === 1) await held;
      ctx.domain.n = n + 1;
    });
    const engine = new TheusEngine({ domain: { n: 0 } }, { auditRecipe: { process_recipes: { slow: { inputs: [{ field: 'tag', regex: '^ok', level: 'C' }] } } } });
    engine.register(slow);
    const run = engine.execute('slow', { tag: 'bad' });
    while (attempts === 0) await new Promise((r) => setImmediate(r));
    engine.edit((ctx) => {
      ctx.domain.n = 10;
    });
    release();
    await run;
    expect(attempts).toBe(2);
    expect(engine.state.domain.n).toBe(11);
    expect(engine.audit.log({ process: 'slow' })).toHaveLength(1);
  });
});

describe('process failures count on <exception>', () => {
  function throwerEngine(settings: Record<string, unknown>) {
    const thrower = process({ name: 'thrower', outputs: ['domain.ok'] }, (_ctx, args: { fail: boolean }) => {
      if (args.fail) throw new RangeError('bad input');
      return true;
    });
    const engine = new TheusEngine({ domain: {} }, { auditRecipe: { process_recipes: { thrower: settings } } });
    engine.register(thrower);
    return engine;
  }

  it('a throwing process is counted; past the threshold the audit error replaces the business error (with it as cause)', async () => {
    const engine = throwerEngine({ level: 'B', max_threshold: 1 });
    expect(await rejection(engine.execute('thrower', { fail: true }))).toBeInstanceOf(RangeError);
    const block = expectTheus(await rejection(engine.execute('thrower', { fail: true })), AuditBlockError, 'AUDIT_BLOCK');
    expect(block.rule).toBe('<exception>');
    expect(block.cause).toBeInstanceOf(RangeError);
    expect(engine.state.version).toBe(0);
    const [first, second] = engine.audit.log({ process: 'thrower' });
    expect(first).toMatchObject({ rule: '<exception>', level: 'B', action: 'logged', count: 1 });
    expect(String(first!.value)).toContain('RangeError: bad input');
    expect(second).toMatchObject({ action: 'blocked', count: 2 });
    expect(engine.audit.stats().processes.find((p) => p.process === 'thrower')).toMatchObject({ failures: 2, successes: 0 });
  });

  it('a successful run resets the process counter (reset_on_success on), or not (off)', async () => {
    const on = throwerEngine({ level: 'B', max_threshold: 1 });
    await rejection(on.execute('thrower', { fail: true }));
    await on.execute('thrower', { fail: false });
    expect(await rejection(on.execute('thrower', { fail: true }))).toBeInstanceOf(RangeError);

    const off = throwerEngine({ level: 'B', max_threshold: 1, reset_on_success: false });
    await rejection(off.execute('thrower', { fail: true }));
    await off.execute('thrower', { fail: false });
    expect(await rejection(off.execute('thrower', { fail: true }))).toBeInstanceOf(AuditBlockError);
    expect(off.audit.stats().processes.find((p) => p.process === 'thrower')).toMatchObject({ failures: 2, successes: 1 });
  });

  it('a process with level S stops the engine on its first throw', async () => {
    const engine = throwerEngine({ level: 'S' });
    const stop = expectTheus(await rejection(engine.execute('thrower', { fail: true })), AuditStopError, 'AUDIT_STOP');
    expect(stop.cause).toBeInstanceOf(RangeError);
    await expect(engine.execute('thrower', { fail: false })).rejects.toBeInstanceOf(AuditStopError);
  });

  it('a failure of commit preparation (undeclared output) is counted; with level C the contract error propagates', async () => {
    const sloppy = process({ name: 'sloppy', outputs: ['domain.a', 'domain.b'] }, () => ({ 'domain.zzz': 1 }));
    const engine = new TheusEngine({ domain: {} }, { auditRecipe: { process_recipes: { sloppy: { level: 'C' } } } });
    engine.register(sloppy);
    for (let i = 0; i < 3; i++) expect(await rejection(engine.execute('sloppy'))).toBeInstanceOf(ContractViolationError);
    const entries = engine.audit.log({ process: 'sloppy' });
    expect(entries.map((e) => [e.rule, e.level, e.action, e.count])).toEqual([
      ['<exception>', 'C', 'logged', 1],
      ['<exception>', 'C', 'logged', 2],
      ['<exception>', 'C', 'logged', 3],
    ]);
  });

  it('audit errors are not counted again as process failures', async () => {
    const { engine, fails } = probeEngine({ level: 'B', max_threshold: 0 });
    await fails(2);
    const probe = engine.audit.stats().processes.find((p) => p.process === 'probe')!;
    expect(probe.failures).toBe(0);
    expect(probe.rules.find((r) => r.rule === '<exception>')?.count).toBe(0);
  });
});

describe('processes the recipe does not name', () => {
  it('keep their own errors however often they throw: only named processes are audited', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } }, { auditRecipe: { process_recipes: { other: { inputs: [{ field: 'x', min: 0, level: 'B' }] } } } });
    const other = process({ name: 'other' }, () => undefined);
    const flaky = process({ name: 'flaky', outputs: ['domain.n'] }, () => {
      throw new RangeError('business');
    });
    engine.register(other);
    engine.register(flaky);
    for (let i = 0; i < 10; i++) await expect(engine.execute('flaky')).rejects.toBeInstanceOf(RangeError);
    expect(engine.audit.stats().processes.find((p) => p.process === 'flaky')).toBeUndefined();
  });
});
