/**
 * Reopen equivalence through the real engine: random processes (object keys, array splices, Maps,
 * Sets, Dates, a record wide enough to be stored as a trie), random close/reopen points; the
 * reopened engine has the same version and state, and stateAt rebuilds every version.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { TheusEngine, process as defineProcess } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'theus-engine-reopen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const OUT = ['domain.obj', 'domain.list', 'domain.map', 'domain.set', 'domain.when', 'domain.wide'];
const step = defineProcess({ name: 'step', inputs: [], outputs: OUT, semantic: 'effect' }, (ctx: any, a: { kind: number; key: string; value: number }) => {
  const d = ctx.domain;
  switch (a.kind) {
    case 0: d.obj[a.key] = { v: a.value, nested: [a.value] }; break;
    case 1: delete d.obj[a.key]; break;
    case 2: d.list.push(a.value); break;
    case 3: d.list.splice(a.value % (d.list.length + 1), 1); break;
    case 4: d.list.unshift(a.value); break;
    case 5: d.map.set(a.key, a.value); break;
    case 6: d.map.delete(a.key); break;
    case 7: d.set.add(a.value % 5); break;
    case 8: d.when = new Date(a.value); break;
    case 9: d.wide[`${a.key}${a.value % 200}`] = a.value; break;
    case 10: d.list.sort((x: number, y: number) => x - y); break;
    default: if (d.obj[a.key] !== undefined) d.obj[a.key].nested.push(-a.value);
  }
});

function initial() {
  const wide: Record<string, number> = {};
  for (let i = 0; i < 150; i++) wide[`w${i}`] = i;
  return { domain: { obj: {}, list: [3, 1, 2], map: new Map<string, number>(), set: new Set<number>(), when: new Date(0), wide } };
}

describe('engine on SQLite: reopen equivalence (property)', () => {
  it('random executes, random reopen points: same version and state; every version rebuilt by stateAt', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.record({ kind: fc.integer({ min: 0, max: 11 }), key: fc.constantFrom('a', 'b', 'x.y', 'w1'), value: fc.integer({ min: 0, max: 1000 }) }), fc.boolean()), { minLength: 1, maxLength: 25 }),
        async (steps) => {
          const file = join(dir, `p${++n}.db`);
          let engine = await TheusEngine.open(initial(), { storage: file, durability: 'normal' });
          engine.register(step);
          const seen = new Map<number, unknown>([[0, engine.state.toJSON()]]);
          for (const [a, reopen] of steps) {
            await engine.execute('step', a);
            seen.set(engine.state.version, engine.state.toJSON());
            if (reopen) {
              const { version } = engine.state;
              const before = engine.state.toJSON();
              await engine.close();
              // The stored state wins; the initial state only seeds a store that never committed.
              engine = await TheusEngine.open(initial(), { storage: file, durability: 'normal' });
              engine.register(step);
              expect(engine.state.version).toBe(version);
              expect(engine.state.toJSON()).toEqual(before);
            }
          }
          for (const [v, json] of seen) expect((await engine.stateAt(v))?.toJSON()).toEqual(json);
          await engine.close();
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
