// SignalHub against node:events EventEmitter (synchronous fan-out) and the stream consumer's drain rate.
import { EventEmitter } from 'node:events';
import { SignalHub } from '../../dist/signals/index.js';
import { opsPerSec, opsPerSecAsync, ratio, row } from '../lib.mjs';

const GROUP = 'signals';

function fanOut(listeners) {
  let sink = 0;
  const hub = new SignalHub({ versionOf: () => 1 });
  const emitter = new EventEmitter();
  emitter.setMaxListeners(100);
  for (let i = 0; i < listeners; i++) {
    hub.subscribe('tick', (m) => {
      sink += m.version;
    });
    emitter.on('tick', (payload) => {
      sink += payload.v;
    });
  }
  const payload = { v: 1 };
  // Alternate the two measurements so VM noise hits both sides alike; keep each side's best run.
  let hubOps = 0;
  let emitterOps = 0;
  for (let round = 0; round < 3; round++) {
    hubOps = Math.max(hubOps, opsPerSec(() => hub.publish('tick', payload), { batch: 100, ms: 250 }));
    emitterOps = Math.max(emitterOps, opsPerSec(() => emitter.emit('tick', payload), { batch: 100, ms: 250 }));
  }
  if (sink === -1) console.log(sink);
  const r = ratio(hubOps, emitterOps);
  return [
    row({ group: GROUP, name: `EventEmitter emit, ${listeners} listener(s)`, opsPerSec: emitterOps }),
    row({ group: GROUP, name: `SignalHub publish, ${listeners} exact subscriber(s)`, opsPerSec: hubOps, ratio: `${r.toFixed(2)}x EventEmitter`, target: '≥ 0.5x EventEmitter', met: r >= 0.5 }),
  ];
}

async function streamDrain() {
  const hub = new SignalHub();
  const stream = hub.stream({ topics: 'tick', bufferSize: 1024 });
  const BATCH = 1000;
  const payload = { v: 1 };
  // One op = publish a batch of 1000, then consume all of it through the async iterator.
  const batches = await opsPerSecAsync(async () => {
    for (let i = 0; i < BATCH; i++) hub.publish('tick', payload);
    for (let i = 0; i < BATCH; i++) await stream.next();
  }, { ms: 1000, warmupMs: 200 });
  await stream.return();
  const perSec = batches * BATCH;
  return row({ group: GROUP, name: 'stream: publish + await next() (1000-msg batches)', opsPerSec: perSec, target: '≥ 1 M msgs/s', met: perSec >= 1e6 });
}

export default async function () {
  return [...fanOut(1), ...fanOut(10), await streamDrain()];
}
