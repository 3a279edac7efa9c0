/**
 * INC-012 through the real engine (REFERENCE.md §8.2, §13 core/INC-012): recipe rules are wired into execute(),
 * per-rule levels and thresholds are honoured, whether the recipe comes from a YAML file or an object, and whether
 * strict guards are on or off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditAbortError, AuditBlockError, AuditStopError, TheusEngine, process, type EngineOptions } from '../../src/index.js';
import { expectTheus, rejection, tempDir } from './fixtures/audit/support.js';
import { P_TRANSFER_OUTPUTS, P_TRANSFER_RULES } from '../fixtures/reference-examples.js';

/** The recipe of REFERENCE §8.2 with INC-012's global threshold of 100, plus the `p_critical` interlock. */
const RECIPE_YAML = `
audit:
  level: "Block"
  threshold_max: 100
  threshold_min: 0
  reset_on_success: true

process_recipes:
${P_TRANSFER_RULES}${P_TRANSFER_OUTPUTS}  p_critical:
    inputs:
      - field: "server"
        neq: "DANGER"
        level: "S"
        message: "Never touch the DANGER server"
`;

const RECIPE_OBJECT = {
  audit: { level: 'Block', threshold_max: 100, threshold_min: 0, reset_on_success: true },
  process_recipes: {
    p_transfer: {
      inputs: [
        { field: 'amount', min: 100, level: 'B', max_threshold: 1, message: 'Amount must be >= 100' },
        { field: 'dest', regex: '^User.*', level: 'C' },
      ],
      outputs: [{ field: 'domain.balance', max: 5000, message: 'Balance limit exceeded' }],
      side_effects: ['database'],
      errors: ['ValueError'],
    },
    p_critical: {
      inputs: [{ field: 'server', neq: 'DANGER', level: 'S', message: 'Never touch the DANGER server' }],
    },
  },
};

const p_transfer = process({ name: 'p_transfer', inputs: ['domain.balance'], outputs: ['domain.balance', 'domain.transfers'] }, (ctx, args: { amount: number; dest: string }) => {
  ctx.domain.balance += args.amount;
  ctx.domain.transfers = [...(ctx.domain.transfers ?? []), args.dest];
});

const p_critical = process({ name: 'p_critical', outputs: ['domain.servers'] }, (ctx, args: { server: string }) => {
  ctx.domain.servers = [...(ctx.domain.servers ?? []), args.server];
});

function makeEngine(auditRecipe: EngineOptions['auditRecipe'], options: EngineOptions = {}): TheusEngine {
  const engine = new TheusEngine({ domain: { balance: 1000, transfers: [], servers: [] } }, { auditRecipe, ...options });
  engine.register(p_transfer).register(p_critical);
  return engine;
}

let files: Awaited<ReturnType<typeof tempDir>>;
let recipeFile: string;

beforeAll(async () => {
  files = await tempDir('theus-audit-inc012-');
  recipeFile = await files.write('audit_recipe.yaml', RECIPE_YAML);
});

afterAll(async () => {
  await files.cleanup();
});

const forms: [string, () => EngineOptions['auditRecipe']][] = [
  ['YAML file', () => recipeFile],
  ['object', () => RECIPE_OBJECT],
];

