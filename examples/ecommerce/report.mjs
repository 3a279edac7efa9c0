// Formats the demo's summary from the engine's own reports: state, metrics(), audit.stats() and audit.log().

const money = (n) => n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const int = (n) => n.toLocaleString('en-US');
const ms = (n) => (n < 1000 ? `${n.toFixed(0)} ms` : `${(n / 1000).toFixed(2)} s`);
const row = (label, text) => console.log(`${label.padEnd(12)}${text}`);

function outcomes(orders, settled, state) {
  const counts = new Map();
  settled.forEach((result, i) => {
    const key =
      result.status === 'fulfilled'
        ? state.domain.orders[orders[i].orderId].status
        : result.reason.code === 'AUDIT_BLOCK'
          ? 'blocked by audit'
          : result.reason.name === 'OutOfStockError'
            ? 'out of stock'
            : result.reason.name === 'UnknownProductError'
              ? 'unknown product'
              : `failed (${result.reason.code ?? result.reason.name}: ${result.reason.message})`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  return counts;
}

/** Audit log entries grouped by level and message: what was blocked or counted, and why. */
function auditReasons(engine, level) {
  const reasons = new Map();
  for (const entry of engine.audit.log({ level })) {
    const reason = entry.rule === '<exception>' ? `${entry.process} threw ${String(entry.value).split(':')[0]}` : entry.message.replace(/ \(.*\)$/, '');
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  return [...reasons].map(([reason, n]) => `${reason}: ${n}`).join(' · ');
}

export function printSummary({ engine, initial, orders, settled, declined, forecast, timings }) {
  const { domain, global } = engine.state;
  const metrics = engine.metrics();
  const audit = engine.audit.stats().totals;
  const counts = outcomes(orders, settled, engine.state);
  const withTax = domain.invoices.reduce((sum, inv) => sum + inv.total, 0);

  console.log('Theus e-commerce demo: embedded engine, no server');
  console.log('-'.repeat(72));
  row('Orders', `${orders.length} checkouts run concurrently in ${ms(timings.checkoutMs)} (${int(Math.round(orders.length / (timings.checkoutMs / 1000)))} orders/s)`);
  row('', [...counts].map(([k, n]) => `${n} ${k}`).join(' · '));
  row('Revenue', `${money(domain.revenue)} ${global.currency} net, ${money(withTax)} with tax, ${domain.invoices.length} invoices`);
  row('Declined', `${declined.length} payments declined, stock put back (signal payment_declined)`);
  row('Audit', `${audit.blocks} blocked (B): ${auditReasons(engine, 'B') || 'none'}`);
  row('', `${audit.violations - audit.blocks} counted (C): ${auditReasons(engine, 'C') || 'none'}`);
  row('Engine', `${int(metrics.commits)} commits · ${int(metrics.rollbacks)} rollbacks · ${int(metrics.conflicts)} conflicts · ${int(metrics.retries)} retries · ${metrics.vipGrants} priority-lane grants`);
  const contested = Object.entries(metrics.byProcess)
    .filter(([, c]) => c.conflicts > 0)
    .map(([name, c]) => `${name} ${int(c.conflicts)}`)
    .join(', ');
  row('', `conflicts by process: ${contested || 'none'} (field-level CAS: only writers of the same data collide)`);
  const oversold = Object.entries(domain.catalog).filter(([, p]) => p.stock < 0);
  row('State', `version ${int(engine.state.version)}; version ${initial.version} still reads revenue ${initial.domain.revenue} (immutable snapshots); ${oversold.length === 0 ? 'no product oversold' : `OVERSOLD: ${oversold.map(([s]) => s).join(', ')}`}`);
  if (forecast.skipped !== undefined) row('Forecast', `skipped: ${forecast.skipped}`);
  else {
    row('Forecast', `${int(forecast.rows)} rows × ${forecast.days} days of float32 sales (${(forecast.bytes / 1e6).toFixed(1)} MB in the heavy zone, shared, never copied)`);
    row('', `${forecast.bands} bands on ${forecast.workers} worker threads: ${ms(forecast.parallelMs)} (pool start-up ${ms(forecast.warmUpMs)} before); one thread: ${ms(forecast.sequentialMs)}; results ${forecast.matches ? 'identical' : 'MISMATCH'}`);
    const reorders = Object.entries(forecast.restock)
      .filter(([, p]) => p.reorder > 0)
      .sort((a, b) => b[1].reorder - a[1].reorder);
    const shown = reorders.slice(0, 5).map(([sku, p]) => `${sku} +${int(p.reorder)}`);
    if (reorders.length > 5) shown.push(`${reorders.length - 5} more`);
    row('Restock', reorders.length === 0 ? 'nothing to reorder' : `next week's demand over 2 000 stores: reorder ${shown.join(', ')}`);
  }
  row('Timings', `checkout ${ms(timings.checkoutMs)} · forecast ${ms(timings.forecastMs)} · total ${ms(timings.totalMs)}`);
  const sample = engine.audit.log({ level: 'B', limit: 2 });
  if (sample.length > 0) {
    console.log('');
    console.log('Last blocked calls (engine.audit.log({ level: "B" })):');
    for (const e of sample) console.log(`  v${e.version} ${e.process} ${e.rule} = ${JSON.stringify(e.value)}: ${e.message}`);
  }
  if (forecast.matches === false || oversold.length > 0) process.exitCode = 1;
}

/** The durability part: the store reopened after close, and the shop killed with SIGKILL mid-load. */
export function printDurability({ file, before, after, reopenMs, crash }) {
  const same = before.version === after.version && before.revenue === after.revenue && before.invoices === after.invoices;
  row('Durable', `${file} (SQLite, WAL, durability full): closed at version ${int(before.version)}, reopened in ${ms(reopenMs)} at version ${int(after.version)}, ${same ? 'same revenue and invoices' : 'DIFFERENT STATE'}`);
  row('Crash', `a shop process under load (50 customers) killed with ${crash.killedBy} after ${int(crash.acknowledged)} acknowledged orders;`);
  row('', `reopened in ${ms(crash.reopenMs)} at version ${int(crash.version)}: ${crash.missing === 0 ? 'every acknowledged order is there' : `${crash.missing} ACKNOWLEDGED ORDERS MISSING`}, ${int(crash.unacknowledgedButDurable)} more were on disk but not yet acknowledged; ${crash.count === crash.storedOrders && crash.version === crash.storedOrders ? `count ${int(crash.count)} = orders = version (state is the committed prefix)` : 'COUNT MISMATCH'}`);
  row('Outbox', `${int(crash.deliveredBeforeCrash)} confirmations sent before the crash, ${int(crash.pendingAtRestart)} pending on disk, delivered after restart (${int(crash.deliveredAfterRestart)}); ${crash.unconfirmed === 0 ? 'every stored order confirmed' : `${crash.unconfirmed} ORDERS NEVER CONFIRMED`}${crash.deliveredTwice > 0 ? `, ${crash.deliveredTwice} sent twice (at least once: consumers dedupe by message id)` : ''}`);
  row('Resumed', `the next order commits as version ${int(crash.resumedAt)}`);
  if (!same || crash.missing > 0 || crash.unconfirmed > 0 || crash.count !== crash.storedOrders) process.exitCode = 1;
}
