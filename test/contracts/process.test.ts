import { describe, expect, it } from 'vitest';
import { SemanticType, StateUpdate, TheusEngine, defineProcess, isProcess, isStateUpdate, process } from '../../src/index.js';
import { throwsCode } from '../engine/helpers.js';

// Named from the variable they are assigned to (an inline arrow function has no name of its own).
export const transferFunds = process({ inputs: ['domain.accounts'], outputs: ['domain.accounts'] }, (ctx, args: { from: string; to: string; amount: number }) => {
  ctx.domain.accounts[args.from] -= args.amount;
  ctx.domain.accounts[args.to] = (ctx.domain.accounts[args.to] ?? 0) + args.amount;
});

const multiLine = process(
  {
    outputs: ['domain.n'],
  },
  () => 1,
);

const typedForm = process.for<{ domain: { n: number } }>()({ outputs: ['domain.n'] }, () => 2);

// Object-literal members are named from their key (plain, quoted, over several lines).
const processes = {
  openAccount: defineProcess({ outputs: ['domain.n'] }, () => 1),
  'closeAccount': defineProcess({ outputs: ['domain.n'] }, () => 2),
  audit:
    defineProcess(
      { outputs: ['domain.n'] },
      () => 3,
    ),
  typedMember: defineProcess.for<{ domain: { n: number } }>()({ outputs: ['domain.n'] }, () => 4),
};

// Two on one line, each named from its own binding.
const first = defineProcess({ outputs: ['domain.n'] }, () => 1), second = defineProcess({ outputs: ['domain.n'] }, () => 2);
const third = defineProcess({ outputs: ['domain.n'] }, () => 3); const fourth = defineProcess({ outputs: ['domain.n'] }, () => 4);

// The call on the line after `const x =`, and a typed factory with its type argument.
const nextLine =
  defineProcess({ outputs: ['domain.n'] }, () => 5);
const typed = defineProcess.for<{ domain: { n: number } }>();
const typedNextLine =
  typed({ outputs: ['domain.n'] }, () => 6);
function wrapped() {
  return defineProcess({ outputs: ['domain.n'] }, () => 6);
}
const fromWrapper = wrapped();

const awaited = await Promise.resolve(defineProcess({ outputs: ['domain.n'] }, () => 7));
let reassigned = defineProcess({ name: 'placeholder' }, () => 0);
reassigned = defineProcess({ outputs: ['domain.n'] }, () => 8);
const enabled = globalThis.Array.isArray([]);
const picked = enabled ? defineProcess({ outputs: ['domain.n'] }, () => 9) : undefined;

function namedFunction() {
  return 3;
}

