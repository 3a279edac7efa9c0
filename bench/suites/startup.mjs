// What a user pays before the first line of their program: the time `import('theus')` adds to a fresh Node process,
// which modules that loads, and the size of what `npm install theus` puts on disk.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, lstatSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { row } from '../lib.mjs';

const GROUP = 'startup';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNS = 9;

/** One fresh process: `import(specifier)` timed inside it, and the packages it resolved from node_modules. */
function importOnce(url) {
  const script = [
    "import * as nodeModule from 'node:module';",
    'const packages = new Set();',
    // Node 22.15+ has synchronous hooks; on Node 20 the package list is simply not collected.
    "if (typeof nodeModule.registerHooks === 'function') nodeModule.registerHooks({ resolve(s, c, next) { const r = next(s, c); const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(r.url); if (m) packages.add(m[1]); return r; } });",
    'const t = performance.now();',
    url === undefined ? '' : `await import(${JSON.stringify(url)});`,
    'const ms = performance.now() - t;',
    "process.stdout.write(JSON.stringify({ ms, packages: [...packages], hooks: typeof nodeModule.registerHooks === 'function' }));",
  ].join('\n');
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0) throw new Error(`startup bench: the child failed: ${child.stderr}`);
  return { ...JSON.parse(child.stdout), wallMs };
}

function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Alternates the measured import with a bare process so machine noise hits both alike. */
function measure(url) {
  const bare = [];
  const loaded = [];
  let packages = [];
  let hooks = false;
  importOnce(undefined);
  for (let i = 0; i < RUNS; i++) {
    bare.push(importOnce(undefined).wallMs);
    const run = importOnce(url);
    loaded.push(run);
    packages = run.packages;
    hooks = run.hooks;
  }
  return { importMs: median(loaded.map((r) => r.ms)), overMs: median(loaded.map((r) => r.wallMs)) - median(bare), packages, hooks };
}

function dirSize(path) {
  const info = lstatSync(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of readdirSync(path)) total += dirSize(join(path, entry));
  return total;
}

/** The runtime dependency closure (dependencies, recursively; optional peers left out) as installed here. */
function runtimeClosure() {
  const seen = new Map();
  const visit = (name, from) => {
    if (seen.has(name)) return;
    let dir = from;
    let found;
    while (true) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) {
        found = candidate;
        break;
      }
      const parent = dirname(dir);
      if (parent === dir) return;
      dir = parent;
    }
    const manifest = JSON.parse(readFileSync(join(found, 'package.json'), 'utf8'));
    seen.set(name, dirSize(found));
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, found);
  };
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, ROOT);
  return seen;
}

/** `npm pack --dry-run`: the tarball and what it unpacks to. */
function packedSize() {
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  if (pack.status !== 0) return undefined;
  const [info] = JSON.parse(pack.stdout);
  return { size: info.size, unpacked: info.unpackedSize, files: info.entryCount };
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export default async function startup() {
  const rows = [];
  for (const [label, path] of [
    ["import('theus')", 'dist/index.js'],
    ["import('theus/core')", 'dist/core/index.js'],
  ]) {
    const { importMs, overMs, packages, hooks } = measure(pathToFileURL(join(ROOT, path)).href);
    rows.push(
      row({
        group: GROUP,
        name: `${label}: in-process import time`,
        value: `${importMs.toFixed(1)} ms`,
        ratio: `+${overMs.toFixed(0)} ms over bare node`,
        target: 'no optional subsystem loaded',
        // The package list needs Node 22.15+ hooks; on Node 20 only the times are reported.
        met: hooks ? !packages.some((p) => ['yaml', 'piscina', 're2js', 'typescript', 'commander'].includes(p)) : undefined,
      }),
    );
    if (hooks) rows.push(row({ group: GROUP, name: `${label}: packages loaded from node_modules`, value: packages.length === 0 ? 'none' : packages.join(', ') }));
  }
  const closure = runtimeClosure();
  const depBytes = [...closure.values()].reduce((a, b) => a + b, 0);
  const packed = packedSize();
  if (packed !== undefined) {
    rows.push(row({ group: GROUP, name: 'npm pack: theus itself', value: `${mb(packed.unpacked)} (${packed.files} files, ${mb(packed.size)} packed)` }));
  }
  rows.push(
    row({
      group: GROUP,
      name: `installed runtime dependencies (${[...closure.keys()].join(', ')})`,
      value: mb(depBytes),
      ratio: packed === undefined ? undefined : `total ${mb(depBytes + packed.unpacked)}`,
      target: 'typescript not installed with theus',
      met: !closure.has('typescript'),
    }),
  );
  return rows;
}
