import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAgentEngine, runAgent } from '../src/agent.mjs';

test('the agent finds the nearest page that mentions the goal', async () => {
  const engine = await createAgentEngine();
  const visited = [];
  const { state, history, report } = await runAgent(engine, 'Refund', { onEvent: (topic, p) => topic === 'visited' && visited.push(p.path) });
  assert.equal(state, 'REPORTING');
  assert.deepEqual(history, ['IDLE -> SEARCHING (goal)', 'SEARCHING -> REPORTING (EVT_CHAIN_DONE)']);
  assert.equal(report.found, true);
  assert.equal(report.page, '/support/returns');
  assert.deepEqual(report.path, visited);
  await engine.close();
});

test('the agent reports failure after exploring the whole site', async () => {
  const engine = await createAgentEngine();
  const { state, report } = await runAgent(engine, 'gift cards');
  assert.equal(state, 'REPORTING');
  assert.equal(report.found, false);
  assert.equal(report.pagesVisited, 9);
  await engine.close();
});

test('the visit budget bounds the search', async () => {
  const engine = await createAgentEngine({ maxVisits: 3 });
  const { report } = await runAgent(engine, 'opening hours');
  assert.equal(report.found, false);
  assert.equal(report.pagesVisited, 3);
  await engine.close();
});

test('an empty goal is rejected and the machine never starts searching', async () => {
  const engine = await createAgentEngine();
  await assert.rejects(runAgent(engine, '  '), TypeError);
  assert.equal(engine.state.domain.visited.length, 0);
  await engine.close();
});
