import { describe, expect, it } from 'vitest';
import { AuditSystem, AuditRecipeError, EXCEPTION_RULE, describeConditions, parseAuditRecipe } from '../../src/audit/index.js';
import type { AuditAction, AuditLevel } from '../../src/audit/index.js';
import { AuditAbortError, AuditBlockError, AuditStopError, TheusError } from '../../src/errors.js';
import { P_TRANSFER_RULES } from '../fixtures/reference-examples.js';

/** What the engine does around one execution (REFERENCE §8.5), without an engine. */
function execute(audit: AuditSystem, process: string, args: unknown, version = 1): void {
  audit.assertRunning();
  audit.checkInputs(process, args, version);
  audit.recordSuccess(process, version);
}

function outcome(fn: () => void): string {
  try {
    fn();
    return 'ok';
  } catch (error) {
    if (error instanceof TheusError) return error.code;
    throw error;
  }
}

const INC_012 = `
audit:
  level: "Block"
  threshold_max: 100
  reset_on_success: true
process_recipes:
${P_TRANSFER_RULES}  p_critical:
    inputs:
      - field: "server"
        neq: "DANGER"
        level: "S"
`;

describe('INC-012: recipe rules are wired and per-rule levels honoured', () => {
  it('p_transfer(amount=50) runs once; the second call raises AuditBlockError', () => {
    const audit = new AuditSystem(parseAuditRecipe(INC_012));
    expect(outcome(() => execute(audit, 'p_transfer', { amount: 50, dest: 'UserA' }))).toBe('ok');
    let error: unknown;
    try {
      execute(audit, 'p_transfer', { amount: 50, dest: 'UserA' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AuditBlockError);
    expect((error as AuditBlockError).process).toBe('p_transfer');
    expect((error as AuditBlockError).rule).toBe('input:amount');
    expect((error as Error).message).toContain('Amount must be >= 100');
  });

  it('ten calls with dest="Admin" (level C) never raise and count 10', () => {
    const audit = new AuditSystem(parseAuditRecipe(INC_012));
    for (let i = 0; i < 10; i++) expect(outcome(() => execute(audit, 'p_transfer', { amount: 500, dest: 'Admin' }))).toBe('ok');
    const dest = audit.stats().processes.find((p) => p.process === 'p_transfer')?.rules.find((r) => r.rule === 'input:dest');
    expect(dest).toMatchObject({ level: 'C', count: 10, violations: 10 });
  });

  it('p_critical(server="DANGER") raises AuditStopError on the first call and the system stays stopped until reset()', () => {
    const audit = new AuditSystem(parseAuditRecipe(INC_012));
    expect(() => execute(audit, 'p_critical', { server: 'DANGER' })).toThrow(AuditStopError);
    expect(audit.stopped).toBe(true);
    expect(() => execute(audit, 'p_transfer', { amount: 500, dest: 'UserA' })).toThrow(AuditStopError);
    expect(() => audit.checkInputs('p_transfer', { amount: 500 }, 1)).toThrow(AuditStopError);
    expect(() => audit.checkOutputs('p_transfer', () => undefined, 1)).toThrow(/audit\.reset\(\)/);
    audit.reset();
    expect(audit.stopped).toBe(false);
    expect(outcome(() => execute(audit, 'p_critical', { server: 'SAFE' }))).toBe('ok');
  });

  it('the same B behaviour when the recipe is given as an object', () => {
    const audit = new AuditSystem({ audit: { threshold_max: 100 }, process_recipes: { p_transfer: { inputs: [{ field: 'amount', min: 100, level: 'B', max_threshold: 1 }] } } });
    expect(outcome(() => execute(audit, 'p_transfer', { amount: 50 }))).toBe('ok');
    expect(outcome(() => execute(audit, 'p_transfer', { amount: 50 }))).toBe('AUDIT_BLOCK');
  });
});

function systemWithRule(rule: Record<string, unknown>, globals: Record<string, unknown> = {}): AuditSystem {
  return new AuditSystem({ audit: globals, process_recipes: { p: { inputs: [{ field: 'v', ...rule }] } } });
}

describe('rule kinds: each condition passes and fails as documented', () => {
  const cases: [string, Record<string, unknown>, unknown[], [unknown, RegExp][]][] = [
    ['min', { min: 100 }, [100, 1e9, 100n], [[99, /Value 99 < min 100/], ['abc', /not a number/], [true, /not a number/], [Number.NaN, /not a number/]]],
    ['max', { max: 10 }, [10, -5], [[11, /Value 11 > max 10/], ['1', /not a number/]]],
    ['eq string', { eq: 'ok' }, ['ok'], [['no', /Value 'no' != 'ok'/], [1, /!= 'ok'/]]],
    ['eq number', { eq: 5 }, [5], [['5', /Value '5' != 5/]]],
    ['eq boolean', { eq: true }, [true], [[false, /Value false != true/]]],
    ['neq', { neq: 'DANGER' }, ['SAFE', 0], [['DANGER', /== 'DANGER' \(forbidden\)/]]],
    ['min_len', { min_len: 2 }, ['ab', [1, 2], { a: 1, b: 2 }, new Set([1, 2]), new Uint8Array(2)], [['a', /Length 1 < min_len 2/], [[], /Length 0/], [5, /has no length/]]],
    ['max_len', { max_len: 3 }, ['abc', new Map([[1, 1]])], [['abcd', /Length 4 > max_len 3/], [new Set([1, 2, 3, 4]), /Length 4/]]],
    ['regex anchored at the start', { regex: 'User' }, ['UserA', 'User'], [['xUser', /failed regex 'User'/], [42, /not a string/], ['U'.repeat(10_001), /too long/]]],
    ['several conditions, first failure reported', { min: 0, max: 10, neq: 5 }, [0, 10, 7], [[-1, /< min 0/], [11, /> max 10/], [5, /forbidden/]]],
  ];

  it.each(cases)('%s', (_name, rule, passing, failing) => {
    const audit = systemWithRule({ ...rule, level: 'C' });
    for (const v of passing) audit.checkInputs('p', { v }, 1);
    expect(audit.log()).toEqual([]);
    for (const [v, text] of failing) {
      audit.checkInputs('p', { v }, 1);
      expect(audit.log({ limit: 1 })[0]?.message).toMatch(text);
    }
    expect(audit.log()).toHaveLength(failing.length);
  });

  it('missing, null and inherited (non-own) values skip the rule', () => {
    const audit = new AuditSystem({ process_recipes: { p: { inputs: [{ field: 'v', min: 1, level: 'S' }, { field: 'toString', eq: 'x', level: 'S' }] } } });
    for (const args of [{}, { v: null }, { v: undefined }, undefined, null, 42, 'str']) audit.checkInputs('p', args, 1);
    expect(audit.stopped).toBe(false);
  });

  it('dotted fields read nested args', () => {
    const audit = new AuditSystem({ process_recipes: { p: { inputs: [{ field: 'user.age', min: 18, level: 'B', max_threshold: 0 }] } } });
    expect(outcome(() => audit.checkInputs('p', { user: { age: 30 } }, 1))).toBe('ok');
    expect(outcome(() => audit.checkInputs('p', { user: { age: 10 } }, 1))).toBe('AUDIT_BLOCK');
    expect(outcome(() => audit.checkInputs('p', { user: 'x' }, 1))).toBe('ok');
  });

  it('processes without rules are not checked', () => {
    const audit = systemWithRule({ min: 1, level: 'S' });
    audit.checkInputs('other', { v: -1 }, 1);
    audit.checkOutputs('other', () => -1, 1);
    expect(audit.stopped).toBe(false);
  });
});

describe('levels × thresholds', () => {
  type Row = [label: string, level: AuditLevel, thresholds: Record<string, number>, actions: AuditAction[]];
  const rows: Row[] = [
    ['B inherits the global threshold 3: 4th failure blocks', 'B', {}, ['logged', 'logged', 'logged', 'blocked', 'blocked']],
    ['B threshold 2: 3rd blocks', 'B', { max_threshold: 2 }, ['logged', 'logged', 'blocked']],
    ['B threshold 0: first failure blocks', 'B', { max_threshold: 0 }, ['blocked', 'blocked']],
    ['B dual 2/5: warns from the 2nd, 6th blocks', 'B', { min_threshold: 2, max_threshold: 5 }, ['logged', 'warned', 'warned', 'warned', 'warned', 'blocked']],
    ['A without own threshold: first failure aborts', 'A', {}, ['aborted', 'aborted']],
    ['A threshold 1: 2nd aborts', 'A', { max_threshold: 1 }, ['logged', 'aborted']],
    ['S without own threshold: first failure stops', 'S', {}, ['stopped']],
    ['S threshold 2, warn 1', 'S', { max_threshold: 2, min_threshold: 1 }, ['warned', 'warned', 'stopped']],
    ['C never acts, warns from min_threshold', 'C', { min_threshold: 3 }, ['logged', 'logged', 'warned', 'warned', 'warned']],
  ];
  const codeOf: Record<AuditAction, string> = { logged: 'ok', warned: 'ok', blocked: 'AUDIT_BLOCK', aborted: 'AUDIT_ABORT', stopped: 'AUDIT_STOP' };

  it.each(rows)('%s', (_label, level, thresholds, actions) => {
    const audit = systemWithRule({ min: 0, level, ...thresholds }, { threshold_max: 3 });
    actions.forEach((action, i) => {
      expect(outcome(() => audit.checkInputs('p', { v: -1 }, 10 + i))).toBe(codeOf[action]);
      const entry = audit.log({ limit: 1 })[0];
      expect(entry).toMatchObject({ process: 'p', rule: 'input:v', level, value: -1, action, version: 10 + i, count: i + 1 });
      if (action === 'warned') expect(entry?.message).toMatch(/^WARNING: approaching threshold/);
    });
  });

  it('the error classes carry process, rule and value', () => {
    const audit = systemWithRule({ min: 0, level: 'A' });
    try {
      audit.checkInputs('p', { v: -3 }, 1);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AuditAbortError);
      expect(error).toMatchObject({ code: 'AUDIT_ABORT', process: 'p', rule: 'input:v' });
    }
  });

  it('every rule of a call is counted, then the most severe action is thrown', () => {
    const audit = new AuditSystem({
      process_recipes: {
        p: {
          inputs: [
            { field: 'a', min: 0, level: 'B', max_threshold: 0 },
            { field: 'b', min: 0, level: 'S' },
            { field: 'c', min: 0, level: 'A' },
            { field: 'd', min: 0, level: 'C' },
          ],
        },
      },
    });
    expect(outcome(() => audit.checkInputs('p', { a: -1, b: -1, c: -1, d: -1 }, 1))).toBe('AUDIT_STOP');
    expect(audit.log().map((e) => e.action)).toEqual(['blocked', 'stopped', 'aborted', 'logged']);
  });
});

describe('reset_on_success and process failures', () => {
  it('with reset_on_success a passing check resets the rule counter (consecutive failures)', () => {
    const audit = systemWithRule({ min: 0, level: 'B', max_threshold: 2 });
    for (let round = 0; round < 3; round++) {
      expect(outcome(() => audit.checkInputs('p', { v: -1 }, 1))).toBe('ok');
      expect(outcome(() => audit.checkInputs('p', { v: -1 }, 1))).toBe('ok');
      audit.checkInputs('p', { v: 1 }, 1);
    }
    expect(outcome(() => audit.checkInputs('p', { v: -1 }, 1))).toBe('ok');
  });

  it('without reset_on_success ("flaky detector") interleaved successes keep counting 1, 2, 3; the 4th failure blocks', () => {
    const audit = systemWithRule({ min: 0 }, { threshold_max: 3, reset_on_success: false });
    const results: string[] = [];
    for (let i = 0; i < 4; i++) {
      results.push(outcome(() => execute(audit, 'p', { v: -1 })));
      results.push(outcome(() => execute(audit, 'p', { v: 1 })));
    }
    expect(results).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'AUDIT_BLOCK', 'ok']);
  });

  it('recordSuccess does not reset rule counters: violations still accumulate across successful runs (INC-012, §8.5.4)', () => {
    const audit = systemWithRule({ min: 18, level: 'B', max_threshold: 2 });
    expect([0, 1, 2].map(() => outcome(() => execute(audit, 'p', { v: 10 })))).toEqual(['ok', 'ok', 'AUDIT_BLOCK']);
  });

  it('a process that throws counts on <exception> with the process level; the audit error replaces it, with the cause', () => {
    const audit = new AuditSystem({ audit: { threshold_max: 2 }, process_recipes: {} });
    const boom = new RangeError('bad thing');
    expect(outcome(() => audit.recordFailure('anything', boom, 1))).toBe('ok');
    expect(outcome(() => audit.recordFailure('anything', boom, 2))).toBe('ok');
    let thrown: unknown;
    try {
      audit.recordFailure('anything', boom, 3);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AuditBlockError);
    expect((thrown as Error).cause).toBe(boom);
    expect((thrown as AuditBlockError).rule).toBe(EXCEPTION_RULE);
    expect(audit.log({ limit: 1 })[0]).toMatchObject({ rule: EXCEPTION_RULE, value: 'RangeError: bad thing', action: 'blocked', version: 3 });
    // A success resets the process counter (reset_on_success defaults to true).
    audit.recordSuccess('anything', 4);
    expect(outcome(() => audit.recordFailure('anything', boom, 5))).toBe('ok');
    const stats = audit.stats().processes.find((p) => p.process === 'anything');
    expect(stats).toMatchObject({ successes: 1, failures: 4 });
  });

  it('audit errors passed to recordFailure are not counted again; per-process level applies to <exception>', () => {
    const audit = new AuditSystem({ process_recipes: { p: { level: 'S', inputs: [] } } });
    audit.recordFailure('p', new AuditBlockError('x', { process: 'p', rule: 'r' }), 1);
    expect(audit.log()).toEqual([]);
    expect(() => audit.recordFailure('p', 'plain string failure', 2)).toThrow(AuditStopError);
    expect(audit.stopped).toBe(true);
  });
});

