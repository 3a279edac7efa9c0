/**
 * The audit output gate through the engine (API.md §7, REFERENCE.md §8.5 and §15.2 item 4): output rules read the
 * values the commit would write, whatever wrote them — proxy mutation, return-value mapping or a StateUpdate — and a
 * rule that acts rejects the whole commit: state, version and signals stay untouched.
 */
import { describe, expect, it } from 'vitest';
import { AuditBlockError, StateUpdate, TheusEngine, process, type ProcessDefinition } from '../../src/index.js';
import { expectTheus, expectUntouched, recordSignals, rejection, snapshotOf } from './fixtures/audit/support.js';

const LIMIT_RULE = [{ field: 'domain.balance', max: 5000, level: 'B', max_threshold: 0, message: 'Balance limit exceeded' }];

const viaProxy = process({ name: 'viaProxy', outputs: ['domain.balance', 'signal.paid'] }, (ctx, args: { value: number }) => {
  ctx.domain.balance = args.value;
  ctx.signal.paid = { value: args.value };
});

const viaReturn = process({ name: 'viaReturn', outputs: ['domain.balance', 'signal.paid'] }, (_ctx, args: { value: number }) => [args.value, { value: args.value }]);

const viaStateUpdate = process({ name: 'viaStateUpdate', outputs: ['domain.balance', 'signal.paid'] }, (_ctx, args: { value: number }) =>
  StateUpdate({ data: { 'domain.balance': args.value }, signal: { paid: { value: args.value } } }),
);

const viaNestedStateUpdate = process({ name: 'viaNestedStateUpdate', outputs: ['domain.balance', 'signal.paid'] }, (_ctx, args: { value: number }) =>
  StateUpdate({ data: { domain: { balance: args.value } }, signal: { paid: { value: args.value } } }),
);

const viaSingleReturn = process({ name: 'viaSingleReturn', outputs: ['domain.balance'] }, (_ctx, args: { value: number }) => args.value);

function engineFor(def: ProcessDefinition): TheusEngine {
  const engine = new TheusEngine({ domain: { balance: 100, other: 0 } }, { auditRecipe: { process_recipes: { [def.processName]: { outputs: LIMIT_RULE } } } });
  engine.register(def);
  return engine;
}

describe.each([
  ['proxy mutation', viaProxy],
  ['return-value mapping (array)', viaReturn],
  ['StateUpdate (dotted keys)', viaStateUpdate],
  ['StateUpdate (nested objects)', viaNestedStateUpdate],
])('output rule on a value written by %s', (_how, def) => {
  it('blocks the commit: state, version and signals untouched', async () => {
    const engine = engineFor(def);
    const signals = recordSignals(engine);
    const before = snapshotOf(engine);
    const err = expectTheus(await rejection(engine.execute(def, { value: 9000 })), AuditBlockError, 'AUDIT_BLOCK');
    expect(err.rule).toBe('output:domain.balance');
    expect(err.message).toContain('Balance limit exceeded');
    expectUntouched(engine, before);
    await new Promise((r) => setImmediate(r));
    expect(signals).toEqual([]);
    // The output gate runs once per execution (the original ran it twice and counted 2).
    const entries = engine.audit.log({ process: def.processName });
    expect(entries).toHaveLength(1);
    // The entry names the state the check ran against, not the version the refused commit would have taken.
    expect(entries[0]).toMatchObject({ rule: 'output:domain.balance', value: 9000, action: 'blocked', level: 'B', version: 0 });
  });

  it('lets a passing value commit and publish its signal (the positive control)', async () => {
    const engine = engineFor(def);
    const signals = recordSignals(engine);
    await engine.execute(def, { value: 4000 });
    expect(engine.state.domain.balance).toBe(4000);
    expect(engine.state.version).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(signals.map((m) => [m.topic, m.payload, m.version])).toEqual([['paid', { value: 4000 }, 1]]);
    expect(engine.audit.log()).toEqual([]);
  });
});

it('a single-output return value is checked too', async () => {
  const engine = engineFor(viaSingleReturn);
  await expect(engine.execute(viaSingleReturn, { value: 5001 })).rejects.toBeInstanceOf(AuditBlockError);
  expect(engine.state.domain.balance).toBe(100);
  await engine.execute(viaSingleReturn, { value: 5000 });
  expect(engine.state.domain.balance).toBe(5000);
});

it('a rule on a nested field sees it when the commit replaces its parent object', async () => {
  const replaceAccount = process({ name: 'replaceAccount', outputs: ['domain.account'] }, (_ctx, args: { balance: number }) => ({ owner: 'alice', balance: args.balance }));
  const engine = new TheusEngine(
    { domain: { account: { owner: 'alice', balance: 1 } } },
    { auditRecipe: { process_recipes: { replaceAccount: { outputs: [{ field: 'domain.account.balance', min: 0, level: 'B', max_threshold: 0 }] } } } },
  );
  engine.register(replaceAccount);
  const before = snapshotOf(engine);
  await expect(engine.execute(replaceAccount, { balance: -5 })).rejects.toBeInstanceOf(AuditBlockError);
  expectUntouched(engine, before);
  await engine.execute(replaceAccount, { balance: 7 });
  expect(engine.state.domain.account).toEqual({ owner: 'alice', balance: 7 });
});

it('an output rule on a path the commit does not write is skipped, even when the stored value violates it', async () => {
  const touchOther = process({ name: 'touchOther', outputs: ['domain.other', 'domain.balance'] }, (ctx) => {
    ctx.domain.other = 1;
  });
  const engine = new TheusEngine({ domain: { balance: 999_999, other: 0 } }, { auditRecipe: { process_recipes: { touchOther: { outputs: LIMIT_RULE } } } });
  engine.register(touchOther);
  await engine.execute(touchOther);
  await engine.execute(touchOther, {});
  expect(engine.state.domain.other).toBe(1);
  expect(engine.state.version).toBe(1); // the second run wrote the same value: no-op commit
  expect(engine.audit.log()).toEqual([]);
  expect(engine.audit.stats().processes.find((p) => p.process === 'touchOther')?.rules.find((r) => r.rule === 'output:domain.balance')?.count).toBe(0);
});

it('an output rule of one process does not fire on another process writing the same path', async () => {
  const other = process({ name: 'unaudited', outputs: ['domain.balance'] }, () => 9000);
  const engine = engineFor(viaProxy);
  engine.register(other);
  await engine.execute(other);
  expect(engine.state.domain.balance).toBe(9000);
  expect(engine.audit.log()).toEqual([]);
});
