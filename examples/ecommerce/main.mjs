// Theus showcase: an e-commerce checkout on the embedded engine (no server), durable in SQLite.
// Run: npm run build && node examples/ecommerce/main.mjs
import { rmSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TheusEngine } from '../../dist/index.js';
import { crashAndRestart } from './crash.mjs';
import { CATALOG, generateOrders } from './data.mjs';
import { runForecastStage } from './forecast.mjs';
import { CHECKOUT_PROCESSES } from './processes.mjs';
import { printDurability, printSummary } from './report.mjs';

const ORDERS = Number(process.env.ORDERS ?? 200);
const file = (name) => fileURLToPath(new URL(name, import.meta.url));

const DB = file('data/shop.db');
// Each run is a fresh business day: start from an empty store.
for (const f of [DB, `${DB}-wal`]) rmSync(f, { force: true });
const initialState = () => ({
  domain: { catalog: structuredClone(CATALOG), orders: {}, payments: {}, invoices: [], revenue: 0, restock: null },
  global: { currency: 'EUR', taxRate: 0.2 },
});
// Every commit is on disk (SQLite, write-ahead log, synced) before its execute resolves.
const engine = await TheusEngine.open(initialState(), { storage: DB, durability: 'full', auditRecipe: file('audit_recipe.yaml'), maxRetries: 25 });
for (const p of CHECKOUT_PROCESSES) engine.register(p);
const initial = engine.state; // kept to show that old versions stay readable (MVCC)

const declined = [];
engine.signals.subscribe('payment_declined', (message) => declined.push(message.payload.orderId));

try {
  const totalStart = performance.now();

  // 1. Every order runs the checkout workflow at the same time, on one engine.
  const orders = generateOrders(ORDERS);
  const workflow = file('checkout.yaml');
  let started = performance.now();
  const settled = await Promise.allSettled(orders.map((order) => engine.executeWorkflow(workflow, { args: order })));
  const checkoutMs = performance.now() - started;

  // 2. The heavy / parallel stage: next week's demand from a year of sales, then a restock plan.
  started = performance.now();
  const forecast = await runForecastStage(engine);
  const forecastMs = performance.now() - started;

  printSummary({ engine, initial, orders, settled, declined, forecast, timings: { checkoutMs, forecastMs, totalMs: performance.now() - totalStart } });

  // 3. Durability: close, reopen the file, compare; then a shop process killed mid-load.
  const before = { version: engine.state.version, revenue: engine.state.domain.revenue, invoices: engine.state.domain.invoices.length };
  await engine.close();
  started = performance.now();
  const reopened = await TheusEngine.open(initialState(), { storage: DB });
  const reopenMs = performance.now() - started;
  const after = { version: reopened.state.version, revenue: reopened.state.domain.revenue, invoices: reopened.state.domain.invoices.length };
  await reopened.close();
  const crash = await crashAndRestart(file('data/crash.db'));
  printDurability({ file: relative(process.cwd(), DB), before, after, reopenMs, crash });
} finally {
  await engine.close();
}
