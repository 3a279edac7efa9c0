import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TheusEngine } from 'theus';
import { increment } from '../src/counter.mjs';

test('increment adds to the counter and commits a new version', async () => {
  const engine = new TheusEngine({ domain: { counter: 0 } });
  engine.register(increment);
  assert.equal(await engine.execute('increment', { by: 2 }), 2);
  assert.equal(await engine.execute('increment', {}), 3);
  assert.equal(engine.state.domain.counter, 3);
  assert.equal(engine.state.version, 2);
  await engine.close();
});

test('a rejected call commits nothing', async () => {
  const engine = new TheusEngine({ domain: { counter: 5 } });
  engine.register(increment);
  const before = engine.state.version;
  await assert.rejects(engine.execute('increment', { by: 0 }), RangeError);
  assert.equal(engine.state.domain.counter, 5);
  assert.equal(engine.state.version, before);
  await engine.close();
});
