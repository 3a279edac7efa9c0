// Crash and restart: a shop process under load is killed with SIGKILL (no chance to clean up), its
// database is reopened, and what the shop acknowledged before dying is compared with what is there.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TheusEngine } from '../../dist/index.js';
import { placeOrder } from './shop.mjs';

const child = fileURLToPath(new URL('./crash-child.mjs', import.meta.url));

function readJournal(file) {
  const acked = new Set();
  const delivered = new Set();
  let ready = false;
  if (!existsSync(file)) return { acked, delivered, ready };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [tag, id] = line.split(' ');
    if (tag === 'READY') ready = true;
    else if (tag === 'A') acked.add(id);
    else if (tag === 'D') delivered.add(id);
  }
  return { acked, delivered, ready };
}

/** Runs the shop until it acknowledged about `orders` orders, kills it, reopens, and compares. */
export async function crashAndRestart(dbFile, { orders = 400 } = {}) {
  const journalFile = `${dbFile}.journal`;
  for (const f of [dbFile, `${dbFile}-wal`, journalFile]) rmSync(f, { force: true });

  const shop = spawn(process.execPath, [child, dbFile, journalFile], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise((resolve) => shop.on('exit', (code, signal) => resolve(signal ?? code)));
  let died = false;
  void exited.then(() => (died = true));
  // Kill once enough orders were acknowledged, at whatever moment that happens to be.
  while (!died && readJournal(journalFile).acked.size < orders) await new Promise((resolve) => setTimeout(resolve, 10));
  shop.kill('SIGKILL');
  const how = await exited;
  const before = readJournal(journalFile);

  const started = performance.now();
  // Using the killed engine's file: its lock went with the process.
  const engine = await TheusEngine.open({ domain: { orders: {}, count: 0 } }, { storage: dbFile });
  const reopenMs = performance.now() - started;
  engine.register(placeOrder);
  try {
    const { domain, version } = engine.state;
    const stored = new Set(Object.keys(domain.orders));
    const missing = [...before.acked].filter((id) => !stored.has(id));
    const pending = await engine.outbox.pending();
    const afterRestart = new Set();
    engine.attachWorker((message) => void afterRestart.add(message.payload.orderId));
    await engine.processOutbox();
    const unconfirmed = [...stored].filter((id) => !before.delivered.has(id) && !afterRestart.has(id));
    const twice = [...afterRestart].filter((id) => before.delivered.has(id)).length;
    // The shop resumes exactly where it stopped: one more order is version + 1.
    await engine.execute('placeOrder', { orderId: 'after-restart', sku: 'SKU-1', quantity: 1 });
    return {
      killedBy: how,
      acknowledged: before.acked.size,
      version,
      storedOrders: stored.size,
      count: domain.count,
      missing: missing.length,
      unacknowledgedButDurable: stored.size - before.acked.size,
      deliveredBeforeCrash: before.delivered.size,
      pendingAtRestart: pending,
      deliveredAfterRestart: afterRestart.size,
      deliveredTwice: twice,
      unconfirmed: unconfirmed.length,
      resumedAt: engine.state.version,
      reopenMs,
    };
  } finally {
    await engine.close();
    rmSync(journalFile, { force: true });
  }
}
