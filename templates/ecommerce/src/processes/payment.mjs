import { defineProcess } from 'theus';
import { chargeCard } from '../services.mjs';

/**
 * Charges the order through the gateway. A declined card is a normal outcome, recorded on the order; the workflow
 * branches on it. Async: other checkouts run while this one waits for the gateway.
 */
export const chargePayment = defineProcess(
  {
    inputs: ['global.currency'],
    outputs: ['domain.orders', 'domain.payments'],
    sideEffects: ['payment-gateway'],
  },
  async (ctx, { orderId }) => {
    const order = ctx.domain.orders[orderId];
    const result = await chargeCard({ customer: order.customer, amount: order.amount, currency: ctx.global.currency });
    ctx.domain.payments[orderId] = { reference: result.reference, amount: order.amount, approved: result.approved };
    order.status = result.approved ? 'paid' : 'declined';
    if (!result.approved) order.declineReason = result.reason;
  },
);
