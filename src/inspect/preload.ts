/**
 * `node --import theus/inspect/preload app.js` (what `theus inspect -- node app.js` runs): starts an
 * inspector for every engine of the process before the application's code, without a code change.
 * Configured by THEUS_INSPECT_PORT, THEUS_INSPECT_HOST, THEUS_INSPECT_KEEP (stay open after the
 * application finishes) and THEUS_INSPECT_URL_FILE (also write the URL there).
 */
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { startInspector } from './start.js';

const MARK = Symbol.for('theus.inspect.preloaded');

async function preload(): Promise<void> {
  const g = globalThis as Record<symbol, unknown>;
  if (!isMainThread || g[MARK]) return;
  g[MARK] = true;
  const env = process.env;
  // Child processes of the application are not inspected again (nor do they fight for the port).
  const flag = env.THEUS_INSPECT_IMPORT;
  if (env.NODE_OPTIONS) env.NODE_OPTIONS = env.NODE_OPTIONS.split(/\s+/).filter((o) => o !== flag && !o.includes('inspect/preload')).join(' ');
  delete env.THEUS_INSPECT_IMPORT;
  const port = env.THEUS_INSPECT_PORT ? Number(env.THEUS_INSPECT_PORT) : 0;
  try {
    const inspector = await startInspector(null, { port, host: env.THEUS_INSPECT_HOST || '127.0.0.1' });
    process.stderr.write(`theus inspect: ${inspector.url}\n`);
    if (env.THEUS_INSPECT_URL_FILE) writeFileSync(env.THEUS_INSPECT_URL_FILE, inspector.url);
    if (env.THEUS_INSPECT_KEEP === '1') {
      process.once('beforeExit', () => {
        process.stderr.write(`theus inspect: the application finished; the inspector stays open at ${inspector.url} (Ctrl-C to quit)\n`);
        inspector.keepAlive();
      });
    }
  } catch (e) {
    // The application runs anyway: an inspector that cannot start must not take it down.
    process.stderr.write(`theus inspect: not started: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

await preload();
