/**
 * Every write route × every zone and namespace rule: the same PermissionDeniedError (ILLEGAL_WRITE)
 * naming the path and the rule, and the very same State object afterwards (nothing committed).
 */
import { describe, expect, it } from 'vitest';
import { PermissionDeniedError, StateUpdate, TheusEngine, process } from '../../src/index.js';
import type { Segment } from '../../src/core/path.js';

interface Rule {
  readonly name: string;
  readonly context: Record<string, unknown>;
  readonly options?: Record<string, unknown>;
  readonly path: readonly Segment[];
  readonly value: unknown;
  /** What the error message must mention: the rule. */
  readonly mentions: RegExp;
}

const RULES: readonly Rule[] = [
  { name: 'const_ is never changed', context: { domain: { cfg: { const_k: 1, mode: 'a' } } }, path: ['domain', 'cfg', 'const_k'], value: 999, mentions: /const_/ },
  { name: 'log_ is append-only', context: { domain: { log_ops: ['a', 'b'] } }, path: ['domain', 'log_ops', 0], value: 'x', mentions: /append-only/ },
  { name: 'sig_ is append-only', context: { domain: { box: { sig_seen: ['a'] } } }, path: ['domain', 'box', 'sig_seen', 0], value: 'x', mentions: /append-only/ },
  { name: 'internal_ is invisible without admin', context: { domain: { user: { name: 'a' } } }, path: ['domain', 'user', 'internal_x'], value: 1, mentions: /internal_/ },
  {
    name: "namespace policy { update: false }",
    context: { domain: {} },
    options: { namespaces: { ledger: { update: false, initial: { acct: { total: 1 } } } } },
    path: ['ledger', 'acct', 'total'],
    value: 5,
    mentions: /namespace 'ledger'.*update: false/,
  },
];

const dotted = (path: readonly Segment[]) => path.join('.');
const parentOf = (path: readonly Segment[]) => path.slice(0, -1);

function walk(root: any, path: readonly Segment[]): any {
  let node = root;
  for (const seg of path) node = node[seg];
  return node;
}

function setVia(root: any, path: readonly Segment[], value: unknown): void {
  walk(root, parentOf(path))[path[path.length - 1]!] = value;
}

/** The parent's new value: its current value with the one key changed (a spread update). */
function replacedParent(current: unknown, path: readonly Segment[], value: unknown): unknown {
  const last = path[path.length - 1]!;
  if (Array.isArray(current)) {
    const copy = [...current];
    copy[last as number] = value;
    return copy;
  }
  return { ...(current as object), [last]: value };
}

type Route = (engine: TheusEngine, rule: Rule) => unknown;

/** A ctx view of a root (namespaces are reached with ctx.ns). */
const rootOf = (ctx: any, root: string) => (['domain', 'global', 'heavy', 'meta'].includes(root) ? ctx[root] : ctx.ns(root));

const ROUTES: Record<string, Route> = {
  'execute: ctx write': (engine, r) =>
    engine.execute(
      process({ name: 'w', outputs: [dotted(parentOf(r.path))] }, (ctx) => {
        setVia(rootOf(ctx, String(r.path[0])), r.path.slice(1), r.value);
      }),
    ),
  'execute: ctx replaces the parent': (engine, r) =>
    engine.execute(
      process({ name: 'w', outputs: [dotted(parentOf(r.path))] }, (ctx) => {
        const parent = parentOf(r.path);
        const root = rootOf(ctx, String(parent[0]));
        setVia(root, parent.slice(1), replacedParent(walk(root, parent.slice(1)), r.path, r.value));
      }),
    ),
  'execute: return value': (engine, r) =>
    engine.execute(
      process({ name: 'w', outputs: [dotted(parentOf(r.path))] }, () => replacedParent(walk(engine.state.data, parentOf(r.path)), r.path, r.value)),
    ),
  'execute: StateUpdate': (engine, r) =>
    engine.execute(process({ name: 'w', outputs: [dotted(parentOf(r.path))] }, () => StateUpdate({ data: { [dotted(r.path)]: r.value } }))),
  'execute: StateUpdate, strictGuards false': (engine, r) => {
    engine.strictGuards = false;
    return engine.execute(process({ name: 'w', outputs: [dotted(parentOf(r.path))] }, () => StateUpdate({ data: { [dotted(r.path)]: r.value } })));
  },
  edit: (engine, r) => engine.edit((ctx) => setVia(ctx, r.path, r.value)),
  'edit: replaces the parent': (engine, r) =>
    engine.edit((ctx) => {
      const parent = parentOf(r.path);
      setVia(ctx, parent, replacedParent(walk(engine.state.data, parent), r.path, r.value));
    }),
  'transaction(fn)': (engine, r) => engine.transaction((tx) => setVia(tx.root(String(r.path[0])), r.path.slice(1), r.value)),
  'manual tx.commit()': (engine, r) => {
    const tx = engine.transaction();
    try {
      setVia(tx.root(String(r.path[0])), r.path.slice(1), r.value);
    } catch (e) {
      tx.rollback();
      throw e;
    }
    return tx.commit();
  },
  compareAndSwap: (engine, r) => engine.compareAndSwap(engine.state.version, r.path[0] === 'domain' ? { data: { [dotted(r.path)]: r.value } } : { data: { [dotted(r.path)]: r.value } }),
  'compareAndSwap: replaces the parent': (engine, r) => {
    const parent = parentOf(r.path);
    return engine.compareAndSwap(engine.state.version, { data: { [dotted(parent)]: replacedParent(walk(engine.state.data, parent), r.path, r.value) } });
  },
};

