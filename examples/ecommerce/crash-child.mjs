// The shop under load, in a process of its own that crash.mjs kills with SIGKILL mid-load.
// argv: database file, journal file. Every acknowledged order and every confirmation sent is
// appended to the journal with a synchronous write, so the journal holds exactly what the shop
// told the outside world before it died.
import { openSync, writeSync } from 'node:fs';
import { TheusEngine } from '../../dist/index.js';
import { placeOrder } from './shop.mjs';

const [dbFile, journalFile] = process.argv.slice(2);
const journal = openSync(journalFile, 'a');
const note = (line) => writeSync(journal, `${line}\n`);

const engine = await TheusEngine.open({ domain: { orders: {}, count: 0 } }, { storage: dbFile, durability: 'full' });
engine.register(placeOrder);
// The mail service is slow: confirmations lag behind orders, so some are pending at the crash.
engine.attachWorker(async (message) => {
  await new Promise((resolve) => setTimeout(resolve, 3));
  note(`D ${message.payload.orderId}`);
});
note('READY');

let next = 0;
async function customer() {
  for (;;) {
    const orderId = `o${++next}`;
    await engine.execute('placeOrder', { orderId, sku: `SKU-${next % 17}`, quantity: 1 + (next % 5) });
    note(`A ${orderId}`);
  }
}
await Promise.all(Array.from({ length: 50 }, customer));
