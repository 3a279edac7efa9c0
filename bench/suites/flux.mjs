// Flux: condition evaluation rate and the workflow runner's per-step overhead.
import { compileCondition, parseWorkflow, runWorkflow } from '../../dist/flux/index.js';
import { medianMs, nowMs, opsPerSec, row } from '../lib.mjs';

const GROUP = 'flux';

function conditionRate() {
  const condition = compileCondition("domain.order.status == 'paid' and len(domain.items) > 0");
  const scope = Object.freeze({
    domain: Object.freeze({ order: Object.freeze({ status: 'paid', total: 12 }), items: Object.freeze([1, 2, 3]) }),
    global: Object.freeze({}),
  });
  let sink = 0;
  const rate = opsPerSec(() => {
    if (condition(scope)) sink++;
  }, { ms: 500, batch: 1000 });
  if (sink === 0) throw new Error('condition never held');
  return row({
    group: GROUP,
    name: "condition `domain.order.status == 'paid' and len(domain.items) > 0`",
    opsPerSec: rate,
    target: '≥ 1 000 000 evaluations/s',
    met: rate >= 1_000_000,
  });
}

async function stepOverhead() {
  const STEPS = 5_000;
  const noop = async () => undefined;
  const host = {
    hasProcess: () => true,
    execute: noop,
    conditionScope: () => ({ domain: {}, global: {} }),
    version: () => 0,
  };
  const workflow = parseWorkflow({ steps: Array.from({ length: STEPS }, () => 'noop') });
  const direct = async () => {
    const start = nowMs();
    for (let i = 0; i < STEPS; i++) await noop('noop', {}, {});
    return nowMs() - start;
  };
  const runner = async () => {
    const start = nowMs();
    await runWorkflow(host, workflow);
    return nowMs() - start;
  };
  await runner();
  await direct();
  const runnerMs = await medianMs(runner, 7);
  const directMs = await medianMs(direct, 7);
  const overheadUs = ((runnerMs - directMs) / STEPS) * 1000;
  return row({
    group: GROUP,
    name: `runner overhead per process step (${STEPS} no-op async steps vs calling the no-op in a loop)`,
    value: `${overheadUs.toFixed(2)} µs/step (runner ${((runnerMs / STEPS) * 1000).toFixed(2)} µs, direct ${((directMs / STEPS) * 1000).toFixed(3)} µs)`,
    target: '≤ 10 µs per step',
    met: overheadUs <= 10,
  });
}

export default async function () {
  return [conditionRate(), await stepOverhead()];
}