async function outcome(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('one rule table for every write route', () => {
  for (const rule of RULES) {
    for (const [routeName, route] of Object.entries(ROUTES)) {
      it(`${rule.name} × ${routeName}`, async () => {
        const engine = new TheusEngine(rule.context, (rule.options ?? {}) as never);
        const before = engine.state;
        const err = await outcome(() => route(engine, rule));
        expect(err, 'the write must be refused').toBeInstanceOf(PermissionDeniedError);
        expect((err as PermissionDeniedError).code).toBe('ILLEGAL_WRITE');
        expect((err as PermissionDeniedError).path).toMatch(new RegExp(`^${String(rule.path[0])}`));
        expect((err as Error).message).toMatch(rule.mentions);
        expect(engine.state).toBe(before);
        await engine.close();
      });
    }
  }
});

describe('what the rules allow, on every route', () => {
  it('const_ is set once, at creation: a new key (or a new parent holding it) commits', async () => {
    const engine = new TheusEngine({ domain: { cfg: {} } });
    engine.edit((ctx) => void (ctx.domain.cfg.const_a = 1));
    engine.compareAndSwap(engine.state.version, { data: { 'domain.other': { const_b: 2 } } });
    await engine.execute(process({ name: 'mk', outputs: ['domain.made'] }, () => ({ const_c: 3 })));
    expect(engine.state.domain).toEqual({ cfg: { const_a: 1 }, other: { const_b: 2 }, made: { const_c: 3 } });
    await engine.close();
  });

  it('log_ grows: push through ctx, a spread that keeps every entry, a CAS that appends', async () => {
    const engine = new TheusEngine({ domain: { log_ops: ['a'] } });
    await engine.execute(process({ name: 'push', outputs: ['domain.log_ops'] }, (ctx) => void ctx.domain.log_ops.push('b')));
    await engine.execute(process({ name: 'spread', inputs: ['domain.log_ops'], outputs: ['domain.log_ops'] }, (ctx) => [...ctx.domain.log_ops, 'c']));
    engine.compareAndSwap(engine.state.version, { data: { 'domain.log_ops': [...engine.state.domain.log_ops, 'd'] } });
    expect(engine.state.domain.log_ops).toEqual(['a', 'b', 'c', 'd']);
    await engine.close();
  });

  it('internal_ keys survive a replacement of their parent by an actor that cannot see them', async () => {
    const engine = new TheusEngine({ domain: { user: { name: 'a', internal_token: 't', nested: { internal_n: 1, v: 1 } } } });
    await engine.execute(
      process({ name: 'rename', outputs: ['domain.user'] }, (ctx) => {
        expect(ctx.domain.user.internal_token).toBeUndefined();
        ctx.domain.user = { ...ctx.domain.user, name: 'b', nested: { v: 2 } };
      }),
    );
    expect(engine.state.domain.user).toEqual({ name: 'b', internal_token: 't', nested: { internal_n: 1, v: 2 } });
    engine.edit((ctx) => void (ctx.domain.user = { name: 'c' }));
    // Only the internal_ values come back, at their own paths: `nested.v` was visible and was dropped.
    expect(engine.state.domain.user).toEqual({ name: 'c', internal_token: 't', nested: { internal_n: 1 } });
    await engine.close();
  });

  it('ctx.asAdmin lifts every ceiling but const_ for what it writes', async () => {
    const engine = new TheusEngine({ domain: { log_ops: ['a'], user: {}, cfg: { const_k: 1 } } });
    await engine.execute(
      process({ name: 'adm', outputs: ['domain.log_ops', 'domain.user', 'domain.cfg'] }, (ctx) =>
        ctx.asAdmin((admin) => {
          admin.domain.log_ops[0] = 'rewritten';
          admin.domain.user.internal_x = 1;
          expect(() => (admin.domain.cfg.const_k = 2)).toThrow(PermissionDeniedError);
        }),
      ),
    );
    expect(engine.state.domain).toMatchObject({ log_ops: ['rewritten'], user: { internal_x: 1 }, cfg: { const_k: 1 } });
    await engine.close();
  });
});