describe('output rules', () => {
  const audit = () =>
    new AuditSystem({ process_recipes: { p: { outputs: [{ field: 'domain.balance', max: 5000, level: 'B', max_threshold: 0, message: 'Balance limit exceeded' }] } } });

  it('read the values the commit would write through the engine reader; unwritten paths are skipped', () => {
    const a = audit();
    expect(a.outputPaths('p')).toEqual(['domain.balance']);
    expect(a.outputPaths('nope')).toEqual([]);
    const asked: string[] = [];
    const reader = (values: Record<string, unknown>) => (p: string) => {
      asked.push(p);
      return values[p];
    };
    expect(outcome(() => a.checkOutputs('p', reader({ 'domain.balance': 4000 }), 1))).toBe('ok');
    expect(outcome(() => a.checkOutputs('p', reader({}), 1))).toBe('ok');
    expect(outcome(() => a.checkOutputs('p', reader({ 'domain.balance': 6000 }), 1))).toBe('AUDIT_BLOCK');
    expect(asked).toEqual(['domain.balance', 'domain.balance', 'domain.balance']);
    expect(a.log()[0]?.message).toBe('Balance limit exceeded (Value 6000 > max 5000)');
  });

  it('a non-function reader is refused', () => {
    expect(outcome(() => audit().checkOutputs('p', 'x' as unknown as () => unknown, 1))).toBe('INVALID_ARGUMENT');
  });
});

