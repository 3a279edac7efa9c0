// Issue #3 benchmarks: per-execute overhead of a trivial process, and contention (one hot counter,
// and disjoint keys) with the retries it costs.
import { TheusEngine, process } from '../../dist/index.js';
import { opsPerSec, opsPerSecAsync } from '../lib.mjs';

const us = (opsPerSecond) => 1e6 / opsPerSecond;

async function overhead(rows) {
  const g = 'engine: execute overhead';
  const fn = (ctx) => { ctx.domain.n = ctx.domain.n + 1; };
  const plain = { domain: { n: 0 } };
  const direct = opsPerSec(() => fn(plain));
  const engine = new TheusEngine({ domain: { n: 0, other: { a: 1 } } });
  const inc = process({ name: 'inc', inputs: ['domain.n'], outputs: ['domain.n'] }, fn);
  engine.register(inc);
  const viaEngine = await opsPerSecAsync(() => engine.execute('inc'), { ms: 500 });
  const asyncInc = process({ name: 'asyncInc', inputs: ['domain.n'], outputs: ['domain.n'] }, async (ctx) => { ctx.domain.n = ctx.domain.n + 1; });
  engine.register(asyncInc);
  const viaEngineAsync = await opsPerSecAsync(() => engine.execute('asyncInc'), { ms: 500 });
  const perTx = us(viaEngine) - us(direct);
  rows.push({ group: g, name: 'direct function call (one read, one write)', opsPerSec: direct });
  rows.push({ group: g, name: 'engine.execute, sync process', opsPerSec: viaEngine, value: `${perTx.toFixed(2)} µs added`, target: '≤ 5 µs per transaction', met: perTx <= 5 });
  rows.push({ group: g, name: 'engine.execute, async process', opsPerSec: viaEngineAsync, value: `${(us(viaEngineAsync) - us(direct)).toFixed(2)} µs added`, target: '≤ 5 µs per transaction', met: us(viaEngineAsync) - us(direct) <= 5 });
  await engine.close();
}

async function contention(rows) {
  const g = 'engine: contention (100 concurrent async processes)';
  {
    const engine = new TheusEngine({ domain: { counter: 0 } }, { maxRetries: 1000, vipAfter: 5 });
    const hot = process({ name: 'hot', inputs: ['domain.counter'], outputs: ['domain.counter'] }, async (ctx) => {
      const v = ctx.domain.counter;
      await new Promise((r) => setImmediate(r));
      ctx.domain.counter = v + 1;
    });
    engine.register(hot);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 100 }, () => engine.execute('hot')));
    const ms = performance.now() - t0;
    const m = engine.metrics();
    rows.push({
      group: g,
      name: 'one hot counter, 100 increments',
      opsPerSec: (m.commits / ms) * 1000,
      value: `final ${engine.state.domain.counter}, ${m.retries} retries, ${m.vipGrants} VIP grants, ${ms.toFixed(0)} ms`,
      target: 'exact count (100)',
      met: engine.state.domain.counter === 100,
    });
    await engine.close();
  }
  {
    const keys = {};
    for (let i = 0; i < 100; i++) keys[`k${i}`] = 0;
    const engine = new TheusEngine({ domain: { keys } });
    const writers = Array.from({ length: 100 }, (_, i) =>
      process({ name: `w${i}`, inputs: [`domain.keys.k${i}`], outputs: [`domain.keys.k${i}`] }, async (ctx) => {
        const v = ctx.domain.keys[`k${i}`];
        await new Promise((r) => setImmediate(r));
        ctx.domain.keys[`k${i}`] = v + 1;
      }),
    );
    for (const w of writers) engine.register(w);
    const t0 = performance.now();
    await Promise.all(writers.map((w) => engine.execute(w)));
    const ms = performance.now() - t0;
    const m = engine.metrics();
    const sum = Object.values(engine.state.domain.keys).reduce((a, b) => a + b, 0);
    rows.push({
      group: g,
      name: '100 writers to 100 disjoint keys',
      opsPerSec: (m.commits / ms) * 1000,
      value: `sum ${sum}, ${m.retries} retries, ${ms.toFixed(0)} ms`,
      target: 'zero retries',
      met: m.retries === 0 && sum === 100,
    });
    await engine.close();
  }
}

export default async function run() {
  const rows = [];
  await overhead(rows);
  await contention(rows);
  return rows;
}
