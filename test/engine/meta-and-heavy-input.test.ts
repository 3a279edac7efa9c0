import { afterEach, describe, expect, it } from 'vitest';
import { TheusEngine, process } from '../../src/index.js';

const engines: TheusEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});
const make = () => {
  const e = new TheusEngine({});
  engines.push(e);
  return e;
};

describe('engine.metaLog', () => {
  it('keeps the newest entries with limit and filters by kind', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } });
    engines.push(engine);
    const bump = process({ name: 'bump', outputs: ['domain.n'] }, (ctx) => ctx.asAdmin(() => void (ctx.domain.n = ctx.domain.n + 1)));
    await engine.execute(bump);
    await engine.execute(bump);
    const admin = engine.metaLog({ kind: 'admin' });
    expect(admin.map((e) => e.version)).toEqual([0, 1]);
    expect(engine.metaLog({ kind: 'admin', limit: 1 }).map((e) => e.version)).toEqual([1]);
    expect(engine.metaLog({ limit: 0 })).toEqual([]);
    expect(engine.metaLog({ kind: 'no-such-kind' })).toEqual([]);
  });

  it('refuses malformed filters with INVALID_ARGUMENT', () => {
    const engine = make();
    for (const bad of [null, { limit: -1 }, { limit: 1.5 }, { limit: '3' }, { kind: 7 }]) {
      expect(() => engine.metaLog(bad as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });
});

describe('engine.heavy lookups with hostile or absent keys', () => {
  it('free/get/has answer absent keys plainly and refuse hostile ones, leaving state untouched', () => {
    const engine = make();
    engine.heavy.alloc('m', [2], 'float32');
    const before = engine.state;
    expect(engine.heavy.has('nope')).toBe(false);
    expect(engine.heavy.get('nope')).toBeUndefined();
    expect(engine.heavy.free('nope')).toBe(false);
    for (const key of ['__proto__', 'constructor', '', 'a.b']) {
      expect(() => engine.heavy.free(key)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    expect(engine.state).toBe(before);
    expect(engine.heavy.stats().count).toBe(1);
  });
});
