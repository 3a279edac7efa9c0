import { setTimeout as sleep } from 'node:timers/promises';

// Stand-ins for external systems. They answer after a few milliseconds, so concurrent checkouts interleave in the
// engine exactly as they would with real network calls.

export async function locateBin(sku) {
  await sleep(1 + (sku.charCodeAt(4) % 3));
  return `bin-${sku.toLowerCase()}`;
}

export async function chargeCard({ customer, amount }) {
  await sleep(1 + (Math.round(amount) % 4));
  if (customer === 'mallory') return { approved: false, reason: 'card reported stolen' };
  if (amount > 8000) return { approved: false, reason: 'over the card limit' };
  return { approved: true, reference: `pay-${customer}-${Math.round(amount * 100)}` };
}
