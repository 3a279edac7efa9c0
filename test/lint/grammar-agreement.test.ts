/**
 * The linter and the engine read the same contract grammar: a path `theus check` accepts is a path `register()`
 * accepts, with the same zone. Each path of the table goes through both.
 */
import { describe, expect, it } from 'vitest';
import { ZONE_NAMES, zoneOfPath } from '../../src/contracts/zones.js';
import { TheusEngine, process as defineProcess } from '../../src/index.js';
import { lintSource } from '../../src/lint/index.js';
import { zoneOf } from '../../src/lint/zones.js';

const PATHS = [
  'domain',
  'domain.items',
  'domain.items[0]',
  'domain.items[*]',
  'domain.items[*].name',
  'domain.accounts.*',
  'domain.__cache',
  'domain._private',
  'global.cfg.mode',
  'signal.sig_done',
  'meta.meta_version',
  'heavy.matrix',
  'domain.log_events',
  'domain.internal_secret',
  'domain.const_rate',
  'orders.pending',
  // refused
  '',
  'domain.',
  '.domain',
  'domain..items',
  'domain.__proto__',
  'domain.constructor.x',
  'domain.prototype',
  'domain.items[x]',
  'domain.items[-1]',
  'domain.items[',
  'domain.a b',
  "domain.a'b",
  'domain.x*',
  '*.x',
  '*',
  'nope.x',
  `domain.${'a'.repeat(1017)}`,
  `domain.${'a'.repeat(1018)}`,
];

function engineAccepts(path: string): boolean {
  const engine = new TheusEngine({}, { namespaces: { orders: {} } });
  try {
    engine.register(defineProcess({ name: 'p', inputs: [path], outputs: [] }, () => undefined));
    return true;
  } catch (error) {
    expect(error).toMatchObject({ code: 'CONTRACT_VIOLATION' });
    return false;
  } finally {
    void engine.close();
  }
}

function linterAccepts(path: string): boolean {
  const code = `import { process } from 'theus';\nexport const p = process({ name: 'p', inputs: [${JSON.stringify(path)}], outputs: [] }, () => undefined);\n`;
  return !lintSource(code, 'p.ts', { namespaces: ['orders'] }).some((f) => f.ruleId === 'POP-T06');
}

describe('linter and engine agree on contract paths', () => {
  it.each(PATHS.map((p) => [p.length > 40 ? `${p.slice(0, 20)}… (${p.length} chars)` : JSON.stringify(p), p]))('%s', (_shown, path) => {
    expect(linterAccepts(path)).toBe(engineAccepts(path));
  });

  it('the table has both outcomes', () => {
    const outcomes = new Set(PATHS.map(engineAccepts));
    expect(outcomes).toEqual(new Set([true, false]));
  });

  it('and on zones', () => {
    for (const path of [['domain', 'log_x'], ['domain', 'a', 'sig_b'], ['sig', 'x'], ['cmd'], ['log', 'a'], ['meta', 'x'], ['heavy', 'm'], ['domain', 'const_r', 'log_x'], ['domain', 'heavy_cache'], ['domain', 'x']]) {
      expect([path.join('.'), zoneOf(path).zone]).toEqual([path.join('.'), ZONE_NAMES[zoneOfPath(path)]]);
    }
  });
});
