// A bank transfer on Theus: a contract-checked process, concurrent transfers committed by
// optimistic compare-and-swap, a rejected transfer that leaves no trace, and the delta log of a
// transaction. Run with `npm run demo:bank` (after `npm run build`).
import { TheusEngine, defineProcess, toPlain } from '../../dist/index.js';

const transfer = defineProcess(
  { name: 'transfer', inputs: ['domain.accounts'], outputs: ['domain.accounts', 'signal.transferred'], errors: ['RangeError'] },
  async (ctx, { from, to, amount }) => {
    if (!(amount > 0)) throw new RangeError(`amount must be positive (got ${amount})`);
    const accounts = ctx.domain.accounts;
    if ((accounts[from] ?? 0) < amount) throw new RangeError(`${from} has ${accounts[from] ?? 0}, cannot send ${amount}`);
    await new Promise((r) => setTimeout(r, Math.random() * 2)); // other transfers interleave here
    accounts[from] -= amount;
    accounts[to] = (accounts[to] ?? 0) + amount;
    ctx.signal.transferred = { from, to, amount };
  },
);

const engine = new TheusEngine({ domain: { accounts: { alice: 100, bob: 50, carol: 0 } } }, { maxRetries: 50 });
engine.register(transfer);
engine.signals.subscribe('transferred', (m) => console.log(`  signal v${m.version}: ${m.payload.from} → ${m.payload.to} ${m.payload.amount}`));

console.log(`v${engine.state.version}`, JSON.stringify(toPlain(engine.state.domain.accounts)));

console.log('\n20 concurrent transfers (they interleave across await; conflicts retry on fresh snapshots):');
const people = ['alice', 'bob', 'carol'];
await Promise.allSettled(
  Array.from({ length: 20 }, (_, i) => engine.execute('transfer', { from: people[i % 3], to: people[(i + 1) % 3], amount: 1 + (i % 5) })),
);
const total = Object.values(engine.state.domain.accounts).reduce((a, b) => a + b, 0);
console.log(`v${engine.state.version}`, JSON.stringify(toPlain(engine.state.domain.accounts)), `total ${total} (always 150)`);

console.log('\nA failing transfer rolls back completely:');
const before = engine.state;
try {
  await engine.execute('transfer', { from: 'carol', to: 'alice', amount: 10_000 });
} catch (e) {
  console.log(`  ${e.name}: ${e.message}`);
}
console.log(`  same state object: ${engine.state === before}, version still v${engine.state.version}`);

console.log('\nThe delta log of one transaction (JSON-Patch-like, paths as arrays):');
const tx = engine.state.transaction();
tx.domain.accounts.alice -= 5;
tx.domain.accounts.dave = 5;
delete tx.domain.accounts.carol;
for (const op of tx.delta()) console.log(' ', JSON.stringify(op));
tx.rollback();

const m = engine.metrics();
console.log(`\nmetrics: ${m.commits} commits, ${m.conflicts} conflicts, ${m.retries} retries, ${m.rollbacks} rollbacks, ${m.vipGrants} VIP grants`);
await engine.close();
