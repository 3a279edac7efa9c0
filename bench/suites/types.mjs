// Compile cost of typed contracts: `tsc --extendedDiagnostics` on two generated projects over the
// same context type of 200 paths, one with 20 processes written with `defineProcess.for<Ctx>()`
// (ctx typed from each contract, results checked), one with the same 20 written untyped. Both
// import the built declarations (dist/), as a user's project would. Measured with both compilers
// a user may have: TypeScript 5 (the JavaScript compiler, which this repo builds with) and
// TypeScript 7 (the native compiler, the current release).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { row } from '../lib.mjs';

const GROUP = 'types';
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
// THEUS_TYPES_DIST points at another build of the declarations (to measure without touching dist/).
const dist = process.env.THEUS_TYPES_DIST ?? join(repo, 'dist');
const compilers = ['typescript', 'typescript-7'].map((pkg) => {
  const dir = join(repo, 'node_modules', pkg);
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return { label: `TypeScript ${version}`, tsc: join(dir, 'bin', 'tsc') };
});

const PROCESSES = 20;
const SECTIONS = { domain: 12, global: 6 };
const FIELDS = 10;

/** 2 roots + 18 sections + 180 fields = 200 paths; every section mixes leaves, a record and an array. */
function contextType() {
  const field = (i) => (i === 8 ? `f${i}: Record<string, number>` : i === 9 ? `f${i}: { id: number; label: string }[]` : `f${i}: ${i % 2 ? 'string' : 'number'}`);
  const fields = Array.from({ length: FIELDS }, (_, i) => field(i)).join('; ');
  const roots = Object.entries(SECTIONS).map(([root, n]) => `  ${root}: {\n${Array.from({ length: n }, (_, s) => `    s${s}: { ${fields} };`).join('\n')}\n  };`);
  return `export interface Ctx {\n${roots.join('\n')}\n}\n`;
}

/** One process: reads three fields, writes a field and a record entry, returns nothing or one value. */
function processSource(i, typed) {
  const s = i % SECTIONS.domain;
  const g = i % SECTIONS.global;
  const inputs = [`domain.s${s}.f0`, `domain.s${s}.f1`, `global.s${g}.f2`];
  const outputs = i % 2 ? [`domain.s${s}.f4`, `domain.s${s}.f8`] : [`domain.s${s}.f4`];
  const list = (xs) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;
  const factory = typed ? 'p' : 'defineProcess';
  const body =
    i % 2
      ? `ctx.domain.s${s}.f4 = ctx.domain.s${s}.f0 + ctx.global.s${g}.f2 + args.n;\n  ctx.domain.s${s}.f8[ctx.domain.s${s}.f1] = args.n;`
      : `return ctx.domain.s${s}.f0 + ctx.global.s${g}.f2 + args.n + ctx.domain.s${s}.f1.length;`;
  return `export const p${i} = ${factory}({ inputs: ${list(inputs)}, outputs: ${list(outputs)} }, (ctx, args: { n: number }) => {\n  ${body}\n});\n`;
}

function project(dir, typed) {
  mkdirSync(dir, { recursive: true });
  const header = `import { defineProcess } from ${JSON.stringify(join(dist, 'index.js'))};\nimport type { Ctx } from './context.js';\n${typed ? 'const p = defineProcess.for<Ctx>();\n' : 'export type { Ctx };\n'}`;
  writeFileSync(join(dir, 'context.ts'), contextType());
  writeFileSync(join(dir, 'processes.ts'), header + Array.from({ length: PROCESSES }, (_, i) => processSource(i, typed)).join('\n'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [join(repo, 'node_modules', '@types')] },
      files: ['context.ts', 'processes.ts'],
    }),
  );
}

function diagnostics(tsc, dir) {
  let out;
  try {
    out = execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--extendedDiagnostics'], { encoding: 'utf8' });
  } catch (e) {
    throw new Error(`types bench: the generated project in ${dir} does not compile:\n${e.stdout ?? e.message}`, { cause: e });
  }
  const figure = (label) => Number(out.match(new RegExp(`^${label}:\\s+([\\d.]+)`, 'm'))?.[1]);
  return { check: figure('Check time'), instantiations: figure('Instantiations'), types: figure('Types') };
}

/** The fastest of a few runs: check time on a shared machine only drifts upwards. */
function measure(tsc, dir, runs) {
  const all = Array.from({ length: runs }, () => diagnostics(tsc, dir));
  return { check: Math.min(...all.map((d) => d.check)), instantiations: all[0].instantiations, types: all[0].types };
}

export default async function typesSuite() {
  const root = mkdtempSync(join(tmpdir(), 'theus-types-bench-'));
  try {
    project(join(root, 'typed'), true);
    project(join(root, 'untyped'), false);
    const runs = Number(process.env.THEUS_TYPES_RUNS ?? 3);
    const rows = [];
    for (const { label, tsc } of compilers) {
      const typed = measure(tsc, join(root, 'typed'), runs);
      const untyped = measure(tsc, join(root, 'untyped'), runs);
      const extraCheck = typed.check - untyped.check;
      rows.push(
        row({ group: GROUP, name: `${label}: check time, ${PROCESSES} untyped processes (200-path context)`, value: `${untyped.check.toFixed(3)} s` }),
        row({ group: GROUP, name: `${label}: check time, ${PROCESSES} typed processes (200-path context)`, value: `${typed.check.toFixed(3)} s` }),
        row({ group: GROUP, name: `${label}: extra check time, typed vs untyped`, value: `${extraCheck.toFixed(3)} s`, target: '≤ 0.10 s', met: extraCheck <= 0.1 }),
      );
      // Both compilers run the same checker algorithm (the counts agree); one row is enough.
      if (rows.length === 3) {
        const perProcess = (typed.instantiations - untyped.instantiations) / PROCESSES;
        rows.push(row({ group: GROUP, name: 'type instantiations per typed process', value: `${Math.round(perProcess)}`, target: '< 10 000', met: perProcess < 10_000 }));
      }
    }
    return rows;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

// `node bench/suites/types.mjs` runs this suite alone.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await typesSuite()) console.log(`${r.name}: ${r.value}${r.target ? ` (target ${r.target}: ${r.met ? 'met' : 'NOT met'})` : ''}`);
}
