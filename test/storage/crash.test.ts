/**
 * Crash safety: a child under concurrent load is killed with SIGKILL at random moments, several
 * rounds on one file. After each kill the store reopens with every acknowledged commit, the state
 * equals the prefix up to its version, and every outbox message of an acknowledged commit is
 * delivered (by the child before it died, or after reopening).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutboxRelay } from '../../src/storage/outbox-relay.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import { bundleFixture, collect } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'theus-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Round {
  acked: number[];
  delivered: Map<string, number>;
  ready: number;
}

/** Runs the child until it has acknowledged `minAcks` commits plus a random extra delay, then kills it. */
async function runAndKill(script: string, file: string, durability: string, mode: string, minAcks: number, extraMs: number, pad: number): Promise<Round> {
  const journal = `${file}.journal-${Math.random().toString(36).slice(2)}`;
  const child = spawn(process.execPath, [script, file, durability, '16', mode, journal], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, THEUS_CRASH_PAD: String(pad) } });
  const round: Round = { acked: [], delivered: new Map(), ready: -1 };
  let seen = 0;
  let stderr = '';
  let buf = '';
  let killTimer: NodeJS.Timeout | undefined;
  // 'close', not 'exit': the last lines the child wrote may still be in the pipe when it exits.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
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
  const code = await exited;
  if (killTimer === undefined) throw new Error(`child ended before being killed (code ${String(code)}): ${stderr}`);
  clearTimeout(killTimer);
  for (const line of readFileSync(journal, 'utf8').split('\n')) {
    const [tag, a, b] = line.split(' ');
    if (tag === 'READY') round.ready = Number(a);
    else if (tag === 'A') round.acked.push(Number(a));
    else if (tag === 'D') round.delivered.set(a as string, Number(b));
  }
  rmSync(journal, { force: true });
  return round;
}

async function crashRounds(mode: 'store' | 'engine', rounds: number, pad = 0): Promise<void> {
  const script = await bundleFixture('crash-child');
  const file = join(dir, `${mode}-${pad}.db`);
  const delivered = new Map<string, number>();
  let lastVersion = 0;
  let totalAcked = 0;
  for (let r = 0; r < rounds; r++) {
    const durability = r % 2 === 0 ? 'full' : 'normal';
    const round = await runAndKill(script, file, durability, mode, 20 + Math.floor(Math.random() * 200), Math.floor(Math.random() * 60), pad);
    expect(round.ready).toBe(lastVersion);
    for (const [id, v] of round.delivered) delivered.set(id, v);
    const maxAck = Math.max(...round.acked);
    totalAcked += round.acked.length;

    const store = sqliteStore(file);
    const opened = await store.open({});
    const v = opened.version;
    // No acknowledged commit is missing; the state is exactly the prefix up to v.
    expect(v).toBeGreaterThanOrEqual(maxAck);
    const domain = (opened.root as { domain: { n: number; sum: number } }).domain;
    expect(domain.n).toBe(v);
    expect(domain.sum).toBe((v * (v + 1)) / 2);
    const history = await collect(store.history({ from: lastVersion + 1 }));
    expect(history.map((h) => h.version)).toEqual(Array.from({ length: v - lastVersion }, (_, i) => lastVersion + i + 1));
    // Every message of a committed version is delivered: before the crash, or now.
    const relay = new OutboxRelay(store.outbox, (m) => void delivered.set(m.id, (m.payload as { v: number }).v));
    await relay.drain();
    await relay.stop();
    expect(await store.outbox.pending()).toBe(0);
    const versionsDelivered = new Set(delivered.values());
    for (let k = 1; k <= v; k++) if (!versionsDelivered.has(k)) throw new Error(`message of version ${k} never delivered`);
    await store.close();
    lastVersion = v;
  }
  expect(totalAcked).toBeGreaterThan(rounds * 20 - 1);
}

describe('crash safety (SIGKILL under concurrent load)', () => {
  it('store level: 8 rounds, full and normal durability', async () => {
    await crashRounds('store', 8);
  }, 60_000);

  it('store level with 100 kB commits, so the log is checkpointed and restarted many times a round: 6 rounds', async () => {
    await crashRounds('store', 6, 100_000);
  }, 120_000);

  it('engine level (execute + ctx.outbox.add, worker attached): 4 rounds', async () => {
    await crashRounds('engine', 4);
  }, 60_000);
});
