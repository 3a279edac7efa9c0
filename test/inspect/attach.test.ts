import { describe, expect, it, vi } from 'vitest';
import { createServer } from 'node:net';
import { TheusEngine, process as defineProcess } from '../../src/index.js';
import { attachInspector } from '../../src/inspect/index.js';
import { builtPage, getJson } from './harness.js';

const bump = defineProcess({ name: 'bump', inputs: ['domain.n'], outputs: ['domain.n'] }, (ctx: any) => {
  ctx.domain.n += 1;
});

describe('attachInspector (the engine option inspect: true | { port, host })', () => {
  it('records from the first commit, before the server listens, then prints the URL', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } });
    engine.register(bump);
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const attached = attachInspector(engine, { pageDir: await builtPage() });
      await engine.execute('bump'); // before `ready`
      const insp = (await attached.ready)!;
      expect(write).toHaveBeenCalledWith(`theus inspect: ${insp.url}\n`);
      const { events } = await getJson(`${insp.url}api/events`);
      expect(events.map((e: any) => e.version)).toEqual([1]);
      const s = await getJson(`${insp.url}api/state?v=0&path=domain.n`);
      expect(s.value).toBe(0);
      await attached.close();
      await attached.close();
    } finally {
      write.mockRestore();
      await engine.close();
    }
  });

  it('validates options synchronously; a port in use is reported, not thrown; closing before ready is fine', async () => {
    const engine = new TheusEngine({ domain: { n: 0 } });
    for (const bad of [{ port: 'x' }, { host: '' }, { quiet: 1 }, { pageDir: 3 }, { what: 1 }, 7, []]) {
      expect(() => attachInspector(engine, bad as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    expect(() => attachInspector({} as never, true)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const failed = attachInspector(engine, { port });
      expect(await failed.ready).toBeUndefined();
      expect(String(write.mock.calls.at(-1)?.[0])).toContain('theus inspect: not started');
      const early = attachInspector(engine, { quiet: true });
      await early.close();
      expect(await early.ready).toBeUndefined();
    } finally {
      write.mockRestore();
      blocker.close();
      await engine.close();
    }
  });
});