describe('log, inspect, stats, verifyProcesses', () => {
  it('the log is a bounded ring, oldest first, with process / level / limit filters', () => {
    let clock = 1000;
    const audit = new AuditSystem(
      { process_recipes: { a: { inputs: [{ field: 'v', min: 0, level: 'C' }] }, b: { inputs: [{ field: 'v', min: 0, level: 'B', max_threshold: 100 }] } } },
      { logCapacity: 3, now: () => clock++ },
    );
    for (let i = 1; i <= 5; i++) audit.checkInputs(i % 2 === 0 ? 'b' : 'a', { v: -i }, i);
    const all = audit.log();
    expect(all.map((e) => e.value)).toEqual([-3, -4, -5]);
    expect(all.map((e) => e.time)).toEqual([1002, 1003, 1004]);
    expect(audit.log({ process: 'a' }).map((e) => e.value)).toEqual([-3, -5]);
    expect(audit.log({ level: 'B' }).map((e) => e.value)).toEqual([-4]);
    expect(audit.log({ limit: 2 }).map((e) => e.value)).toEqual([-4, -5]);
    expect(audit.log({ limit: 0 })).toEqual([]);
    expect(Object.isFrozen(all[0])).toBe(true);
    expect(audit.stats().totals.logEntries).toBe(5);
  });

  it('log() refuses bad filters', () => {
    const audit = new AuditSystem({ process_recipes: {} });
    for (const bad of [{ limit: -1 }, { limit: 1.5 }, { level: 'X' }, { level: 'b' }, { process: 3 }]) {
      expect(outcome(() => audit.log(bad as never))).toBe('INVALID_ARGUMENT');
    }
    expect(outcome(() => audit.log(null as never))).toBe('INVALID_ARGUMENT');
  });

  it('inspect shows effective rules with inherited settings', () => {
    const audit = new AuditSystem(parseAuditRecipe(INC_012));
    const view = audit.inspect('p_transfer');
    expect(view).toMatchObject({ process: 'p_transfer', level: 'B', maxThreshold: 100, minThreshold: 0, resetOnSuccess: true });
    expect(view?.inputs.map((r) => [r.id, r.level, r.maxThreshold, r.message])).toEqual([
      ['input:amount', 'B', 1, 'Amount must be >= 100'],
      ['input:dest', 'C', 100, undefined],
    ]);
    expect(audit.inspect('p_critical')?.inputs[0]).toMatchObject({ level: 'S', maxThreshold: 0, conditions: { neq: 'DANGER' } });
    expect(audit.inspect('unknown')).toBeUndefined();
    expect(describeConditions({ min: 1, maxLen: 5, regex: '^U', eq: null })).toEqual(['min=1', 'eq=null', 'max_len=5', 'regex="^U"']);
    expect(outcome(() => audit.inspect(3 as unknown as string))).toBe('INVALID_ARGUMENT');
  });

  it('stats reports counters per process and rule, and totals; reset zeroes counters but keeps totals', () => {
    const audit = new AuditSystem(parseAuditRecipe(INC_012));
    execute(audit, 'p_transfer', { amount: 50, dest: 'Admin' });
    outcome(() => execute(audit, 'p_transfer', { amount: 50, dest: 'Admin' }));
    outcome(() => execute(audit, 'p_critical', { server: 'DANGER' }));
    const stats = audit.stats();
    expect(stats.stopped).toBe(true);
    expect(stats.totals).toMatchObject({ violations: 5, blocks: 1, stops: 1, aborts: 0, successes: 1 });
    expect(stats.processes.find((p) => p.process === 'p_transfer')?.rules).toEqual([
      { rule: 'input:amount', field: 'amount', level: 'B', count: 2, violations: 2 },
      { rule: 'input:dest', field: 'dest', level: 'C', count: 2, violations: 2 },
      { rule: EXCEPTION_RULE, field: EXCEPTION_RULE, level: 'B', count: 0, violations: 0 },
    ]);
    audit.reset();
    const after = audit.stats();
    expect(after.stopped).toBe(false);
    expect(after.processes.flatMap((p) => p.rules.map((r) => r.count)).every((c) => c === 0)).toBe(true);
    expect(after.totals.violations).toBe(5);
    // Counting starts over: the B rule with threshold 1 passes once more.
    expect(outcome(() => execute(audit, 'p_transfer', { amount: 50, dest: 'UserB' }))).toBe('ok');
  });

  it('verifyProcesses under strict rejects recipe entries for unregistered processes, at the entry position', () => {
    const audit = new AuditSystem(parseAuditRecipe(INC_012, { file: 'audit.yaml' }), { strict: true });
    audit.verifyProcesses(['p_transfer', 'p_critical', 'extra']);
    try {
      audit.verifyProcesses(new Set(['p_transfer']));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AuditRecipeError);
      expect(error).toMatchObject({ file: 'audit.yaml', line: 17, column: 3, keyPath: 'process_recipes.p_critical' });
      expect((error as Error).message).toMatch(/'p_critical'.*no process of that name is registered/);
    }
    expect(outcome(() => audit.verifyProcesses(undefined as unknown as string[]))).toBe('INVALID_ARGUMENT');
  });

  it('constructor options and recipes are validated', () => {
    expect(outcome(() => new AuditSystem({ process_recipes: {} }, { logCapacity: 0 }))).toBe('INVALID_ARGUMENT');
    expect(outcome(() => new AuditSystem({ process_recipes: {} }, { logCapacity: 1e9 }))).toBe('INVALID_ARGUMENT');
    expect(outcome(() => new AuditSystem({ process_recipes: {} }, { now: 5 as unknown as () => number }))).toBe('INVALID_ARGUMENT');
    expect(outcome(() => new AuditSystem({ process_recipes: { p: { inputs: [{ field: 'x' }] } } }))).toBe('AUDIT_RECIPE');
  });
});
