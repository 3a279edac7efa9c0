import { checkout, createShop } from './shop.mjs';

const customers = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'mallory'];
const skus = ['KBD-001', 'MSE-002', 'MON-003', 'CAB-004', 'HUB-005'];

// A day of orders: mostly ordinary, a few bulk ones, and some that the audit rules or the business refuse.
const orders = Array.from({ length: 30 }, (_, i) => ({
  orderId: `ORD-${String(i + 1).padStart(3, '0')}`,
  customer: customers[i % customers.length],
  sku: skus[i % skus.length],
  quantity: 1 + (i % 4),
}));
orders.push(
  { orderId: 'ORD-101', customer: 'grace', sku: 'CAB-004', quantity: 25 }, // bulk: counted (C) and signalled
  { orderId: 'ORD-102', customer: 'heidi', sku: 'MSE-002', quantity: 0 }, // blocked: quantity < 1
  { orderId: 'ORD-103', customer: 'ivan', sku: 'KBD-001', quantity: 500 }, // blocked: over 100 units
  { orderId: 'ORD-104', customer: 'judy', sku: 'kbd 1', quantity: 1 }, // blocked: malformed SKU
  { orderId: 'ORD-105', customer: 'ken', sku: 'TAB-999', quantity: 1 }, // unknown product
);

const engine = await createShop();
const bulk = [];
engine.signals.subscribe('bulk_order', (message) => bulk.push(message.payload));

const started = performance.now();
const outcomes = await checkout(engine, orders);
const elapsed = performance.now() - started;

const byOutcome = new Map();
for (const o of outcomes) {
  const key = o.ok ? o.status : o.code;
  byOutcome.set(key, (byOutcome.get(key) ?? 0) + 1);
}
for (const o of outcomes.filter((x) => !x.ok || x.status !== 'invoiced')) {
  console.log(`${o.order.orderId}  ${(o.ok ? o.status : o.code).padEnd(20)} ${o.ok ? engine.state.domain.orders[o.order.orderId].declineReason ?? '' : o.error}`);
}

const { domain } = engine.state;
const metrics = engine.metrics();
const audit = engine.audit.stats().totals;
console.log('');
console.log(`${orders.length} orders in ${elapsed.toFixed(0)} ms: ${[...byOutcome].map(([k, n]) => `${n} ${k}`).join(', ')}`);
console.log(`revenue ${domain.revenue.toFixed(2)} ${engine.state.global.currency} net, ${domain.invoices.length} invoices`);
console.log(`stock left: ${Object.entries(domain.catalog).map(([sku, p]) => `${sku} ${p.stock}`).join(', ')}`);
console.log(`bulk orders signalled to the warehouse: ${bulk.map((b) => b.orderId).join(', ') || 'none'}`);
console.log(`engine: ${metrics.commits} commits, ${metrics.conflicts} conflicts, ${metrics.retries} retries, state version ${engine.state.version}`);
console.log(`audit: ${audit.violations} violations, ${audit.blocks} blocked, ${audit.violations - audit.blocks} counted`);

await engine.close();
