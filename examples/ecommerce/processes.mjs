// The checkout processes. Each contract lists what the process may read (inputs) and write (outputs); the engine
// enforces it, runs each call in a transaction and commits it by optimistic compare-and-swap.
import { process } from '../../dist/index.js';
import { chargeCard, locateBin } from './services.mjs';

export class UnknownProductError extends Error {
  name = 'UnknownProductError';
}

export class OutOfStockError extends Error {
  name = 'OutOfStockError';
}

/** Prices the order from the catalog and records it. The audit input rules ran before this body. */
export const validateOrder = process(
  { inputs: ['domain.catalog'], outputs: ['domain.orders'], errors: ['UnknownProductError'] },
  (ctx, { orderId, customer, sku, quantity }) => {
    const product = ctx.domain.catalog[sku];
    if (product === undefined) throw new UnknownProductError(`no product ${sku}`);
    const amount = Math.round(product.price * quantity * 100) / 100;
    ctx.domain.orders[orderId] = { customer, sku, quantity, amount, status: 'validated' };
  },
);

/**
 * Takes the units out of stock after asking the warehouse where they are. Orders for the same product read and write
 * the same counter across that await: the losers of the commit race are re-run on the fresh state (conflicts and
 * retries in the metrics), and stock is never oversold.
 */
export const reserveStock = process(
  { inputs: [], outputs: ['domain.catalog', 'domain.orders'], errors: ['OutOfStockError'], sideEffects: ['warehouse'] },
  async (ctx, { orderId }) => {
    const order = ctx.domain.orders[orderId];
    const product = ctx.domain.catalog[order.sku];
    if (product.stock < order.quantity) throw new OutOfStockError(`${order.sku}: ${product.stock} left, ${order.quantity} wanted`);
    const bin = await locateBin(order.sku);
    product.stock -= order.quantity;
    order.status = 'reserved';
    order.bin = bin;
  },
);

/** Charges the card. A decline is an outcome, not an error: the workflow branches on the order's status. */
export const chargePayment = process(
  { inputs: [], outputs: ['domain.orders', 'domain.payments'], sideEffects: ['payment-gateway'] },
  async (ctx, { orderId }) => {
    const order = ctx.domain.orders[orderId];
    const result = await chargeCard({ customer: order.customer, amount: order.amount });
    ctx.domain.payments[orderId] = { amount: order.amount, ...result };
    order.status = result.approved ? 'paid' : 'declined';
  },
);

/** Books the revenue and issues the invoice. Synchronous, so it commits in one step of the event loop. */
export const issueInvoice = process(
  { inputs: ['global.taxRate'], outputs: ['domain.orders', 'domain.invoices', 'domain.revenue'] },
  (ctx, { orderId }) => {
    const order = ctx.domain.orders[orderId];
    const tax = Math.round(order.amount * ctx.global.taxRate * 100) / 100;
    ctx.domain.invoices.push({ orderId, net: order.amount, tax, total: Math.round((order.amount + tax) * 100) / 100 });
    ctx.domain.revenue = Math.round((ctx.domain.revenue + order.amount) * 100) / 100;
    order.status = 'invoiced';
  },
);

/** Puts the units of a declined order back. */
export const releaseStock = process(
  { inputs: [], outputs: ['domain.catalog', 'domain.orders', 'signal.payment_declined'] },
  (ctx, { orderId }) => {
    const order = ctx.domain.orders[orderId];
    ctx.domain.catalog[order.sku].stock += order.quantity;
    order.status = 'cancelled';
    ctx.signal.payment_declined = { orderId, customer: order.customer };
  },
);

export const CHECKOUT_PROCESSES = [validateOrder, reserveStock, chargePayment, issueInvoice, releaseStock];
