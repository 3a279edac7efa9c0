import { setTimeout as sleep } from 'node:timers/promises';

// Stand-ins for external systems. They answer after a short delay, so concurrent checkouts interleave
// inside the engine the way they would with real network calls.

/**
 * The payment provider: declines the customer 'mallory' and any charge above 5 000.
 * @param {{ customer: string, amount: number, currency: string }} charge
 * @returns {Promise<{ approved: boolean, reference: string, reason?: string }>}
 */
export async function chargeCard({ customer, amount, currency }) {
  await sleep(1 + (Math.round(amount) % 5));
  const reference = `pay_${customer}_${Math.round(amount * 100)}_${currency}`;
  if (customer === 'mallory') return { approved: false, reference, reason: 'card reported stolen' };
  if (amount > 5000) return { approved: false, reference, reason: 'amount over the card limit' };
  return { approved: true, reference };
}

/**
 * The warehouse system: where a product is stored.
 * @param {string} sku
 * @returns {Promise<string>}
 */
export async function locateBin(sku) {
  await sleep(1);
  return `bin-${sku.slice(0, 3).toLowerCase()}`;
}
