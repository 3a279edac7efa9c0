/**
 * Type tests of the typed contract form. `tsc --noEmit -p tsconfig.json` (the project's
 * typecheck, which includes test/) checks both directions: the valid definitions below must
 * compile, and every `@ts-expect-error` line must really be an error (an unused one fails the
 * typecheck). The runtime part checks the same definitions behave on an engine.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { TheusEngine, defineProcess, process, type IsValidPath, type InvalidPaths, type ProcessDefinition } from '../../src/index.js';

interface AppContext {
  domain: {
    accounts: Record<string, number>;
    user: { profile: { name: string; tags: string[] }; age: number };
    items: { id: number; label: string }[];
    total: number;
    log_ops: string[];
  };
  global: { maxLimit: number };
  heavy: { img: Uint8Array };
  meta: { cfg: { retries: number } };
  analytics: { hits: number };
}

const p = defineProcess.for<AppContext>();
// The first name of the factory gives the same typed form.
const legacy = process.for<AppContext>();

// ---- valid forms compile -------------------------------------------------------------------

export const deposit = p({ inputs: ['domain.accounts', 'domain.total'], outputs: ['domain.accounts'] }, (ctx, args: { to: string; amount: number }) => {
  expectTypeOf(ctx.domain.accounts).toEqualTypeOf<{ [x: string]: number }>();
  expectTypeOf(ctx.domain.total).toEqualTypeOf<number>();
  if (args.amount < 0) {
    // @ts-expect-error global is not in this contract (at run time: ILLEGAL_READ)
    void ctx.global;
  }
  expectTypeOf(args).toEqualTypeOf<{ to: string; amount: number }>();
  ctx.domain.accounts[args.to] = (ctx.domain.accounts[args.to] ?? 0) + args.amount;
  // accounts was mutated through ctx: nothing is returned (a number is not the accounts).
});

export const depositLegacy = legacy({ inputs: ['domain.total'] }, (ctx) => ctx.domain.total);

export const nested = p(
  {
    inputs: ['domain.user.profile.name', 'domain.items.*.label', 'domain.accounts.*', 'global.maxLimit', 'heavy.img', 'meta.cfg.retries', 'analytics.hits'],
    outputs: ['domain.user.profile.tags', 'domain.items.0.id', 'domain.log_ops', 'domain'],
  },
  (ctx) => {
    void ctx.domain.user.profile.name.length;
  },
);

export const wildcardEverywhere = p({ inputs: ['domain.*', 'domain.user.*.name', 'domain.*.profile'], outputs: ['domain.accounts.*'] }, () => undefined);

export const noPaths = p({ name: 'noPaths' }, () => 'x' as const);

// ---- invalid forms are compile errors -------------------------------------------------------

// @ts-expect-error misspelt input path ('acounts')
export const badInput = p({ inputs: ['domain.acounts'] }, () => undefined);

// @ts-expect-error misspelt output path ('totl')
export const badOutput = p({ inputs: ['domain.accounts'], outputs: ['domain.totl'] }, () => undefined);

// @ts-expect-error a path below a leaf does not exist
export const belowLeaf = p({ outputs: ['domain.total.value'] }, () => undefined);

// @ts-expect-error an unknown root
export const badRoot = p({ inputs: ['domian.accounts'] }, () => undefined);

// @ts-expect-error a non-numeric segment into an array
export const badIndex = p({ inputs: ['domain.items.first.label'] }, () => undefined);

// @ts-expect-error one bad path among good ones is enough
export const oneBad = p({ inputs: ['domain.accounts', 'domain.user.profile.nme', 'global.maxLimit'] }, () => undefined);

export const badCtxUse = p({ inputs: ['domain.user'] }, (ctx) => {
  // @ts-expect-error ctx.domain is typed from the context: no 'usr' field
  void ctx.domain.usr;
  // @ts-expect-error age is a number, not a string
  const s: string = ctx.domain.user.age;
  return s;
});

// ---- the path helpers themselves ------------------------------------------------------------

describe('typed contract paths (compile-time)', () => {
  it('IsValidPath accepts real paths, wildcards, array indices; refuses the rest', () => {
    expectTypeOf<IsValidPath<AppContext, 'domain'>>().toEqualTypeOf<true>();
    expectTypeOf<IsValidPath<AppContext, 'domain.user.profile.name'>>().toEqualTypeOf<true>();
    expectTypeOf<IsValidPath<AppContext, 'domain.accounts.anyone'>>().toEqualTypeOf<true>();
    expectTypeOf<IsValidPath<AppContext, 'domain.items.3.label'>>().toEqualTypeOf<true>();
    expectTypeOf<IsValidPath<AppContext, 'domain.items.*.label'>>().toEqualTypeOf<true>();
    expectTypeOf<IsValidPath<AppContext, 'domain.*'>>().toEqualTypeOf<true>();
    expectTypeOf<IsValidPath<AppContext, 'domain.acounts'>>().toEqualTypeOf<false>();
    expectTypeOf<IsValidPath<AppContext, 'domain.items.x'>>().toEqualTypeOf<false>();
    expectTypeOf<IsValidPath<AppContext, 'domain.total.x'>>().toEqualTypeOf<false>();
    expectTypeOf<IsValidPath<AppContext, 'nowhere'>>().toEqualTypeOf<false>();
    // An untyped (any) context accepts everything: the untyped `process` stays permissive.
    expectTypeOf<IsValidPath<any, 'whatever.at.all'>>().toEqualTypeOf<true>();
  });

  it('InvalidPaths lists exactly the bad literals', () => {
    expectTypeOf<InvalidPaths<AppContext, readonly ['domain.total', 'domain.totl', 'global.max']>>().toEqualTypeOf<'domain.totl' | 'global.max'>();
    expectTypeOf<InvalidPaths<AppContext, readonly ['domain.total']>>().toEqualTypeOf<never>();
  });

  it('the typed factory returns a typed definition (args and result)', () => {
    expectTypeOf(deposit).toMatchTypeOf<ProcessDefinition<{ to: string; amount: number }, void, AppContext>>();
    expectTypeOf(noPaths).returns.toEqualTypeOf<'x'>();
    expectTypeOf(depositLegacy).returns.toEqualTypeOf<number>();
  });

  it('the untyped process accepts any path at compile time (checked at register instead)', () => {
    const loose = process({ inputs: ['domain.whatever'], outputs: ['global.anything.deep'] }, (ctx) => ctx.domain.whatever as unknown);
    expectTypeOf(loose).toBeFunction();
  });
});

describe('typed definitions at runtime', () => {
  it('run on an engine like any process', async () => {
    const engine = new TheusEngine({ domain: { accounts: { alice: 1 }, user: { profile: { name: 'Al', tags: [] }, age: 3 }, items: [], total: 1, log_ops: [] }, global: { maxLimit: 9 } });
    const total = await engine.execute(deposit, { to: 'bob', amount: 5 });
    expectTypeOf(total).toEqualTypeOf<void>();
    expect(total).toBeUndefined();
    expect(engine.state.domain.accounts).toEqual({ alice: 1, bob: 5 });
    expect(engine.state.domain.total).toBe(1);
    expect(deposit.processName).toBe('deposit');
    // The bad definitions still exist at runtime; register reports what the compiler reported.
    expect(() => engine.register(badRoot)).toThrow(/unknown root 'domian'/);
  });
});
