// The process of the crash-and-restart stage: one order, its stock counter, and its confirmation
// e-mail in the outbox, committed together.
import { process as defineProcess } from '../../dist/index.js';

export const placeOrder = defineProcess(
  { name: 'placeOrder', inputs: ['domain.count'], outputs: ['domain.orders', 'domain.count'], semantic: 'effect' },
  (ctx, { orderId, sku, quantity }) => {
    ctx.domain.orders[orderId] = { sku, quantity, status: 'placed' };
    ctx.domain.count += 1;
    // Committed with the order, or not at all: a confirmation e-mail for every placed order.
    ctx.outbox.add('order.confirmation', { orderId });
  },
);
