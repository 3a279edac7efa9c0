import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { Command } from 'commander';
import { registerInspectCommand, runInspect } from '../../src/inspect/index.js';

/** The preload as the built package ships it: one ES module (bundled here from the sources). */
async function bundledPreload(dir: string): Promise<string> {
  const outfile = join(dir, 'preload.mjs');
  await build({ entryPoints: [join(process.cwd(), 'src/inspect/preload.ts')], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent' });
  return pathToFileURL(outfile).href;
}

describe('theus inspect -- node app.js', () => {
  it('preloads the inspector into an unmodified program and returns its exit code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'theus-inspect-cli-'));
    const preload = await bundledPreload(dir);
    const out = join(dir, 'out.json');
    const code = await runInspect([process.execPath, join(process.cwd(), 'test/inspect/fixtures/channel-app.mjs'), out], {
      preload,
      env: { THEUS_INSPECT_URL_FILE: join(dir, 'url.txt') },
    });
    expect(code).toBe(3);
    const seen = JSON.parse(readFileSync(out, 'utf8'));
    expect(seen.commits).toBe(3);
    expect(seen.n).toBe(3);
    expect(seen.partial).toBe(true); // state before the inspector attached is unknown
    expect(seen.nodeOptions).not.toContain('preload'); // children of the app are not inspected again
    expect(readFileSync(join(dir, 'url.txt'), 'utf8')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[\w-]+\/$/);
  });

  it('finds an engine the application constructs, with its whole state (the theus:engine channel)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'theus-inspect-cli-'));
    const preload = await bundledPreload(dir);
    const app = join(dir, 'engine-app.mjs');
    await build({ entryPoints: [join(process.cwd(), 'test/inspect/fixtures/engine-app.ts')], outfile: app, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent', external: ['piscina', 'better-sqlite3', 'pg', 'typescript'] });
    const out = join(dir, 'out.json');
    const code = await runInspect([process.execPath, app, out], { preload, env: { THEUS_INSPECT_URL_FILE: join(dir, 'url.txt') } });
    expect(code).toBe(0);
    const seen = JSON.parse(readFileSync(out, 'utf8'));
    expect(seen.info.engines).toEqual([expect.objectContaining({ engineId: seen.engineId, head: 3, partial: false, oldest: 0 })]);
    expect(seen.label).toMatchObject({ value: 'seeded before any commit', partial: false });
  }, 60_000);

  it('refuses a missing command and bad options with typed errors; a program that cannot start rejects', async () => {
    for (const bad of [[], [''], [1], 'node'] as unknown[]) expect(() => runInspect(bad as string[])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => runInspect(['node'], { port: 99999 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => runInspect(['node'], { host: 'a b' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    await expect(runInspect(['/nonexistent/program'])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('registers as a CLI command whose usage errors exit 2', async () => {
    const program = new Command('theus').exitOverride();
    let err = '';
    const cli = { io: { stderr: { write: (t: string) => (err += t) }, cwd: process.cwd() }, exitCode: 0 };
    registerInspectCommand(program, cli);
    await program.parseAsync(['inspect', '--port', 'abc', '--', 'node', '-e', '0'], { from: 'user' });
    expect(cli.exitCode).toBe(2);
    expect(err).toContain('--port');
  });
});
