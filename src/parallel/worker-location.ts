import { existsSync } from 'node:fs';

/**
 * Where Piscina should load the worker entry from. Compiled (dist/parallel/pool.js), the entry
 * is the sibling worker-entry.js. Running from source (pool.ts under Vitest or a TS loader), no
 * .js sibling exists and worker threads cannot execute TypeScript on Node 20, so the sibling
 * dev-worker.mjs is used: it transpiles the sources in the worker itself. This way tests always
 * exercise the current source and never a stale build.
 */
export function workerEntryUrl(poolModuleUrl: string): string {
  if (poolModuleUrl.endsWith('.ts')) {
    const dev = new URL('./dev-worker.mjs', poolModuleUrl);
    if (existsSync(dev)) return dev.href;
  }
  return new URL('./worker-entry.js', poolModuleUrl).href;
}
