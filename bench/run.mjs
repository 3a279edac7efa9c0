// Runs the registered suites (or those named on the command line) and prints one table, also written to
// bench/RESULTS.md. Usage: npm run bench [-- core engine ...]
import { readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import os from 'node:os';
import { fmtOps } from './lib.mjs';

// The suites, in run order: one line per file in bench/suites (without .mjs). A new suite adds its line here.
const SUITES = [
  'startup',
  'core',
  'engine',
  'signals',
  'audit',
  'audit-engine',
  'flux',
  'parallel',
  'storage',
  'postgres',
  'inspect',
  'types',
];

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const present = new Set((await readdir(join(here, 'suites'))).filter((f) => f.endsWith('.mjs')).map((f) => f.replace(/\.mjs$/, '')));
const registered = [...new Set(SUITES)];
for (const name of present) if (!registered.includes(name)) process.stderr.write(`bench: suites/${name}.mjs is not listed in bench/run.mjs; it does not run\n`);
for (const name of wanted) if (!registered.includes(name)) throw new Error(`bench: unknown suite '${name}' (known: ${registered.join(', ')})`);

const rows = [];
for (const name of registered) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  if (!present.has(name)) {
    process.stderr.write(`bench: suites/${name}.mjs is listed but missing; skipped\n`);
    continue;
  }
  process.stderr.write(`bench: ${name}…\n`);
  const mod = await import(pathToFileURL(join(here, 'suites', `${name}.mjs`)).href);
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
