import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TheusEngine } from 'theus';

const file = (relative) => fileURLToPath(new URL(relative, import.meta.url));

/** The initial state of specs/context.json (a fresh copy each time). */
export function initialContext() {
  return JSON.parse(readFileSync(file('../specs/context.json'), 'utf8'));
}

/** An engine with the shop's state, audit recipe and processes. */
export async function createShop(context = initialContext()) {
  const engine = new TheusEngine(context, { auditRecipe: file('../specs/audit_recipe.yaml'), maxRetries: 20 });
  await engine.scanAndRegister(file('./processes'));
  return engine;
}

/**
 * Runs the checkout workflow for every order at once and reports each outcome:
 * `{ order, ok: true, status }` or `{ order, ok: false, code, error }` (the error's code or class name).
 */
export async function checkout(engine, orders) {
  const workflow = file('../workflows/checkout.yaml');
  const settled = await Promise.allSettled(orders.map((order) => engine.executeWorkflow(workflow, { args: order })));
  return settled.map((outcome, i) => {
    const order = orders[i];
    if (outcome.status === 'fulfilled') return { order, ok: true, status: engine.state.domain.orders[order.orderId].status };
    const error = outcome.reason;
    return { order, ok: false, code: error.code ?? error.name, error: error.message };
  });
}
