/**
 * The inspector's HTTP server: `/<token>/` serves the page, `/<token>/events` the live stream,
 * `/<token>/api/<query>` JSON. Only GET and HEAD; everything else, and every request failing the
 * checks of security.ts, is refused before any state is read.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import * as api from './api.js';
import { InspectorError } from './errors.js';
import type { Recorder } from './recorder.js';
import { refusal, tokenMatches } from './security.js';
import type { SseHub } from './sse.js';

const PAGE_FILES: Record<string, string> = {
  '': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

type Handler = (r: Recorder, q: URLSearchParams) => unknown;

const ROUTES: Record<string, Handler> = {
  info: (r) => api.info(r),
  events: api.events,
  commit: api.commit,
  execution: api.execution,
  state: api.state,
  search: api.search,
  path: api.pathHistory,
  diff: api.diff,
  graphs: api.graphs,
  workers: (r) => api.workers(r),
};

export interface ServerParts {
  recorder: Recorder;
  hub: SseHub;
  token: string;
  hosts: () => ReadonlySet<string>;
  pageDir: URL | undefined;
}

export function createInspectorServer(parts: ServerParts): Server {
  const pageCache = new Map<string, Buffer>();
  const page = async (name: string): Promise<Buffer | undefined> => {
    const cached = pageCache.get(name);
    if (cached) return cached;
    if (!parts.pageDir) return undefined;
    try {
      const buf = await readFile(new URL(name === '' ? 'index.html' : name, parts.pageDir));
      pageCache.set(name, buf);
      return buf;
    } catch {
      return undefined;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const why = refusal(req, parts.hosts());
    if (why) return deny(res, 403, why);
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'method not allowed');
    const url = req.url ?? '/';
    if (url.length > 8192) return deny(res, 414, 'URL too long');
    const u = new URL(url, 'http://inspector.invalid');
    const [, token, ...rest] = u.pathname.split('/');
    if (token === undefined || !tokenMatches(token, parts.token)) return deny(res, 403, 'wrong or missing token');
    const sub = rest.join('/');
    if (rest.length === 0) {
      // `/<token>` → `/<token>/` so that the page's relative URLs keep the token.
      res.writeHead(308, { ...SECURITY_HEADERS, location: `/${parts.token}/` }).end();
      return;
    }
    if (sub === 'events') {
      const after = u.searchParams.get('after') ?? req.headers['last-event-id'];
      const from = typeof after === 'string' && /^\d{1,15}$/.test(after) ? Number(after) + (u.searchParams.has('after') ? 0 : 1) : parts.recorder.ring.next;
      parts.hub.add(res, from);
      return;
    }
    if (sub.startsWith('api/')) {
      const route = ROUTES[sub.slice(4)];
      if (!route || !Object.hasOwn(ROUTES, sub.slice(4))) return json(res, 404, { error: { code: 'INSPECTOR_NOT_FOUND', message: `No query '${sub.slice(4, 60)}'.` } });
      try {
        const body = await route(parts.recorder, u.searchParams);
        return json(res, 200, body);
      } catch (e) {
        if (e instanceof InspectorError) return json(res, e.status, { error: { code: e.code, message: e.message } });
        return json(res, 500, { error: { code: 'INTERNAL', message: e instanceof Error ? e.message.slice(0, 500) : 'internal error' } });
      }
    }
    if (Object.hasOwn(PAGE_FILES, sub)) {
      const body = await page(sub);
      if (body === undefined) {
        if (sub !== '') return deny(res, 404, 'not found');
        res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' });
        res.end('<!doctype html><title>Theus inspector</title><p>The inspector page is not built: run <code>npm run build</code>. The JSON queries under <code>api/</code> work.</p>');
        return;
      }
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': PAGE_FILES[sub]!, 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    return deny(res, 404, 'not found');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) deny(res, 500, 'internal error');
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 0; // the event stream stays open
  server.keepAliveTimeout = 5_000;
  return server;
}

function deny(res: ServerResponse, status: number, why: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${status} ${why}\n`);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
