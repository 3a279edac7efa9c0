/**
 * Type tests of contracts typed end to end. Each rule has valid code that must compile and
 * `@ts-expect-error` lines that must really be errors (an unused one is itself an error). This
 * file is checked by the project's typecheck and, inside the test run, by
 * test/contracts/typed-compile.test.ts, which compiles it and requires zero diagnostics.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { StateUpdate, TheusEngine, defineProcess, defineWorkflow, process, type DeepReadonly, type ProcessDefinition, type TypedContext } from '../../src/index.js';

interface Account {
  owner: string;
  balance: number;
}

interface AppContext {
  domain: {
    accounts: Record<string, number>;
    ledger: Record<string, Account>;
    user: { name: string; age: number; tags: string[]; nick?: string; title?: string };
    items: { id: number; label: string }[];
    index: Map<string, { hits: number }>;
    seen: Set<string>;
    since: Date;
    log_ops: string[];
    const_rate: number;
  };
  global: { cfg: { rate: number; mode: 'a' | 'b' } };
  heavy: { img: Uint8Array };
  meta: { retries: number };
  signal: { paid: { id: string; amount: number }; closed: boolean };
  outbox: { 'email.send': { to: string; body: string } };
  analytics: { hits: number };
}

const p = defineProcess.for<AppContext>();

// ---- reads: only inputs ∪ outputs ----------------------------------------------------------

export const reads = p({ inputs: ['domain.user.name', 'global.cfg'], outputs: ['domain.accounts'] }, (ctx, args: { who: string }) => {
  expectTypeOf(ctx.domain.user.name).toEqualTypeOf<string>();
  expectTypeOf(ctx.global.cfg.mode).toEqualTypeOf<'a' | 'b'>();
  expectTypeOf(ctx.domain.accounts).toEqualTypeOf<{ [x: string]: number }>();
  expectTypeOf(args).toEqualTypeOf<{ who: string }>();
  // @ts-expect-error domain.user.age is not declared
  void ctx.domain.user.age;
  // @ts-expect-error domain.items is not declared
  void ctx.domain.items;
  // @ts-expect-error no path under heavy is declared: the root is absent
  void ctx.heavy;
  // @ts-expect-error nor under meta
  void ctx.meta;
  ctx.domain.accounts[args.who] = ctx.global.cfg.rate;
});

// ---- writes: only outputs; inputs deeply read-only --------------------------------------------

export const writes = p(
  { inputs: ['domain.user', 'domain.items', 'domain.index', 'domain.seen', 'domain.since', 'domain.ledger'], outputs: ['domain.user.nick', 'domain.accounts'] },
  (ctx) => {
    ctx.domain.user.nick = 'ok';
    ctx.domain.accounts.bob = 1;
    delete ctx.domain.accounts.bob;
    // @ts-expect-error an input is read-only
    ctx.domain.user.name = 'x';
    // @ts-expect-error deeply: arrays below an input have no mutators
    ctx.domain.user.tags.push('x');
    // @ts-expect-error nor index writes
    ctx.domain.items[0] = { id: 1, label: 'x' };
    // @ts-expect-error nor writes inside their elements
    ctx.domain.items[0]!.label = 'x';
    // @ts-expect-error array mutators
    ctx.domain.items.splice(0, 1);
    // @ts-expect-error Map mutators
    ctx.domain.index.set('a', { hits: 1 });
    // @ts-expect-error values read from a Map are read-only too
    ctx.domain.index.get('a')!.hits = 2;
    // @ts-expect-error Set mutators
    ctx.domain.seen.add('x');
    // @ts-expect-error Date setters
    ctx.domain.since.setFullYear(2000);
    // @ts-expect-error delete of an input (an optional key, so only the contract forbids it)
    delete ctx.domain.user.title;
    // @ts-expect-error record entries of an input
    ctx.domain.ledger.alice = { owner: 'a', balance: 1 };
    // @ts-expect-error record entries of an input, by delete
    delete ctx.domain.ledger.alice;
    // @ts-expect-error reassigning a root
    ctx.domain = {} as never;
    expectTypeOf(ctx.domain.index.get('a')?.hits).toEqualTypeOf<number | undefined>();
  },
);

export const undeclaredWrite = p({ inputs: ['domain.user'] }, (ctx) => {
  // @ts-expect-error writing a path that is not an output (not even declared)
  ctx.domain.accounts = {};
  // @ts-expect-error writing an input
  ctx.domain.user.age += 1;
});

// ---- pure: no write at all -----------------------------------------------------------------

export const pure = p({ semantic: 'pure', inputs: ['domain.user'], outputs: ['domain.accounts'] }, (ctx) => {
  // @ts-expect-error a pure process writes nothing through ctx, not even its outputs
  ctx.domain.accounts.x = 1;
  // @ts-expect-error nor emits signals
  ctx.signal.paid = { id: 'a', amount: 1 };
  return { x: ctx.domain.user.age };
});

// ---- `*` segments, records, arrays, Maps ----------------------------------------------------

export const wildcards = p({ inputs: ['domain.ledger.*.balance', 'domain.index.*.hits'], outputs: ['domain.items.*.label', 'domain.accounts.alice'] }, (ctx) => {
  expectTypeOf(ctx.domain.ledger.anyone?.balance).toEqualTypeOf<number | undefined>();
  // @ts-expect-error only balance is declared below each ledger entry
  void ctx.domain.ledger.anyone?.owner;
  ctx.domain.items[0]!.label = 'x';
  // @ts-expect-error the id of an item is not an output
  ctx.domain.items[0]!.id = 1;
  // @ts-expect-error the array itself is not an output: no push
  ctx.domain.items.push({ id: 1, label: 'x' });
  ctx.domain.accounts.alice = 1;
  // @ts-expect-error only alice is declared in the record
  ctx.domain.accounts.bob = 1;
  return undefined;
});

export const elementsWritable = p({ outputs: ['domain.items.*', 'domain.index.*'] }, (ctx) => {
  ctx.domain.items[0] = { id: 1, label: 'x' };
  // @ts-expect-error elements can be replaced, the array cannot grow: `domain.items` is not an output
  ctx.domain.items.push({ id: 1, label: 'x' });
  ctx.domain.index.set('a', { hits: 1 });
});

// ---- zones -----------------------------------------------------------------------------------

export const zones = p({ outputs: ['domain'] }, (ctx) => {
  ctx.domain.user.name = 'x';
  ctx.domain.items.push({ id: 1, label: 'x' });
  ctx.domain.index.set('k', { hits: 1 });
  ctx.domain.log_ops.push('x');
  // @ts-expect-error log_ is append-only: no pop
  ctx.domain.log_ops.pop();
  // @ts-expect-error log_ is append-only: no overwrite
  ctx.domain.log_ops[0] = 'y';
  // @ts-expect-error log_ is append-only: no reassignment
  ctx.domain.log_ops = [];
  // @ts-expect-error const_ is read-only even for an output
  ctx.domain.const_rate = 2;
  expectTypeOf(ctx.domain.const_rate).toEqualTypeOf<number>();
});

// ---- signals, outbox, namespaces -------------------------------------------------------------

export const signals = p({ inputs: ['analytics.hits'], outputs: ['signal.paid'] }, (ctx) => {
  ctx.signal.paid = { id: 'a', amount: 1 };
  ctx.signal.publish('paid', { id: 'b', amount: 2 });
  // @ts-expect-error wrong payload type
  ctx.signal.paid = { id: 1 };
  // @ts-expect-error a topic that is not a declared output
  ctx.signal.closed = true;
  // @ts-expect-error publish checks the topic too
  ctx.signal.publish('closed', true);
  ctx.outbox.add('email.send', { to: 'a@b', body: 'hi' });
  // @ts-expect-error unknown outbox topic
  ctx.outbox.add('sms.send', { to: 'a' });
  // @ts-expect-error wrong outbox payload
  ctx.outbox.add('email.send', { to: 1 });
  // @ts-expect-error a typed payload is required
  ctx.outbox.add('email.send');
  expectTypeOf(ctx.ns('analytics').hits).toEqualTypeOf<number>();
  // @ts-expect-error a namespace the contract does not name
  void ctx.ns('other');
});

// ---- returned values -----------------------------------------------------------------------

// One output: the value takes its type.
export const transfer = p({ inputs: ['domain.accounts'], outputs: ['domain.accounts'] }, (ctx, args: { from: string; amount: number }) => {
  const balance = ctx.domain.accounts[args.from] ?? 0;
  if (balance < args.amount) return undefined;
  return { ...ctx.domain.accounts, [args.from]: balance - args.amount };
});

// The bug this prevents: `{ ok: false }` would overwrite domain.accounts at run time.
export const failingTransfer = p(
  { inputs: ['domain.accounts'], outputs: ['domain.accounts'] },
  // @ts-expect-error a one-output process returning a status object instead of the accounts
  (ctx, args: { from: string }) => {
    if (ctx.domain.accounts[args.from] === undefined) return { ok: false };
    return undefined;
  },
);

// Several outputs: an object keyed by output path or last segment, or an array in declaration order.
export const several = p({ outputs: ['domain.user.name', 'global.cfg.rate', 'signal.closed'] }, (_ctx, n: number) => {
  if (n === 0) return { 'domain.user.name': 'x', rate: 2 };
  if (n === 1) return ['x', 2, true];
  if (n === 2) return [undefined, 3];
  return { closed: true };
});

// @ts-expect-error an array entry of the wrong type (global.cfg.rate is a number)
export const badTuple = p({ outputs: ['domain.user.name', 'global.cfg.rate'] }, () => ['x', 'y']);

// @ts-expect-error an object naming no output
export const badObject = p({ outputs: ['domain.user.name', 'global.cfg.rate'] }, () => ({ ok: false }));

// @ts-expect-error a wildcard output takes no returned value
export const wildcardValue = p({ outputs: ['domain.accounts.*'] }, () => 5);

export const asyncResult = p({ outputs: ['domain.user.age'] }, async () => 3);
// @ts-expect-error async results are checked too
export const badAsync = p({ outputs: ['domain.user.age'] }, async () => 'three');

// StateUpdate: sections keep their keys and are checked against the outputs.
export const update = p({ outputs: ['domain.user.name', 'global.cfg', 'signal.paid', 'domain.accounts.*'] }, () =>
  StateUpdate({ data: { 'domain.user.name': 'x', global: { cfg: { rate: 1 } }, 'domain.accounts.bob': 3 }, signal: { paid: { id: 'a', amount: 1 } } }),
);

// @ts-expect-error StateUpdate writing a path that is not an output
export const badUpdate = p({ outputs: ['domain.user.name'] }, () => StateUpdate({ data: { 'domain.user.name': 'x', 'domain.user.age': 3 } }));

// @ts-expect-error StateUpdate with a value of the wrong type for a declared output
export const badUpdateValue = p({ outputs: ['domain.user.name'] }, () => StateUpdate({ data: { 'domain.user.name': 3 } }));

// @ts-expect-error StateUpdate emitting an undeclared signal
export const badUpdateSignal = p({ outputs: ['domain.user.name'] }, () => StateUpdate({ signal: { closed: true } }));

// No outputs: the value is only execute's result.
export const noOutputs = p({ inputs: ['domain.user.name'] }, (ctx) => ({ greeting: `hi ${ctx.domain.user.name}` }));

// A context without a `signal` root: signal outputs are accepted, payloads unknown.
export const freeSignal = defineProcess.for<{ domain: { n: number } }>()({ outputs: ['signal.anything'] }, (ctx) => {
  ctx.signal.anything = 1;
  expectTypeOf(ctx.signal.anything).toEqualTypeOf<unknown>();
  // Without an `outbox` type, any topic, and the payload is optional (as at run time).
  ctx.outbox.add('audit.trail');
  ctx.outbox.add('audit.trail', { any: 'thing' });
});

// ---- workflows -------------------------------------------------------------------------------

export const processes = { reads, transfer, several };

export const flow = defineWorkflow<typeof processes>({
  name: 'typed',
  steps: [
    'reads',
    { process: 'transfer', args: { from: 'alice', amount: 5 } },
    { flux: 'if', condition: 'domain.ok', then: ['several'], else: [{ process: 'reads', args: { who: 'x' } }] },
    { flux: 'while', condition: 'domain.n < 3', do: ['reads'] },
    { flux: 'run', steps: ['transfer'] },
  ],
});

// @ts-expect-error a misspelt process name
export const badFlow = defineWorkflow<typeof processes>({ steps: ['transfr'] });

// @ts-expect-error a misspelt name in a nested block
export const badNested = defineWorkflow<typeof processes>({ steps: [{ flux: 'run', steps: [{ process: 'raeds' }] }] });

// @ts-expect-error args of the wrong shape for that process
export const badArgs = defineWorkflow<typeof processes>({ steps: [{ process: 'transfer', args: { from: 1 } }] });

// ---- the helper types, as exported from the package --------------------------------------------

type UserCtx = TypedContext<AppContext, 'domain.user.name' | 'domain.user.age', 'domain.user.age', { by: number }>;

export const helperTypes = (ctx: UserCtx, frozen: DeepReadonly<{ list: number[] }>) => {
  const name: string = ctx.domain.user.name;
  ctx.domain.user.age = ctx.input.by;
  // @ts-expect-error an input is read-only
  ctx.domain.user.name = 'x';
  // @ts-expect-error deep read-only arrays have no push
  frozen.list.push(1);
  // The admin view has the process's own contract: its outputs writable, its inputs read-only.
  ctx.asAdmin((admin) => {
    admin.domain.user.age = 1;
    // @ts-expect-error admin lifts zone ceilings, never the contract
    admin.domain.user.name = 'y';
  });
  return name;
};

// Functions pass through; an object with a `length` or `size` key is still an object, not an array or a Map.
export const kinds = (v: DeepReadonly<{ f: (n: number) => number; box: { length: number; size: number } }>) => {
  expectTypeOf(v.f).toEqualTypeOf<(n: number) => number>();
  expectTypeOf(v.box).toEqualTypeOf<{ readonly length: number; readonly size: number }>();
  // @ts-expect-error read-only like any other object
  v.box.size = 2;
};

// `unknown` stays `unknown` (not an empty object); a keyless object type is still an object.
type Keyless = Record<never, never>;
export const opaque = (v: DeepReadonly<{ u: unknown; e: Keyless; g: () => void }>) => {
  expectTypeOf(v.u).toEqualTypeOf<unknown>();
  expectTypeOf(v.e).toEqualTypeOf<Keyless>();
  expectTypeOf(v.g).toEqualTypeOf<() => void>();
};

// A view with some writable keys: optional keys stay optional on both sides, records expose the
// named key only, and the readonly/writable split follows the outputs exactly.
export const mixed = p({ inputs: ['domain.user.name', 'domain.user.title', 'domain.ledger.alice'], outputs: ['domain.user.nick', 'domain.user.age'] }, (ctx) => {
  expectTypeOf(ctx.domain.user.title).toEqualTypeOf<string | undefined>();
  expectTypeOf(ctx.domain.user.nick).toEqualTypeOf<string | undefined>();
  ctx.domain.user.nick = undefined;
  ctx.domain.user.age = 3;
  expectTypeOf(ctx.domain.ledger.alice.balance).toEqualTypeOf<number>();
  // @ts-expect-error only the declared key of a record
  void ctx.domain.ledger.bob;
  // @ts-expect-error an input next to writable keys is still read-only
  ctx.domain.user.title = 'x';
  // @ts-expect-error so is a record entry that is only an input
  ctx.domain.ledger.alice.balance = 1;
});

// Two outputs with the same last segment: the short key may carry either output's value.
export const sameSegment = defineProcess.for<{ domain: { a: { n: number }; b: { n: string } } }>()({ outputs: ['domain.a.n', 'domain.b.n'] }, (_ctx, k: number) => {
  if (k === 0) return { n: 1 };
  if (k === 1) return { n: 'x' };
  return { 'domain.a.n': 2, 'domain.b.n': 'y' };
});

// @ts-expect-error a full output path takes only that output's type
export const badSameSegment = defineProcess.for<{ domain: { a: { n: number }; b: { n: string } } }>()({ outputs: ['domain.a.n', 'domain.b.n'] }, () => ({ 'domain.a.n': 'x' }));

// A context typed `any` below a root: every path under it is valid, and values are `any`.
export const anyBelow = defineProcess.for<{ domain: { blob: any; n: number } }>()({ inputs: ['domain.blob.deep.er'], outputs: ['domain.blob.x.y'] }, () => 1 as unknown);

// A body that returns nothing: `void` (and `Promise<void>` when async) under TypeScript 5 and 7
// alike, although the two compilers infer `void` and `undefined` for it; a body that only throws
// keeps `never`.
const nothing = defineProcess.for<{ domain: { n: number } }>();
export const returnsNothing = nothing({ outputs: ['domain.n'] }, (ctx) => {
  ctx.domain.n = 1;
});
export const returnsNothingAsync = nothing({ outputs: ['domain.n'] }, async (ctx) => {
  ctx.domain.n = await Promise.resolve(1);
});
export const onlyThrows = nothing({ outputs: ['domain.n'] }, () => {
  throw new Error('no');
});

// ---- results at runtime ----------------------------------------------------------------------

describe('contracts typed end to end', () => {
  it('typed definitions keep their argument and result types', () => {
    expectTypeOf(transfer).toMatchTypeOf<ProcessDefinition<{ from: string; amount: number }, Record<string, number> | undefined, AppContext>>();
    expectTypeOf(asyncResult).returns.toEqualTypeOf<Promise<number>>();
    expectTypeOf(noOutputs).returns.toEqualTypeOf<{ greeting: string }>();
    expectTypeOf(returnsNothing).returns.toEqualTypeOf<void>();
    expectTypeOf(returnsNothingAsync).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(onlyThrows).returns.toEqualTypeOf<never>();
    // The untyped factory stays permissive: anything goes at compile time, the engine checks.
    const loose = process({ inputs: ['domain.whatever'] }, (ctx) => ctx.domain.whatever as unknown);
    expectTypeOf(loose).toBeFunction();
  });

  it('typed definitions run on an engine; the workflow helper returns its definition unchanged', async () => {
    const engine = new TheusEngine({ domain: { accounts: { alice: 10 } } });
    const result = await engine.execute(transfer, { from: 'alice', amount: 4 });
    expectTypeOf(result).toEqualTypeOf<Record<string, number> | undefined>();
    expect(engine.state.domain.accounts).toEqual({ alice: 6 });
    expect(await engine.execute(transfer, { from: 'alice', amount: 100 })).toBeUndefined();
    expect(engine.state.domain.accounts).toEqual({ alice: 6 });
    expect(transfer.processName).toBe('transfer');
    const wf = { steps: ['transfer'] } as const;
    expect(defineWorkflow<typeof processes>(wf)).toBe(wf);
  });
});