describe('process(contract, fn)', () => {
  it('name: contract.name, else the function name, else the variable it is assigned to', () => {
    expect(process({ name: 'explicit' }, function ignored() {}).processName).toBe('explicit');
    expect(process({}, namedFunction).processName).toBe('namedFunction');
    expect(transferFunds.processName).toBe('transferFunds');
    expect(multiLine.processName).toBe('multiLine');
    expect(typedForm.processName).toBe('typedForm');
    const assignedLater = process({ outputs: ['domain.n'] }, () => 4);
    expect(assignedLater.processName).toBe('assignedLater');
    expect(transferFunds.name).toBe('transferFunds');
  });

  it('name inference: object members, several per line, the call on the next line', () => {
    expect(processes.openAccount.processName).toBe('openAccount');
    expect(processes.closeAccount.processName).toBe('closeAccount');
    expect(processes.audit.processName).toBe('audit');
    expect(processes.typedMember.processName).toBe('typedMember');
    expect([first.processName, second.processName, third.processName, fourth.processName]).toEqual(['first', 'second', 'third', 'fourth']);
    expect(nextLine.processName).toBe('nextLine');
    expect(typedNextLine.processName).toBe('typedNextLine');
    expect(reassigned.processName).toBe('reassigned');
  });

  it('name inference does not guess: arguments, wrapped calls and conditionals stay unnamed', () => {
    // A name would be wrong here (the variable names the wrapper's result, not the call).
    expect(awaited.processName).toBe('');
    expect(fromWrapper.processName).toBe('');
    expect(picked?.processName).toBe('');
    const list = [defineProcess({ outputs: ['domain.n'] }, () => 1)];
    expect(list[0]!.processName).toBe('');
    const engine = new TheusEngine({ domain: { n: 0 } });
    expect(() => engine.register(list[0]!)).toThrow(/name: /);
    // Two unnamed definitions on one line never borrow a neighbour's name.
    const pair = [defineProcess({}, () => 1), defineProcess({}, () => 2)];
    expect(pair.map((d) => d.processName)).toEqual(['', '']);
  });

  it('the same definition executes many times, and names survive hostile-looking keys', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } });
    for (let i = 0; i < 3; i++) await engine.execute(processes.openAccount);
    expect(engine.state.domain.n).toBe(1);
    const odd = { 'with space': defineProcess({ outputs: ['domain.n'] }, () => 1), constructor: defineProcess({ outputs: ['domain.n'] }, () => 2) };
    expect(odd['with space'].processName).toBe('with space');
    expect(odd.constructor.processName).toBe('constructor');
  });

  it('is a callable definition: calling it calls fn with (ctx, args)', () => {
    const seen: unknown[] = [];
    const def = process({ name: 'call' }, (ctx, args) => {
      seen.push(ctx, args);
      return 'r';
    });
    expect(def('C' as never, { a: 1 })).toBe('r');
    expect(seen).toEqual(['C', { a: 1 }]);
    expect(isProcess(def)).toBe(true);
    expect(isProcess(namedFunction)).toBe(false);
    expect(isProcess(null)).toBe(false);
    expect(Object.isFrozen(def)).toBe(true);
  });

  it('records the module that defined it (for worker threads)', () => {
    expect(transferFunds.moduleUrl).toMatch(/^file:\/\/.*process\.test\.ts$/);
  });

  it('refuses a non-object contract or a non-function body (INVALID_ARGUMENT) at definition', () => {
    for (const bad of [null, undefined, 'x', 1, ['domain.a']]) throwsCode(() => process(bad as never, () => 1), 'INVALID_ARGUMENT');
    for (const bad of [null, undefined, 'fn', {}, 1]) throwsCode(() => process({ name: 'x' }, bad as never), 'INVALID_ARGUMENT');
  });

  it('the named process runs on an engine by name', async () => {
    const engine = new TheusEngine({ domain: { accounts: { alice: 10 } } });
    engine.register(transferFunds);
    await engine.execute('transferFunds', { from: 'alice', to: 'bob', amount: 4 });
    expect(engine.state.domain.accounts).toEqual({ alice: 6, bob: 4 });
  });

  it('SemanticType is the enum-style spelling of the semantic strings', () => {
    expect(SemanticType).toEqual({ PURE: 'pure', EFFECT: 'effect', GUIDE: 'guide' });
    expect(Object.isFrozen(SemanticType)).toBe(true);
    const engine = new TheusEngine({ domain: { a: 1 } });
    engine.register(process({ name: 'p', inputs: ['domain.a'], semantic: SemanticType.PURE }, () => 1));
    expect(engine.contractOf('p')!.semantic).toBe('pure');
  });
});

describe('StateUpdate', () => {
  it('is callable with or without new, frozen and branded', () => {
    const a = StateUpdate({ data: { 'domain.x': 1 } });
    const b = new StateUpdate({ signal: { ping: true } });
    expect(isStateUpdate(a) && isStateUpdate(b)).toBe(true);
    expect(isStateUpdate({ data: {} })).toBe(false);
    expect(isStateUpdate(null)).toBe(false);
    expect(Object.isFrozen(a)).toBe(true);
    expect(a.data).toEqual({ 'domain.x': 1 });
  });

  it('refuses unknown sections and non-object sections', () => {
    for (const bad of [null, 1, 'x', [], { date: {} }, { data: 1 }, { data: [] }, { signal: null }, { heavy: 'h' }]) {
      throwsCode(() => StateUpdate(bad as never), 'INVALID_ARGUMENT');
    }
  });
});
