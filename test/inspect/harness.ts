// Shared helpers for the inspector tests: a real engine with an inspector, raw HTTP requests
// (Host and Origin headers set at will), and the page built once into a temp directory.
import { request } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TheusEngine } from '../../src/index.js';
import { startInspector, type Inspector, type InspectorOptions } from '../../src/inspect/index.js';
import { decodeBatch } from '../../src/inspect/stream-batch.js';

let built: Promise<string> | undefined;
export function builtPage(): Promise<string> {
  built ??= (async () => {
    // @ts-expect-error a plain .mjs build script without type declarations
    const { buildInspectorPage } = await import('../../scripts/build-inspector.mjs');
    return buildInspectorPage(mkdtempSync(join(tmpdir(), 'theus-page-')), { minify: false }) as Promise<string>;
  })();
  return built;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export async function getJson(url: string): Promise<any> {
  const r = await get(url);
  return { status: r.status, ...(JSON.parse(r.body) as object) };
}

export async function inspected(
  initial: Record<string, unknown>,
  options: InspectorOptions = {},
  engineOptions: Record<string, unknown> = {},
  handOver: (e: TheusEngine) => unknown = (e) => e,
): Promise<{ engine: TheusEngine; insp: Inspector; api: (q: string) => Promise<any>; close: () => Promise<void> }> {
  const engine = new TheusEngine(initial, engineOptions);
  const insp = await startInspector(handOver(engine) as never, { pageDir: await builtPage(), ...options });
  return {
    engine,
    insp,
    api: (q: string) => getJson(`${insp.url}api/${q}`),
    close: async () => {
      await insp.close();
      await engine.close();
    },
  };
}

/** Reads Server-Sent Events from a URL until `until` returns true for the events so far. */
export function readSse(url: string, until: (events: any[]) => boolean, headers: Record<string, string> = {}): { done: Promise<any[]>; abort: () => void } {
  let abort = () => {};
  const done = new Promise<any[]>((resolve, reject) => {
    const events: any[] = [];
    const req = request(url, { headers }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          const event = frame.split('\n').find((l) => l.startsWith('event: '))?.slice(7);
          if (!data) continue;
          // A `recs` event is a batch: one entry per record, as the `events` query returns them.
          if (event === 'recs') for (const r of decodeBatch(JSON.parse(data.slice(6)))) events.push({ event, ...r });
          else events.push({ event, ...JSON.parse(data.slice(6)) });
        }
        if (until(events)) {
          req.destroy();
          resolve(events);
        }
      });
    });
    req.on('error', (e) => (e.message === 'socket hang up' ? undefined : reject(e)));
    req.end();
    abort = () => req.destroy();
  });
  return { done, abort };
}
