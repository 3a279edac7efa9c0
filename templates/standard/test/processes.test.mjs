import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TheusEngine } from 'theus';
import { loadTasks, processNext, report } from '../src/processes/tasks.mjs';

function engineWith(domain) {
  const engine = new TheusEngine({ domain: { inbox: [], queue: [], done: [], report: null, ...domain }, global: { hourlyRate: 60 } });
  for (const p of [loadTasks, processNext, report]) engine.register(p);
  return engine;
}

test('loadTasks numbers the inbox into the queue', async () => {
  const engine = engineWith({ inbox: [{ title: 'a', minutes: 5 }, { title: 'b', minutes: 10 }] });
  await engine.execute('loadTasks');
  assert.deepEqual(engine.state.domain.queue.map((t) => t.id), [1, 2]);
  await engine.close();
});

test('loadTasks rejects a malformed task and commits nothing', async () => {
  const engine = engineWith({ inbox: [{ title: 'a', minutes: -1 }] });
  await assert.rejects(engine.execute('loadTasks'), TypeError);
  assert.equal(engine.state.version, 0);
  await engine.close();
});

test('processNext moves one task and prices it', async () => {
  const engine = engineWith({ queue: [{ id: 1, title: 'a', minutes: 30 }] });
  await engine.execute('processNext');
  assert.equal(engine.state.domain.queue.length, 0);
  assert.deepEqual(engine.state.domain.done[0], { id: 1, title: 'a', minutes: 30, cost: 30 });
  await engine.close();
});

test('report sums the done tasks', async () => {
  const engine = engineWith({ done: [{ id: 1, title: 'a', minutes: 30, cost: 30 }, { id: 2, title: 'b', minutes: 45, cost: 45 }] });
  await engine.execute('report');
  assert.deepEqual(engine.state.domain.report, { count: 2, minutes: 75, cost: 75, longest: 'b' });
  await engine.close();
});
