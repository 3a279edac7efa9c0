// One engine of the cluster example, run as its own process by main.mjs.
// argv: connection string, schema, engine name, number of transfers.
import { TheusEngine, process } from '../../dist/index.js';
import { postgresStore } from '../../dist/storage/postgres/index.js';

// `process` is Theus's process factory here, so Node's process is reached as globalThis.process.
const [connectionString, schema, name, count] = globalThis.process.argv.slice(2);

const transfer = process(
  { name: 'transfer', inputs: ['domain.accounts'], outputs: ['domain.accounts', 'signal.transferred'] },
  (ctx, { from, to, amount }) => {
    if (ctx.domain.accounts[from] < amount) return; // not enough money: nothing changes
    ctx.domain.accounts[from] -= amount;
    ctx.domain.accounts[to] += amount;
    ctx.signal.transferred = { from, to, amount, by: name };
  },
);

const engine = await TheusEngine.open(
  { domain: { accounts: { alice: 500, bob: 500, carol: 500 } } },
  { storage: postgresStore({ connectionString, schema }), maxRetries: 100 },
);
engine.register(transfer);
let heard = 0;
engine.signals.subscribe('transferred', () => heard++);

const people = ['alice', 'bob', 'carol'];
const pick = () => people[Math.floor(Math.random() * people.length)];
await Promise.all(
  Array.from({ length: 4 }, async (_, lane) => {
    for (let i = lane; i < Number(count); i += 4) {
      const from = pick();
      let to = pick();
      while (to === from) to = pick();
      await engine.execute('transfer', { from, to, amount: 1 + Math.floor(Math.random() * 50) });
    }
  }),
);
// Tell main we are done, then wait for the final version it announces.
globalThis.process.stdout.write(`done\n`);
globalThis.process.stdin.setEncoding('utf8');
globalThis.process.stdin.once('data', async (line) => {
  const target = Number(line.trim());
  while (engine.state.version < target) await new Promise((r) => setTimeout(r, 10));
  globalThis.process.stdout.write(`${JSON.stringify({ name, version: engine.state.version, accounts: engine.state.domain.accounts, heard })}\n`);
  await engine.close();
});
