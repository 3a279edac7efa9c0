import type { CommitEntry, HistoryRecord, StoredOp, TheusStore } from '../../src/storage/store.js';

let counter = 0;

/** A commit entry as the engine would hand it over. */
export function entry(version: number, ops: readonly StoredOp[], extra: Partial<CommitEntry> = {}): CommitEntry {
  return {
    id: `c-${process.pid}-${++counter}`,
    baseVersion: version - 1,
    version,
    process: 'p',
    ops,
    reads: [],
    writes: [],
    signals: [],
    outbox: [],
    at: 1_700_000_000_000 + version,
    ...extra,
  };
}

export function set(path: (string | number)[], value: unknown): StoredOp {
  return { op: 'replace', path, value };
}

export async function collect(it: AsyncIterable<HistoryRecord>): Promise<HistoryRecord[]> {
  const out: HistoryRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

/** Commits `n` increments of domain.n (one entry each), in groups of `group`. */
export async function counterCommits(store: TheusStore, from: number, n: number, group = 1): Promise<number> {
  let v = from;
  while (v < from + n) {
    const batch: CommitEntry[] = [];
    for (let i = 0; i < group && v < from + n; i++) {
      v++;
      batch.push(entry(v, [set(['domain', 'n'], v)], { outbox: [{ topic: 'tick', payload: { v } }] }));
    }
    await store.commit(batch);
  }
  return v;
}

export async function thrownAsync(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

/**
 * Child processes run plain JavaScript: a fixture (a .ts file next to the calling test, under
 * `fixtures/`) is bundled with esbuild into a temporary .mjs inside the project, so that the
 * packages left external (native or optional ones) resolve from the project's node_modules.
 */
export async function bundleFixture(name: string, fixtures: URL = new URL('./fixtures/', import.meta.url)): Promise<string> {
  const { build } = await import('esbuild');
  const { fileURLToPath } = await import('node:url');
  const { mkdirSync } = await import('node:fs');
  const outdir = fileURLToPath(new URL('../../node_modules/.cache/theus-test-fixtures/', import.meta.url));
  mkdirSync(outdir, { recursive: true });
  const outfile = `${outdir}${name}-${process.pid}.mjs`;
  await build({
    entryPoints: [fileURLToPath(new URL(`${name}.ts`, fixtures))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    external: ['better-sqlite3', 'pg', 'piscina', 'yaml', 'commander', 're2js'],
    logLevel: 'silent',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return outfile;
}
