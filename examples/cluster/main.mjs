// Three engine processes share one state through PostgreSQL, run concurrent transfers, and then
// compare what they hold. Run with THEUS_PG_URL set, or let this script start a throwaway server:
//   npm run build && scripts/with-pg.sh node examples/cluster/main.mjs
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const url = process.env.THEUS_PG_URL;
if (!url) {
  console.error('Set THEUS_PG_URL, or run: scripts/with-pg.sh node examples/cluster/main.mjs');
  process.exit(2);
}
const schema = `cluster_${randomBytes(3).toString('hex')}`;
const script = fileURLToPath(new URL('./engine.mjs', import.meta.url));

const engines = ['north', 'south', 'east'].map((name) => {
  const child = spawn(process.execPath, [script, url, schema, name, '60'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = '';
  const lines = [];
  const waiters = [];
  child.stdout.on('data', (d) => {
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop();
    lines.push(...parts);
    waiters.splice(0).forEach((w) => w());
  });
  const next = async () => {
    while (lines.length === 0) await new Promise((r) => waiters.push(r));
    return lines.shift();
  };
  return { name, child, next };
});

for (const e of engines) await e.next(); // "done"
const client = new pg.Client({ connectionString: url });
await client.connect();
const head = Number((await client.query(`SELECT version FROM ${schema}.head`)).rows[0].version);
for (const e of engines) e.child.stdin.write(`${head}\n`);
const reports = [];
for (const e of engines) reports.push(JSON.parse(await e.next()));
await client.query(`DROP SCHEMA ${schema} CASCADE`);
await client.end();

for (const r of reports) {
  const total = Object.values(r.accounts).reduce((a, b) => a + b, 0);
  console.log(`${r.name.padEnd(5)} version ${r.version}  accounts ${JSON.stringify(r.accounts)}  total ${total}  signals heard since it joined ${r.heard}`);
}
const same = reports.every((r) => r.version === head && JSON.stringify(r.accounts) === JSON.stringify(reports[0].accounts));
console.log(same ? `The three engines agree: version ${head}, the same balances, money conserved.` : 'The engines DISAGREE.');
process.exit(same ? 0 : 1);
