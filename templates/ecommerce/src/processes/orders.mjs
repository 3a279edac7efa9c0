import { defineProcess } from 'theus';
import { DuplicateOrderError, OutOfStockError, UnknownProductError } from '../errors.mjs';
import { locateBin } from '../services.mjs';

/**
 * Records a new order priced from the catalog.
 * The audit recipe checks the call's args (quantity, sku) before this body runs.
 */
export const validateOrder = defineProcess(
  {
    inputs: ['domain.catalog'],
    outputs: ['domain.orders'],
    errors: ['UnknownProductError', 'DuplicateOrderError'],
  },
  (ctx, { orderId, customer, sku, quantity }) => {
    const product = ctx.domain.catalog[sku];
    if (product === undefined) throw new UnknownProductError(`no product ${sku} in the catalog`);
    if (ctx.domain.orders[orderId] !== undefined) throw new DuplicateOrderError(`order ${orderId} already exists`);
    const amount = Math.round(product.price * quantity * 100) / 100;
    ctx.domain.orders[orderId] = { id: orderId, customer, sku, quantity, unitPrice: product.price, amount, status: 'validated' };
  },
);

/**
 * Takes the ordered quantity out of stock. Concurrent orders for the same product read and write the same stock
 * counter while they wait for the warehouse: the engine detects the conflict at commit and re-runs the loser on the
 * fresh state, so stock is never oversold.
 */
export const reserveStock = defineProcess(
  {
    inputs: [],
    outputs: ['domain.catalog', 'domain.orders'],
    errors: ['OutOfStockError'],
    sideEffects: ['warehouse'],
  },
  async (ctx, { orderId }) => {
    const order = ctx.domain.orders[orderId];
    const product = ctx.domain.catalog[order.sku];
    if (product.stock < order.quantity) {
      throw new OutOfStockError(`only ${product.stock} × ${order.sku} left, order ${orderId} wants ${order.quantity}`);
    }
    const bin = await locateBin(order.sku);
    product.stock -= order.quantity;
    order.status = 'reserved';
    order.bin = bin;
  },
);

/** Puts the stock of an order whose payment was declined back, and cancels the order. */
export const releaseStock = defineProcess(
  { inputs: [], outputs: ['domain.catalog', 'domain.orders'] },
  (ctx, { orderId }) => {
    const order = ctx.domain.orders[orderId];
    ctx.domain.catalog[order.sku].stock += order.quantity;
    order.status = 'cancelled';
  },
);
