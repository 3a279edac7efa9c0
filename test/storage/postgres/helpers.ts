import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import type { CommitEntry } from '../../../src/storage/store.js';
import { bundleFixture } from '../support.js';

/**
 * The server the PostgreSQL tests run against: THEUS_PG_URL when set (CI starts one with
 * scripts/with-pg.sh), otherwise a throwaway server started here when the binaries are installed.
 * Without either, the tests skip.
 */
function resolveUrl(): string | undefined {
  if (process.env.THEUS_PG_URL) return process.env.THEUS_PG_URL;
  if (!existsSync('/usr/lib/postgresql/15/bin/initdb')) return undefined;
  try {
    const out = execFileSync('scripts/pg-test-server.sh', ['start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const url = /^THEUS_PG_URL=(.*)$/m.exec(out)?.[1];
    const dir = /^THEUS_PG_DIR=(.*)$/m.exec(out)?.[1];
    if (dir) afterAll(() => void execFileSync('scripts/pg-test-server.sh', ['stop', dir]));
    return url;
  } catch {
    return undefined;
  }
}

export const PG_URL = resolveUrl();

/** A fresh schema name per store under test, so tests never see each other's commits. */
export function freshSchema(): string {
  return `t_${randomBytes(6).toString('hex')}`;
}

let seq = 0;
export function entry(base: number, over: Partial<CommitEntry> & { r?: string[]; w?: string[] } = {}): CommitEntry {
  const { r, w, ...rest } = over;
  return {
    id: `c-${process.pid}-${++seq}-${randomBytes(3).toString('hex')}`,
    baseVersion: base,
    process: 'p',
    ops: [],
    reads: r ?? [],
    writes: w ?? [],
    signals: [],
    outbox: [],
    at: Date.now(),
    ...rest,
  };
}

/** `key('domain', 'a')` → the engine's conflict key for domain.a. */
export function key(...segs: string[]): string {
  return segs.join('\u0000');
}

/**
 * A TCP proxy in front of the server that can break connections on purpose: all at once, or the
 * one that carries a given request, before or after the server answered it.
 */
export class Proxy {
  readonly server: net.Server;
  readonly sockets = new Set<net.Socket>();
  /** When set, the connection whose client sends bytes containing `match` is cut at `when`. */
  trap: { match: string; when: 'before-send' | 'mid-send' | 'after-reply'; count: number } | undefined;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => this.#pipe(client));
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  url(base: string): string {
    const u = new URL(base);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  killAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  async stop(): Promise<void> {
    this.killAll();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  #pipe(client: net.Socket): void {
    const upstream = net.connect(this.target.port, this.target.host);
    this.sockets.add(client);
    this.sockets.add(upstream);
    let armed: 'after-reply' | undefined;
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (buf) => {
      const t = this.trap;
      if (t && t.count > 0 && buf.includes(t.match)) {
        t.count--;
        if (t.when === 'before-send') return cut();
        if (t.when === 'mid-send') {
          // Half a request reaches the server, then the connection dies.
          upstream.write(buf.subarray(0, buf.length >> 1), () => cut());
          return;
        }
        armed = 'after-reply';
      }
      upstream.write(buf);
    });
    upstream.on('data', (buf) => {
      if (armed === 'after-reply') return cut();
      client.write(buf);
    });
    const done = () => {
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      cut();
    };
    client.on('close', done);
    upstream.on('close', done);
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  }
}

export function target(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 5432) };
}

export async function until(cond: () => boolean | Promise<boolean>, what: string, limitMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Bundles one of this folder's fixtures into a runnable module, for child processes. */
export function bundle(name: string): Promise<string> {
  return bundleFixture(name, new URL('./fixtures/', import.meta.url));
}
