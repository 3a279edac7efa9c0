import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkout, createShop } from '../src/shop.mjs';

const order = (orderId, sku, quantity, customer = 'alice') => ({ orderId, customer, sku, quantity });

test('a paid order is invoiced and its stock and revenue are booked', async () => {
  const engine = await createShop();
  const stock = engine.state.domain.catalog['MON-003'].stock;
  const [outcome] = await checkout(engine, [order('A-1', 'MON-003', 2)]);
  assert.deepEqual({ ok: outcome.ok, status: outcome.status }, { ok: true, status: 'invoiced' });
  const { domain } = engine.state;
  assert.equal(domain.catalog['MON-003'].stock, stock - 2);
  assert.equal(domain.revenue, 498);
  assert.deepEqual(domain.invoices[0], { number: 'INV-00001', orderId: 'A-1', net: 498, tax: 99.6, total: 597.6 });
  await engine.close();
});

test('a declined payment releases the reserved stock', async () => {
  const engine = await createShop();
  const stock = engine.state.domain.catalog['KBD-001'].stock;
  const [outcome] = await checkout(engine, [order('A-2', 'KBD-001', 1, 'mallory')]);
  assert.equal(outcome.status, 'cancelled');
  assert.equal(engine.state.domain.catalog['KBD-001'].stock, stock);
  assert.equal(engine.state.domain.revenue, 0);
  await engine.close();
});

test('audit rules block bad orders before they are recorded', async () => {
  const engine = await createShop();
  const outcomes = await checkout(engine, [order('B-1', 'MSE-002', 0), order('B-2', 'MSE-002', 101), order('B-3', 'mse-2', 1)]);
  assert.deepEqual(outcomes.map((o) => o.code), ['AUDIT_BLOCK', 'AUDIT_BLOCK', 'AUDIT_BLOCK']);
  assert.deepEqual(engine.state.domain.orders, {});
  assert.equal(engine.audit.stats().totals.blocks, 3);
  await engine.close();
});

test('concurrent orders never oversell: the engine retries conflicting reservations', async () => {
  const engine = await createShop();
  // HUB-005 has 3 in stock; ten customers want one each at the same time.
  const outcomes = await checkout(engine, Array.from({ length: 10 }, (_, i) => order(`C-${i}`, 'HUB-005', 1)));
  const invoiced = outcomes.filter((o) => o.ok && o.status === 'invoiced').length;
  assert.equal(invoiced, 3);
  assert.equal(outcomes.filter((o) => o.code === 'OutOfStockError').length, 7);
  assert.equal(engine.state.domain.catalog['HUB-005'].stock, 0);
  await engine.close();
});

test('a bulk order is counted by the audit (level C) and signalled to the warehouse', async () => {
  const engine = await createShop();
  const signals = [];
  engine.signals.subscribe('bulk_order', (message) => signals.push(message.payload));
  const [outcome] = await checkout(engine, [order('D-1', 'CAB-004', 30)]);
  assert.equal(outcome.status, 'invoiced');
  assert.deepEqual(signals, [{ orderId: 'D-1', sku: 'CAB-004', quantity: 30 }]);
  const counted = engine.audit.log({ process: 'validateOrder', level: 'C' });
  assert.equal(counted.length, 1);
  assert.equal(counted[0].action, 'logged');
  await engine.close();
});
