import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEngine, runPipeline } from '../src/app.mjs';

test('the workflow works through the whole inbox', async () => {
  const engine = await createEngine();
  const { result } = await runPipeline(engine);
  const { domain } = engine.state;
  assert.equal(domain.queue.length, 0);
  assert.equal(domain.done.length, domain.inbox.length);
  assert.equal(domain.report.count, domain.inbox.length);
  // loadTasks + one processNext per task + report
  assert.equal(result.steps.length, domain.inbox.length + 2);
  await engine.close();
});

test('the audit recipe blocks an oversized inbox before anything is queued', async () => {
  const inbox = Array.from({ length: 60 }, (_, i) => ({ title: `task ${i}`, minutes: 5 }));
  const engine = await createEngine({ inbox });
  await assert.rejects(runPipeline(engine), (error) => error.code === 'AUDIT_BLOCK');
  assert.equal(engine.state.domain.queue.length, 0);
  await engine.close();
});

test('the report rule only counts a long day (level C) without blocking it', async () => {
  const inbox = Array.from({ length: 10 }, (_, i) => ({ title: `task ${i}`, minutes: 60 }));
  const engine = await createEngine({ inbox });
  await runPipeline(engine);
  assert.equal(engine.state.domain.report.minutes, 600);
  const logged = engine.audit.log({ process: 'report' });
  assert.equal(logged.length, 1);
  assert.equal(logged[0].action, 'logged');
  await engine.close();
});
