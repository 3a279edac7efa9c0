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

/** What a killed crash-test child wrote to its journal. */
export interface CrashRound {
  /** The version the child opened at. */
  ready: number;
  /** Versions whose commit the child saw acknowledged. */
  acked: number[];
  /** Outbox messages the child's worker received: id → the version in the payload. */
  delivered: Map<string, number>;
}

/**
 * Runs a crash-test child (`node script ...args journal`) until it has acknowledged `minAcks`
 * commits plus `extraMs`, kills it with SIGKILL, and reads its journal. The child journals with
 * synchronous writes (`READY <v>`, `A <v>`, `D <id> <v>`) and prints a line on stdout every 10
 * acknowledgements, which is how the parent knows when to kill.
 */
export async function runUntilKilled(script: string, args: readonly string[], journal: string, minAcks: number, extraMs: number, env: NodeJS.ProcessEnv = process.env): Promise<CrashRound> {
  const { spawn } = await import('node:child_process');
  const { readFileSync, rmSync } = await import('node:fs');
  const child = spawn(process.execPath, [script, ...args, journal], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let seen = 0;
  let stderr = '';
  let buf = '';
  let killTimer: NodeJS.Timeout | undefined;
  // 'close', not 'exit': the last lines the child wrote may still be in the pipe when it exits.
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('A')) seen += 10;
      if (seen >= minAcks && killTimer === undefined) killTimer = setTimeout(() => child.kill('SIGKILL'), extraMs);
    }
  });
  const code = await closed;
  if (killTimer === undefined) throw new Error(`child ended before being killed (code ${String(code)}): ${stderr}`);
  clearTimeout(killTimer);
  const round: CrashRound = { ready: -1, acked: [], delivered: new Map() };
  for (const line of readFileSync(journal, 'utf8').split('\n')) {
    const [tag, a, b] = line.split(' ');
    if (tag === 'READY') round.ready = Number(a);
    else if (tag === 'A') round.acked.push(Number(a));
    else if (tag === 'D') round.delivered.set(a as string, Number(b));
  }
  rmSync(journal, { force: true });
  return round;
}

/**
 * After a crash round, on the store reopened: every acknowledged commit is there; the state is
 * exactly the prefix up to the store's version (each commit v sets domain.n = v and domain.sum =
 * 1 + … + v); the history since `from` has no gap; and every outbox message of a committed version
 * is delivered, before the crash (`delivered`) or now. Draining goes on until nothing is pending, so
 * messages a dead relay had leased count once their lease expires. Returns the version.
 */
export async function verifyAfterCrash(store: TheusStore, round: CrashRound, from: number, delivered: Map<string, number>): Promise<number> {
  const { expect } = await import('vitest');
  const { OutboxRelay } = await import('../../src/storage/outbox-relay.js');
  for (const [id, v] of round.delivered) delivered.set(id, v);
  const opened = await store.open({});
  const v = opened.version;
  expect(v).toBeGreaterThanOrEqual(Math.max(...round.acked));
  const domain = (opened.root as { domain: { n: number; sum: number } }).domain;
  expect(domain.n).toBe(v);
  expect(domain.sum).toBe((v * (v + 1)) / 2);
  const history = await collect(store.history({ from: from + 1 }));
  expect(history.map((h) => h.version)).toEqual(Array.from({ length: v - from }, (_, i) => from + i + 1));
  const relay = new OutboxRelay(store.outbox, (m) => void delivered.set(m.id, (m.payload as { v: number }).v), { pollMs: 20 });
  const start = Date.now();
  while ((await store.outbox.pending()) > 0) {
    if (Date.now() - start > 15_000) throw new Error('outbox messages still pending 15 s after the kill');
    await relay.drain();
    if ((await store.outbox.pending()) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await relay.stop();
  expect(await store.outbox.pending()).toBe(0);
  const versionsDelivered = new Set(delivered.values());
  for (let k = 1; k <= v; k++) if (!versionsDelivered.has(k)) throw new Error(`message of version ${k} never delivered`);
  return v;
}