describe.each(forms)('INC-012 with the recipe as a %s', (_form, recipe) => {
  it('B rule with max_threshold 1: the first violation runs and commits, the second raises AuditBlockError and commits nothing', async () => {
    const engine = makeEngine(recipe());
    await engine.execute('p_transfer', { amount: 50, dest: 'UserA' });
    expect(engine.state.version).toBe(1);
    expect(engine.state.domain.balance).toBe(1050);
    expect(engine.state.domain.transfers).toEqual(['UserA']);

    const before = engine.state;
    const err = expectTheus(await rejection(engine.execute('p_transfer', { amount: 50, dest: 'UserA' })), AuditBlockError, 'AUDIT_BLOCK');
    expect(err.process).toBe('p_transfer');
    expect(err.rule).toBe('input:amount');
    expect(err.message).toContain('Amount must be >= 100');
    expect(engine.state).toBe(before);
    expect(engine.state.version).toBe(1);
    expect(engine.state.domain.balance).toBe(1050);

    // Counters are not reset by a block: the third violation blocks again.
    await expect(engine.execute('p_transfer', { amount: 50, dest: 'UserA' })).rejects.toBeInstanceOf(AuditBlockError);
    const amount = engine.audit.stats().processes.find((p) => p.process === 'p_transfer')?.rules.find((r) => r.rule === 'input:amount');
    expect(amount).toMatchObject({ level: 'B', count: 3, violations: 3 });
    expect(engine.audit.log({ process: 'p_transfer', level: 'B' }).map((e) => e.action)).toEqual(['logged', 'blocked', 'blocked']);
  });

  it('C rule: ten calls with dest "Admin" never raise, all commit, and each one is counted and logged', async () => {
    const engine = makeEngine(recipe());
    for (let i = 0; i < 10; i++) await engine.execute('p_transfer', { amount: 150, dest: 'Admin' });
    expect(engine.state.version).toBe(10);
    expect(engine.state.domain.balance).toBe(1000 + 10 * 150);
    const dest = engine.audit.stats().processes.find((p) => p.process === 'p_transfer')?.rules.find((r) => r.rule === 'input:dest');
    expect(dest).toMatchObject({ level: 'C', count: 10, violations: 10 });
    const entries = engine.audit.log({ process: 'p_transfer', level: 'C' });
    expect(entries).toHaveLength(10);
    expect(entries.every((e) => e.action === 'logged' && e.value === 'Admin' && e.rule === 'input:dest')).toBe(true);
    expect(entries.map((e) => e.version)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('S rule: p_critical("DANGER") stops at once; every execute of any process refuses until audit.reset()', async () => {
    const engine = makeEngine(recipe());
    const stop = expectTheus(await rejection(engine.execute('p_critical', { server: 'DANGER' })), AuditStopError, 'AUDIT_STOP');
    expect(stop.message).toMatch(/stop/i);
    expect(stop.process).toBe('p_critical');
    expect(engine.state.version).toBe(0);
    expect(engine.audit.stopped).toBe(true);

    // A perfectly valid call of another process, and of the same one, is refused while stopped.
    const refused = expectTheus(await rejection(engine.execute('p_transfer', { amount: 500, dest: 'UserB' })), AuditStopError, 'AUDIT_STOP');
    expect(refused.message).toContain('reset');
    await expect(engine.execute('p_critical', { server: 'web-1' })).rejects.toBeInstanceOf(AuditStopError);
    expect(engine.state.version).toBe(0);
    expect(engine.audit.stats().stopped).toBe(true);

    engine.audit.reset();
    expect(engine.audit.stopped).toBe(false);
    await engine.execute('p_critical', { server: 'web-1' });
    await engine.execute('p_transfer', { amount: 500, dest: 'UserB' });
    expect(engine.state.domain.servers).toEqual(['web-1']);
    expect(engine.state.version).toBe(2);
    // The stop is logged with its action; refused calls are not violations and are not logged.
    expect(engine.audit.log({ level: 'S' }).map((e) => [e.process, e.action, e.value])).toEqual([['p_critical', 'stopped', 'DANGER']]);
  });

  it('the same B behaviour holds with strictGuards: false (audit is independent of guards)', async () => {
    const engine = makeEngine(recipe(), { strictGuards: false });
    await engine.execute('p_transfer', { amount: 50, dest: 'UserA' });
    await expect(engine.execute('p_transfer', { amount: 50, dest: 'UserA' })).rejects.toBeInstanceOf(AuditBlockError);
    expect(engine.state.version).toBe(1);
    await expect(engine.execute('p_critical', { server: 'DANGER' })).rejects.toBeInstanceOf(AuditStopError);
  });

  it('the output rule checks the committed balance and inherits level B with the global threshold of 100, so it only counts here', async () => {
    const engine = makeEngine(recipe());
    await engine.execute('p_transfer', { amount: 4500, dest: 'UserA' });
    expect(engine.state.domain.balance).toBe(5500);
    // Global threshold_max 100: the output rule (inherits level B) only counts for now.
    const balance = engine.audit.stats().processes.find((p) => p.process === 'p_transfer')?.rules.find((r) => r.rule === 'output:domain.balance');
    expect(balance).toMatchObject({ level: 'B', count: 1 });
    expect(engine.audit.inspect('p_transfer')?.outputs[0]).toMatchObject({ field: 'domain.balance', level: 'B', maxThreshold: 100 });
  });
});

it('an audit error is never one of the other audit classes (B is not A, S is not B)', async () => {
  const engine = makeEngine(RECIPE_OBJECT);
  await engine.execute('p_transfer', { amount: 50, dest: 'UserA' });
  const block = await rejection(engine.execute('p_transfer', { amount: 50, dest: 'UserA' }));
  expect(block).not.toBeInstanceOf(AuditAbortError);
  expect(block).not.toBeInstanceOf(AuditStopError);
  const stop = await rejection(engine.execute('p_critical', { server: 'DANGER' }));
  expect(stop).not.toBeInstanceOf(AuditBlockError);
});
