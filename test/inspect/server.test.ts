import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { process as defineProcess } from '../../src/index.js';
import { startInspector, InspectorError } from '../../src/inspect/index.js';
import { TheusError } from '../../src/errors.js';
import { RecordRing } from '../../src/inspect/record-ring.js';
import { decodeBatch } from '../../src/inspect/stream-batch.js';
import { get, inspected, readSse } from './harness.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

const bump = defineProcess({ name: 'bump', inputs: ['domain.n'], outputs: ['domain.n'] }, (ctx: any) => {
  ctx.domain.n += 1;
});

/** A stand-in for a client's response stream: records what is written; `accepts` is what write() answers. */
async function fakeResponse(accepts: boolean) {
  const { EventEmitter } = await import('node:events');
  const res = Object.assign(new EventEmitter(), {
    written: [] as string[],
    writableLength: 0,
    destroyed: false,
    writableEnded: false,
    writeHead: () => res,
    write(chunk: string) {
      res.written.push(chunk);
      if (!accepts) res.writableLength += chunk.length;
      return accepts;
    },
    end() {
      res.writableEnded = true;
    },
  });
  return res;
}

describe('who may talk to the inspector', () => {
  it('listens on 127.0.0.1 with a long random token in the URL, and serves the page', async () => {
    const t = await inspected({ domain: { n: 0 } });
    cleanup = t.close;
    expect(t.insp.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{24}\/$/);
    const page = await get(t.insp.url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="app">');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const js = await get(`${t.insp.url}app.js`);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toContain('javascript');
    const other = await startInspector(null, {});
    try {
      expect(other.token).not.toBe(t.insp.token);
    } finally {
      await other.close();
    }
  });

  it('refuses a wrong or missing token, a foreign Host, a foreign Origin, cross-site fetches and writes (403/405)', async () => {
    const t = await inspected({ domain: { n: 0 } });
    cleanup = t.close;
    const base = `http://127.0.0.1:${t.insp.port}`;
    const wrong = t.insp.token.slice(0, -1) + (t.insp.token.endsWith('A') ? 'B' : 'A');
    const cases: [string, Record<string, string>, number, string?][] = [
      [`${base}/${wrong}/`, {}, 403],
      [`${base}/${wrong}/api/info`, {}, 403],
      [`${base}/${wrong}/events`, {}, 403],
      [`${base}/`, {}, 403],
      [`${base}/api/info`, {}, 403],
      [`${base}/${t.insp.token}x/api/info`, {}, 403],
      [`${base}/${t.insp.token}/api/info`, { host: `evil.example:${t.insp.port}` }, 403],
      [`${base}/${t.insp.token}/api/info`, { host: '127.0.0.1:1' }, 403],
      [`${base}/${t.insp.token}/api/info`, { origin: 'http://evil.example' }, 403],
      [`${base}/${t.insp.token}/events`, { origin: `http://evil.example:${t.insp.port}` }, 403],
      [`${base}/${t.insp.token}/api/info`, { origin: 'null' }, 403],
      [`${base}/${t.insp.token}/api/info`, { origin: `https://127.0.0.1:${t.insp.port}` }, 403],
      [`${base}/${t.insp.token}/api/info`, { 'sec-fetch-site': 'cross-site' }, 403],
      [`${base}/${t.insp.token}/api/info`, {}, 405, 'POST'],
      [`${base}/${t.insp.token}/api/info`, {}, 405, 'DELETE'],
      [`${base}/${t.insp.token}/../etc/passwd`, {}, 403],
      [`${base}/${t.insp.token}/..%2f..%2fpackage.json`, {}, 404],
      // Dot segments resolve inside the token's own directory: the page again.
      [`${base}/${t.insp.token}/index.html/..`, {}, 200],
    ];
    for (const [url, headers, status, method] of cases) {
      const r = await get(url, headers, method);
      expect([url, headers, r.status]).toEqual([url, headers, status]);
      expect(r.body).not.toContain('"engines"');
    }
    // Same origin, and localhost spellings of this listener, are fine.
    const fine: Record<string, string>[] = [{ origin: `http://127.0.0.1:${t.insp.port}` }, { host: `localhost:${t.insp.port}` }, { 'sec-fetch-site': 'same-origin' }];
    for (const headers of fine) {
      expect((await get(`${base}/${t.insp.token}/api/info`, headers)).status).toBe(200);
    }
  });

  it('streams a live commit over Server-Sent Events', async () => {
    const t = await inspected({ domain: { n: 0 } });
    cleanup = t.close;
    t.engine.register(bump);
    const sse = readSse(`${t.insp.url}events`, (evs) => evs.some((e) => e.kind === 'commit' && e.version === 2));
    while (t.insp.clients === 0) await new Promise((r) => setTimeout(r, 5));
    await t.engine.execute('bump');
    await t.engine.execute('bump');
    const events = await sse.done;
    const commits = events.filter((e) => e.kind === 'commit');
    expect(commits.map((c) => c.version)).toEqual([1, 2]);
    // The stream carries paths; values come with the commit query.
    expect(commits[0].ops).toEqual([{ op: 'replace', path: ['domain', 'n'] }]);
  });

  it('survives a client that disconnects mid-stream; the engine never notices', async () => {
    const t = await inspected({ domain: { n: 0 } });
    cleanup = t.close;
    t.engine.register(bump);
    for (let round = 0; round < 3; round++) {
      const sse = readSse(`${t.insp.url}events`, (evs) => evs.length >= 3);
      while (t.insp.clients === 0) await new Promise((r) => setTimeout(r, 5));
      const running = Array.from({ length: 50 }, () => t.engine.execute('bump'));
      await sse.done; // the reader destroys its socket after 3 events, while commits keep coming
      await Promise.all(running);
      while (t.insp.clients > 0) await new Promise((r) => setTimeout(r, 5));
    }
    expect(t.engine.state.domain.n).toBe(150);
    // Half-open: a raw socket that sends a request and resets at once.
    await new Promise<void>((resolve) => {
      const req = request(`${t.insp.url}events`);
      req.on('error', () => resolve());
      req.on('socket', (s) => s.on('connect', () => { s.destroy(); resolve(); }));
      req.end();
    });
    await t.engine.execute('bump');
    const info = await get(`${t.insp.url}api/info`);
    expect(info.status).toBe(200);
  });

  it('does not buffer without bound for a client that stops reading: skips, then reports the gap', async () => {
    const { SseHub } = await import('../../src/inspect/sse.js');
    const res = await fakeResponse(false);
    const ring = new RecordRing(1000);
    const hub = new SseHub(ring, 60_000);
    hub.add(res as never, 0);
    const rec = { kind: 'signal', engineId: 'e', at: 0, topic: 't', payload: 'x'.repeat(10), version: 1 } as const;
    res.writableLength = 2 << 20; // the socket's buffer is full
    const flushed = () => new Promise((r) => setTimeout(r, 60)); // the hub sends in batches every 25 ms
    const push = () => {
      ring.push(rec as never);
      hub.push();
    };
    for (let i = 0; i < 100; i++) push();
    await flushed();
    const before = res.written.length;
    for (let i = 100; i < 200; i++) push();
    await flushed();
    expect(res.written.length).toBe(before); // nothing more queued for it
    res.writableLength = 0;
    res.emit('drain');
    expect(res.written.at(-1)).toMatch(/^event: gap\ndata: \{"from":0\}/);
    hub.close();
    expect(res.writableEnded).toBe(true);
  });
});

describe('the live stream batches its writes', () => {
  it('one write per interval, and at once when a batch grows large', async () => {
    const { SseHub } = await import('../../src/inspect/sse.js');
    const res = await fakeResponse(true);
    const ring = new RecordRing(4000);
    const hub = new SseHub(ring, 60_000);
    hub.add(res as never, 0);
    const base = res.written.length;
    const rec = { kind: 'signal', engineId: 'e', at: 0, topic: 't', payload: 1, version: 1 } as const;
    const push = () => {
      ring.push(rec as never);
      hub.push();
    };
    const records = (chunk: string) => decodeBatch(JSON.parse(/^data: (.*)$/m.exec(chunk)![1]!));
    for (let i = 0; i < 10; i++) push();
    await new Promise((r) => setImmediate(r));
    expect(res.written.length).toBe(base); // not yet: the batch waits for its interval
    await new Promise((r) => setTimeout(r, 60));
    expect(res.written.length).toBe(base + 1);
    expect(records(res.written.at(-1)!).map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (let i = 10; i < 10 + 1024; i++) push();
    await new Promise((r) => setImmediate(r));
    expect(res.written.length).toBe(base + 2);
    expect(records(res.written.at(-1)!)).toHaveLength(1024);
    expect(res.written.at(-1)!).toMatch(/^id: 1033\nevent: recs\n/);
    push();
    hub.close(); // a pending batch dies with the hub
    await new Promise((r) => setTimeout(r, 60));
    expect(res.written.length).toBe(base + 2);
  });
});

describe('startInspector: bad input', () => {
  it('rejects malformed options and engines with typed errors', async () => {
    for (const bad of [{ port: -1 }, { port: 70000 }, { port: 1.5 }, { host: 'a b' }, { host: '' }, { capacity: 0 }, { snapshotEvery: 0 }, { nope: 1 }, { __proto__: null, constructor: 1 }, 'x', null, []]) {
      await expect(startInspector(null, bad as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    for (const bad of [42, 'engine', { notAnEngine: true }]) {
      await expect(startInspector(bad as never)).rejects.toBeInstanceOf(TheusError);
    }
  });

  it('reports a port in use as INSPECTOR_LISTEN, and closing twice is harmless', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const err = await startInspector(null, { port }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InspectorError);
      expect((err as InspectorError).code).toBe('INSPECTOR_LISTEN');
    } finally {
      blocker.close();
    }
    const insp = await startInspector(null, {});
    await insp.close();
    await insp.close();
  });
});
