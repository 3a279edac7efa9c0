// Deterministic demo data: the catalog and a day of orders (a seeded generator, so every run is comparable).

export const CATALOG = {
  'KBD-001': { name: 'Mechanical keyboard', price: 89.9, stock: 180 },
  'KBD-002': { name: 'Low-profile keyboard', price: 69, stock: 120 },
  'MSE-001': { name: 'Wireless mouse', price: 29.5, stock: 360 },
  'MSE-002': { name: 'Trackball', price: 54, stock: 45 },
  'MON-001': { name: '27-inch monitor', price: 249, stock: 75 },
  'MON-002': { name: '32-inch monitor', price: 389, stock: 30 },
  'CAB-001': { name: 'USB-C cable', price: 9.99, stock: 1200 },
  'CAB-002': { name: 'HDMI cable', price: 12.5, stock: 600 },
  'HUB-001': { name: 'USB hub', price: 34, stock: 90 },
  'DCK-001': { name: 'Docking station', price: 179, stock: 36 },
  'CAM-001': { name: 'Webcam', price: 74, stock: 105 },
  'HDS-001': { name: 'Headset', price: 99, stock: 135 },
};

/** mulberry32: a tiny seeded PRNG. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CUSTOMERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'oscar', 'peggy', 'trent', 'victor', 'walter'];

/**
 * `count` orders: mostly ordinary (1-6 units), some large (21-60 units, counted by the audit), and a few that the
 * audit must block (zero or negative quantities, more than 100 units, malformed SKUs) or that name no product.
 */
export function generateOrders(count, seed = 42) {
  const next = random(seed);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const skus = Object.keys(CATALOG);
  const orders = [];
  for (let i = 0; i < count; i++) {
    const roll = next();
    let sku = pick(skus);
    let quantity = 1 + Math.floor(next() * 6);
    if (roll < 0.03) quantity = -Math.floor(1 + next() * 5); // blocked: quantity < 1
    else if (roll < 0.06) quantity = 101 + Math.floor(next() * 400); // blocked: over 100 units
    else if (roll < 0.08) sku = sku.toLowerCase().replace('-', '_'); // blocked: malformed SKU
    else if (roll < 0.09) sku = 'TAB-999'; // well-formed, but not in the catalog
    else if (roll < 0.17) quantity = 21 + Math.floor(next() * 40); // large order: counted, not blocked
    orders.push({ orderId: `ORD-${String(i + 1).padStart(4, '0')}`, customer: pick(CUSTOMERS), sku, quantity });
  }
  return orders;
}
