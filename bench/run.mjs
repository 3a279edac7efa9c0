// Runs every suite in bench/suites (or those named on the command line) and prints one table,
// also written to bench/RESULTS.md. Usage: npm run bench [-- core engine ...]
import { readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import os from 'node:os';
import { fmtOps } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = (await readdir(join(here, 'suites'))).filter((f) => f.endsWith('.mjs')).sort();
const rows = [];
for (const file of files) {
  const name = file.replace(/\.mjs$/, '');
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stderr.write(`bench: ${name}…\n`);
  const mod = await import(pathToFileURL(join(here, 'suites', file)).href);
  const out = await mod.default();
  rows.push(...out);
}
const header = `| group | measurement | throughput | figure | ratio | target | met |\n|---|---|---:|---:|---|---|:-:|`;
const lines = rows.map((r) =>
  `| ${r.group} | ${r.name} | ${fmtOps(r.opsPerSec)} | ${r.value ?? ''} | ${r.ratio ?? ''} | ${r.target ?? ''} | ${r.met === undefined ? '' : r.met ? 'yes' : '**no**'} |`,
);
const table = [header, ...lines].join('\n');
const meta = `Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString().slice(0, 10)}`;
console.log(`\n${meta}\n\n${table}\n`);
if (wanted.length === 0) {
  await writeFile(join(here, 'RESULTS.md'), `# Benchmark results\n\nProduced by \`npm run bench\` (${meta}). Ratios are measured in the same run; absolute figures drift between runs on shared VMs.\n\n${table}\n`);
}
