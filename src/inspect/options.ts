import { invalidArgument } from '../errors.js';

export interface InspectorOptions {
  /** Default 0: a free port chosen by the system. */
  port?: number;
  /** Default 127.0.0.1. Another address exposes the state to that network: the token still applies. */
  host?: string;
  /** Events kept in memory (ring buffer). Default 2000. */
  capacity?: number;
  /** A state snapshot every K commits. Default 32. */
  snapshotEvery?: number;
  /** Directory of the built page (defaults to the one shipped next to this module). */
  pageDir?: string | URL;
  /** Do not print the URL to stderr when attached through the engine's `inspect` option. */
  quiet?: boolean;
}

export interface ResolvedInspectorOptions {
  port: number;
  host: string;
  capacity: number;
  snapshotEvery: number;
  pageDir: string | URL | undefined;
  quiet: boolean;
}

const KNOWN = new Set(['port', 'host', 'capacity', 'snapshotEvery', 'pageDir', 'quiet']);

/** Validates the `inspect` engine option (`true` or an options object); throws INVALID_ARGUMENT. */
export function resolveInspectorOptions(options: InspectorOptions | true | undefined): ResolvedInspectorOptions {
  const o = options === true || options === undefined ? {} : options;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw invalidArgument('inspect must be true or { port?, host?, capacity?, snapshotEvery? }.');
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) throw invalidArgument(`Unknown inspect option '${k}' (known: ${[...KNOWN].join(', ')}).`);
  const intIn = (v: unknown, name: string, dflt: number, min: number, max: number) => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw invalidArgument(`inspect.${name} must be an integer from ${min} to ${max}.`);
    return v;
  };
  const host = o.host ?? '127.0.0.1';
  if (typeof host !== 'string' || !/^[A-Za-z0-9.:-]{1,253}$/.test(host)) throw invalidArgument('inspect.host must be a host name or IP address such as 127.0.0.1.');
  if (o.quiet !== undefined && typeof o.quiet !== 'boolean') throw invalidArgument('inspect.quiet must be a boolean.');
  if (o.pageDir !== undefined && typeof o.pageDir !== 'string' && !(o.pageDir instanceof URL)) throw invalidArgument('inspect.pageDir must be a path or a file URL.');
  return {
    port: intIn(o.port, 'port', 0, 0, 65535),
    host,
    capacity: intIn(o.capacity, 'capacity', 2000, 16, 1_000_000),
    snapshotEvery: intIn(o.snapshotEvery, 'snapshotEvery', 32, 1, 100_000),
    pageDir: o.pageDir,
    quiet: o.quiet === true,
  };
}
