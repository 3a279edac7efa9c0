import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers.js';

const exec = promisify(execFile);
const built = existsSync(path.join(REPO_ROOT, 'dist/index.js'));

// The demo imports the compiled library (dist/), which `npm test` builds before running Vitest.
describe.runIf(built)('examples/ecommerce (npm run demo)', () => {
  it('processes the orders, blocks the bad ones, never oversells, and prints the summary', async () => {
    const { stdout, stderr } = await exec(process.execPath, [path.join(REPO_ROOT, 'examples/ecommerce/main.mjs')], { cwd: REPO_ROOT, timeout: 60_000 });
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Orders {6}200 checkouts run concurrently in \d+/m);
    expect(stdout).toMatch(/\d+ invoiced/);
    expect(stdout).toMatch(/Audit {7}13 blocked \(B\): .*quantity must be at least 1: 5/);
    expect(stdout).toMatch(/counted \(C\): large order: 14/);
    expect(stdout).toMatch(/Engine {6}\d[\d,]* commits · \d+ rollbacks · [\d,]+ conflicts · [\d,]+ retries/);
    expect(stdout).toContain('version 0 still reads revenue 0');
    expect(stdout).toContain('no product oversold');
    expect(stdout).not.toContain('MISMATCH');
  }, 60_000);
});
