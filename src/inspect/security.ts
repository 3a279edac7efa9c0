/**
 * Who may talk to the inspector. It serves the application's state, so: a random token in the
 * path, compared in constant time; a Host header naming this very listener (a DNS-rebinding page
 * sends its own host name); no Origin but our own (another site's page may not read the stream);
 * and no cross-site fetch metadata.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function allowedHosts(host: string, port: number): Set<string> {
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') hosts.add(host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
  return hosts;
}

export function tokenMatches(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Undefined when the request may proceed; otherwise why it is refused (answered 403). */
export function refusal(req: IncomingMessage, hosts: ReadonlySet<string>): string | undefined {
  const host = req.headers.host;
  if (host === undefined || !hosts.has(host.toLowerCase())) return 'unexpected Host header';
  const origin = req.headers.origin;
  if (origin !== undefined && !(origin.startsWith('http://') && hosts.has(origin.slice(7).toLowerCase()))) return 'foreign Origin';
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site') return 'cross-site request';
  return undefined;
}
