/**
 * Crash safety on PostgreSQL: an engine process under concurrent load is killed with SIGKILL at
 * random moments, several rounds on one schema, so some kills land with commits in flight on the
 * server (a transaction open, a COMMIT sent and not yet answered). After each kill:
 * - every acknowledged commit is there, and the state is exactly the prefix up to the version
 *   (no half-applied commit, no gap in the history);
 * - the next engine opens and commits at once (no lock or lane is left held by the dead one);
 * - every outbox message of a committed version is delivered: by the dead engine's worker before
 *   it died, or after its leases expire.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutboxRelay } from '../../../src/storage/outbox-relay.js';
import { postgresStore } from '../../../src/storage/postgres/index.js';
import { collect } from '../support.js';
import { PG_URL, bundle, freshSchema } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'theus-pg-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Round {
  acked: number[];
  delivered: Map<string, number>;
  ready: number;
}

/** Runs the child until it has acknowledged `minAcks` commits plus a random delay, then kills it. */
async function runAndKill(script: string, schema: string, minAcks: number, extraMs: number): Promise<Round> {
  const journal = join(dir, `journal-${Math.random().toString(36).slice(2)}`);
  const child = spawn(process.execPath, [script, PG_URL!, schema, journal, '8'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
  const round: Round = { acked: [], delivered: new Map(), ready: -1 };
  for (const line of readFileSync(journal, 'utf8').split('\n')) {
    const [tag, a, b] = line.split(' ');
    if (tag === 'READY') round.ready = Number(a);
    else if (tag === 'A') round.acked.push(Number(a));
    else if (tag === 'D') round.delivered.set(a as string, Number(b));
  }
  return round;
}

describe.skipIf(!PG_URL)('postgres: crash safety (SIGKILL of an engine under concurrent load)', () => {
  it('5 rounds on one schema: acknowledged commits kept, state a prefix, no lock left, outbox delivered', async () => {
    const script = await bundle('crash-engine');
    const schema = freshSchema();
    const delivered = new Map<string, number>();
    let lastVersion = 0;
    let totalAcked = 0;
    for (let r = 0; r < 5; r++) {
      const round = await runAndKill(script, schema, 20 + Math.floor(Math.random() * 150), Math.floor(Math.random() * 40));
      // The child reopened at exactly the version the last check saw: the dead engine left
      // nothing half-done that a new engine would have to wait for or repair.
      expect(round.ready).toBe(lastVersion);
      for (const [id, v] of round.delivered) delivered.set(id, v);
      const maxAck = Math.max(...round.acked);
      totalAcked += round.acked.length;

      const store = postgresStore({ connectionString: PG_URL!, schema, pollMs: 50 });
      const opened = await store.open({});
      const v = opened.version;
      expect(v).toBeGreaterThanOrEqual(maxAck);
      const domain = (opened.root as { domain: { n: number; sum: number } }).domain;
      expect(domain.n).toBe(v);
      expect(domain.sum).toBe((v * (v + 1)) / 2);
      const history = await collect(store.history({ from: lastVersion + 1 }));
      expect(history.map((h) => h.version)).toEqual(Array.from({ length: v - lastVersion }, (_, i) => lastVersion + i + 1));
      // Messages the dead worker had claimed come back once its leases expire.
      const relay = new OutboxRelay(store.outbox, (m) => void delivered.set(m.id, (m.payload as { v: number }).v), { pollMs: 20 });
      const start = Date.now();
      while ((await store.outbox.pending()) > 0) {
        if (Date.now() - start > 15_000) throw new Error('outbox messages still pending 15 s after the kill');
        await relay.drain();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await relay.stop();
      const versionsDelivered = new Set(delivered.values());
      for (let k = 1; k <= v; k++) if (!versionsDelivered.has(k)) throw new Error(`message of version ${k} never delivered`);
      await store.close();
      lastVersion = v;
    }
    expect(totalAcked).toBeGreaterThan(5 * 20 - 1);
  }, 120_000);
});
