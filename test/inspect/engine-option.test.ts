// The engine's own inspector (`inspect: true | { … }`), its id, and the `theus:engine` channel a
// process-wide inspector finds engines on.
import { afterEach, describe, expect, it, vi } from 'vitest';
import diagnostics from 'node:diagnostics_channel';
import { connect } from 'node:net';
import { CHANNELS, TheusEngine, process as defineProcess, type EngineEvent } from '../../src/index.js';
import { startInspector } from '../../src/inspect/index.js';
import { builtPage, get, getJson } from './harness.js';

const bump = defineProcess({ name: 'bump', inputs: ['domain.n'], outputs: ['domain.n'] }, (ctx: any) => {
  ctx.domain.n += 1;
});

const engines: TheusEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});
function make(initial: Record<string, unknown>, options: Record<string, unknown>): TheusEngine {
  const e = new TheusEngine(initial, options);
  engines.push(e);
  return e;
}

describe('engine option inspect', () => {
  it('serves the page for this engine, prints the URL, and close() stops the server', async () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let url: string;
    try {
      const engine = make({ domain: { n: 0 } }, { inspect: { pageDir: await builtPage() } });
      engine.register(bump);
      const insp = await engine.inspector;
      expect(insp).toBeDefined();
      url = insp!.url;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[\w-]{24}\/$/);
      expect(write).toHaveBeenCalledWith(`theus inspect: ${url}\n`);
      expect(insp!.recorder.engineId).toBe(engine.engineId);
      const page = await get(url);
      expect(page.status).toBe(200);
      expect(page.body).toContain('<html');
      await engine.execute('bump');
      await engine.execute('bump');
      const { events } = await getJson(`${url}api/events`);
      expect(events.filter((e: any) => e.kind === 'commit').map((e: any) => e.version)).toEqual([1, 2]);
      expect((await getJson(`${url}api/state?v=0&path=domain.n`)).value).toBe(0);
      await engine.close();
      expect(await engine.inspector).toBeUndefined();
      // A fresh connection (the HTTP agent may hold a pooled socket the server has just cut).
      const port = insp!.port;
      await expect(new Promise<void>((resolve, reject) => connect(port, '127.0.0.1', () => resolve()).on('error', reject))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      write.mockRestore();
    }
  });

  it('inspect: true with quiet prints nothing; false and absent start nothing', async () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const quiet = make({}, { inspect: { quiet: true } });
      expect((await quiet.inspector)?.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
      expect(write.mock.calls.filter((c) => String(c[0]).includes('theus inspect'))).toHaveLength(0);
      expect(await make({}, { inspect: false }).inspector).toBeUndefined();
      expect(await make({}, {}).inspector).toBeUndefined();
    } finally {
      write.mockRestore();
    }
  });

  it("leaves the engine's history as configured; versions older than the ring come from it", async () => {
    const kept = make({ domain: { n: 0 } }, { historyLimit: 100 });
    const bare = make({ domain: { n: 0 } }, {});
    for (const engine of [kept, bare]) {
      engine.register(bump);
      const insp = await startInspector(engine, { quiet: true, capacity: 16, snapshotEvery: 4 });
      try {
        for (let i = 0; i < 40; i++) await engine.execute('bump');
        expect(engine.historyLimit).toBe(engine === kept ? 100 : 0);
        // Recent versions are rebuilt by the inspector itself.
        expect(await getJson(`${insp.url}api/state?v=37&path=domain.n`)).toMatchObject({ source: 'inspector', value: 37 });
        const old = await getJson(`${insp.url}api/state?v=3&path=domain.n`);
        if (engine === kept) expect(old).toMatchObject({ source: 'store', value: 3 });
        else expect(old.error.code).toBe('INSPECTOR_NOT_RETAINED');
      } finally {
        await insp.close();
      }
    }
  });

  it('an engine closed at once leaves no server behind', async () => {
    const engine = new TheusEngine({}, { inspect: { quiet: true } });
    await engine.close();
    expect(await engine.inspector).toBeUndefined();
  });

  it('refuses malformed inspect values with INVALID_ARGUMENT, in the constructor', () => {
    const bad: unknown[] = [1, 'yes', null, [], () => 0, { port: -1 }, { port: 70000 }, { port: 1.5 }, { port: '80' }, { host: 'a b' }, { host: '' }, { host: 7 }, { quiet: 'no' }, { capacity: 1 }, { snapshotEvery: 0 }, { pageDir: 3 }, { bogus: 1 }, { __proto__: { port: 1 }, ['constructor']: 1 }];
    for (const inspect of bad) {
      expect(() => new TheusEngine({}, { inspect: inspect as never }), JSON.stringify(inspect)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    return expect(TheusEngine.open({}, { inspect: { port: -1 } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('engineId and the theus:engine channel', () => {
  it('each engine has its own id, used in its events, and announces itself when constructed', async () => {
    const seen: EngineEvent[] = [];
    const on = (m: unknown) => void seen.push(m as EngineEvent);
    diagnostics.subscribe(CHANNELS.engine, on);
    try {
      const a = make({ domain: { n: 0 } }, {});
      const b = await TheusEngine.open({ domain: { n: 5 } });
      engines.push(b);
      expect(typeof a.engineId).toBe('string');
      expect(a.engineId).not.toBe(b.engineId);
      expect(seen.map((e) => e.engineId)).toEqual([a.engineId, b.engineId]);
      expect(seen[0]!.engine).toBe(a);
      expect(seen[1]!.engine).toBe(b);
      const commits: { engineId: string }[] = [];
      const onCommit = (m: unknown) => void commits.push(m as { engineId: string });
      diagnostics.subscribe(CHANNELS.commit, onCommit);
      try {
        a.register(bump);
        await a.execute('bump');
      } finally {
        diagnostics.unsubscribe(CHANNELS.commit, onCommit);
      }
      expect(commits.map((c) => c.engineId)).toEqual([a.engineId]);
      expect(() => {
        (a as unknown as { engineId: string }).engineId = 'x';
      }).toThrow(TypeError);
    } finally {
      diagnostics.unsubscribe(CHANNELS.engine, on);
    }
  });
});
