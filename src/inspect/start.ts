/**
 * `startInspector(engine, options)`: records the engine's events and serves the inspector page on
 * 127.0.0.1 with a random token. Without an engine it inspects every engine of the process (the
 * `theus inspect` preload does that).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { invalidArgument } from '../errors.js';
import { InspectorError } from './errors.js';
import { resolveInspectorOptions, type InspectorOptions, type ResolvedInspectorOptions } from './options.js';
import { Recorder, type InspectableEngine } from './recorder.js';
import { allowedHosts } from './security.js';
import { createInspectorServer } from './server.js';
import { SseHub } from './sse.js';

export interface Inspector {
  /** `http://127.0.0.1:<port>/<token>/`: open it in a browser. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly recorder: Recorder;
  /** Number of connected live-stream clients. */
  readonly clients: number;
  /** Keeps the process alive while the inspector is open (it does not by default). */
  keepAlive(): void;
  close(): Promise<void>;
}

export async function startInspector(engine?: InspectableEngine | null, options: InspectorOptions | true = {}): Promise<Inspector> {
  const o = resolveInspectorOptions(options);
  const recorder = createRecorder(engine, o);
  return serve(recorder, o);
}

/** The recorder alone: subscribes at once, so nothing is missed while the server starts. */
export function createRecorder(engine: InspectableEngine | null | undefined, o: ResolvedInspectorOptions): Recorder {
  if (engine !== undefined && engine !== null && (typeof engine !== 'object' || !(engine as { state?: unknown }).state)) {
    throw invalidArgument('startInspector expects an engine (or nothing, to inspect every engine of the process).');
  }
  const recorder = new Recorder({ capacity: o.capacity, snapshotEvery: o.snapshotEvery, ...(engine ? { engine } : {}) });
  recorder.start();
  return recorder;
}

/** Serves a started recorder; on failure the recorder is stopped. */
export async function serve(recorder: Recorder, o: ResolvedInspectorOptions): Promise<Inspector> {
  const hub = new SseHub(recorder.ring);
  const token = randomBytes(18).toString('base64url');
  let hosts: ReadonlySet<string> = new Set();
  const server = createInspectorServer({ recorder, hub, token, hosts: () => hosts, pageDir: pageDirOf(o.pageDir) });
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => {
      recorder.stop();
      hub.close();
      reject(new InspectorError('INSPECTOR_LISTEN', `The inspector could not listen on ${o.host}:${o.port}: ${e.message}`, { cause: e }));
    };
    server.once('error', onError);
    server.listen(o.port, o.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.unref(); // an inspector never keeps the application alive
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(o.host, port);
  recorder.onRecord(() => hub.push());
  const shownHost = o.host.includes(':') ? `[${o.host}]` : o.host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}/${token}/`,
    port,
    token,
    recorder,
    get clients() {
      return hub.size;
    },
    keepAlive() {
      server.ref();
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        recorder.stop();
        hub.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function pageDirOf(dir: string | URL | undefined): URL | undefined {
  const asDir = (u: URL) => (u.href.endsWith('/') ? u : new URL(`${u.href}/`));
  if (dir !== undefined) return asDir(typeof dir === 'string' ? pathToFileURL(resolvePath(dir)) : dir);
  // Built package: dist/inspect/page next to this module; from sources: the build output.
  for (const candidate of [new URL('./page/', import.meta.url), new URL('../../dist/inspect/page/', import.meta.url)]) {
    if (existsSync(new URL('index.html', candidate))) return candidate;
  }
  return undefined;
}
