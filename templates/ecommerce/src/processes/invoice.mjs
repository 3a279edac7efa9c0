import { defineProcess } from 'theus';

/** Issues the invoice of a paid order and books the revenue. */
export const issueInvoice = defineProcess(
  {
    inputs: ['global.taxRate'],
    outputs: ['domain.orders', 'domain.invoices', 'domain.revenue'],
  },
  (ctx, { orderId }) => {
    const order = ctx.domain.orders[orderId];
    const tax = Math.round(order.amount * ctx.global.taxRate * 100) / 100;
    const total = Math.round((order.amount + tax) * 100) / 100;
    const number = `INV-${String(ctx.domain.invoices.length + 1).padStart(5, '0')}`;
    ctx.domain.invoices.push({ number, orderId, net: order.amount, tax, total });
    ctx.domain.revenue = Math.round((ctx.domain.revenue + order.amount) * 100) / 100;
    order.status = 'invoiced';
    order.invoice = number;
  },
);

/** Tells the warehouse about a bulk order: the signal is published only once this commit succeeds. */
export const notifyWarehouse = defineProcess(
  { inputs: ['domain.orders'], outputs: ['signal.bulk_order'] },
  (ctx, { orderId }) => {
    const order = ctx.domain.orders[orderId];
    ctx.signal.bulk_order = { orderId, sku: order.sku, quantity: order.quantity };
  },
);
