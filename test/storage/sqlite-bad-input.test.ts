/**
 * Every way a SQLite store can be handed bad ground: each answers StorageError (code STORAGE)
 * naming the file and what to do, and leaves the file as it was.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { StorageError, TheusError } from '../../src/errors.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import { bundleFixture, collect, counterCommits, entry, set, thrownAsync } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'theus-bad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `b${++n}.db`);

function expectStorage(err: unknown, file: string, advice: RegExp): void {
  expect(err).toBeInstanceOf(StorageError);
  expect((err as StorageError).code).toBe('STORAGE');
  expect((err as StorageError).message).toContain(file);
  expect((err as StorageError).message).toMatch(advice);
}

describe('sqliteStore: bad input', () => {
  it('a file that is not a database is refused and left byte for byte as it was', async () => {
    const file = fresh();
    const junk = Buffer.from('this is a text file, not a database\n'.repeat(200));
    writeFileSync(file, junk);
    const err = await thrownAsync(() => sqliteStore(file).open({}));
    expectStorage(err, file, /not a SQLite database/);
    expect(readFileSync(file).equals(junk)).toBe(true);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('a SQLite database that Theus did not create is refused untouched', async () => {
    const file = fresh();
    const other = new Database(file);
    other.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES (\'ann\')');
    other.close();
    const before = readFileSync(file);
    expectStorage(await thrownAsync(() => sqliteStore(file).open({})), file, /did not create/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('a store of a newer format version is refused untouched', async () => {
    const file = fresh();
    const s = sqliteStore(file);
    await s.open({ domain: {} });
    await s.close();
    const db = new Database(file);
    db.prepare("UPDATE theus_meta SET value = '99' WHERE key = 'format'").run();
    db.close();
    const before = readFileSync(file);
    expectStorage(await thrownAsync(() => sqliteStore(file).open({})), file, /format 99.*Upgrade Theus/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('a second live store on the same file is refused: in this process and in another one', async () => {
    const file = fresh();
    const first = sqliteStore(file);
    await first.open({ domain: { n: 0 } });
    await counterCommits(first, 0, 3);
    expectStorage(await thrownAsync(() => sqliteStore(file).open({})), file, /already open in another engine/);
    const out = execFileSync(process.execPath, [await bundleFixture('open-probe'), file], { encoding: 'utf8' });
    expect(out).toMatch(/^STORAGE /);
    expect(out).toMatch(/another process/);
    await counterCommits(first, 3, 2);
    await first.close();
    const again = sqliteStore(file);
    expect((await again.open({})).version).toBe(5);
    await again.close();
  });

  it('a lock left by a killed process does not block reopening', async () => {
    const file = fresh();
    const child = spawn(process.execPath, [await bundleFixture('hold-open'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('READY') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited early (${String(code)})`)));
    });
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    const s = sqliteStore(file);
    const opened = await s.open({});
    expect(opened.version).toBe(1);
    await s.close();
  });

  it('a directory that cannot be written: StorageError, and no file left behind', async () => {
    const ro = join(dir, `ro${++n}`);
    mkdirSync(ro);
    let mounted = false;
    if (process.getuid?.() === 0) {
      // root ignores permission bits; a read-only mount is the honest test when we may mount.
      mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ro]).status === 0;
      if (!mounted) return;
    } else {
      chmodSync(ro, 0o555);
    }
    try {
      const file = join(ro, 'app.db');
      expectStorage(await thrownAsync(() => sqliteStore(file).open({})), file, /not writable/);
      expect(existsSync(file)).toBe(false);
      const nested = join(ro, 'sub', 'app.db');
      expectStorage(await thrownAsync(() => sqliteStore(nested).open({})), nested, /creating the directory|not writable/);
    } finally {
      if (mounted) spawnSync('umount', [ro]);
      else chmodSync(ro, 0o755);
    }
  });

  it('a full disk (a size cap) fails the commit with StorageError and keeps nothing of it', async () => {
    const file = fresh();
    const s = sqliteStore(file, { maxPages: 40 });
    await s.open({ domain: { n: 0 } });
    await counterCommits(s, 0, 3);
    const big = 'x'.repeat(400_000);
    const err = await thrownAsync(() => s.commit([entry(4, [set(['domain', 'blob'], big)], { outbox: [{ topic: 'big', payload: 1 }] })]));
    expectStorage(err, file, /full/);
    // The store is still usable at the version it had.
    expect(await s.commit([entry(4, [set(['domain', 'n'], 4)])])).toEqual([{ ok: true, version: 4 }]);
    await s.close();
    const again = sqliteStore(file);
    expect(await again.open({})).toEqual({ version: 4, root: { domain: { n: 4 } } });
    expect(await again.outbox.pending()).toBe(3);
    expect((await collect(again.history({}))).map((r) => r.version)).toEqual([1, 2, 3, 4]);
    await again.close();
  });

  it('a real full file system (a tiny tmpfs, when this machine lets us mount one) fails cleanly too', async () => {
    const small = join(dir, `full${++n}`);
    mkdirSync(small);
    if (process.getuid?.() !== 0 || spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', small]).status !== 0) return;
    try {
      const file = join(small, 'app.db');
      const s = sqliteStore(file);
      await s.open({ domain: { n: 0 } });
      await counterCommits(s, 0, 2);
      let err: unknown;
      for (let v = 3; v < 200 && err === undefined; v++) {
        err = await s.commit([entry(v, [set(['domain', `k${v}`], 'y'.repeat(20_000))])]).then(() => undefined, (e: unknown) => e);
      }
      expect(err).toBeInstanceOf(StorageError);
      expect((err as Error).message).toMatch(/full|I\/O/);
      await s.close().catch(() => undefined);
    } finally {
      spawnSync('umount', ['-l', small]);
    }
  });

  it('values that could not be restored are refused before anything is written', async () => {
    class Money {
      constructor(readonly cents: number) {}
    }
    const file = fresh();
    const s = sqliteStore(file);
    await s.open({ domain: {} });
    for (const value of [() => 1, Symbol('s'), new Money(5), new Uint8Array(2)]) {
      const err = await thrownAsync(() => s.commit([entry(1, [set(['domain', 'v'], value)])]));
      expect(err).toBeInstanceOf(StorageError);
    }
    // check() answers the same synchronously, so an engine can refuse the commit before installing it.
    expect(() => s.check(entry(1, [set(['domain', 'v'], new Money(1))]))).toThrow(StorageError);
    const fine = entry(1, [set(['domain', 'ok'], new Map([['a', 1]]))]);
    expect(() => s.check(fine)).not.toThrow();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(await thrownAsync(() => s.commit([entry(1, [set(['domain', 'v'], cyclic)])]))).toBeInstanceOf(StorageError);
    expect(await s.commit([entry(1, [set(['domain', 'v'], 1)])])).toEqual([{ ok: true, version: 1 }]);
    await s.close();
    const withClass = sqliteStore(file, { classes: [Money] });
    await withClass.open({});
    await withClass.commit([entry(2, [set(['domain', 'm'], new Money(250))])]);
    await withClass.close();
    const back = sqliteStore(file, { classes: [Money] });
    const { root } = await back.open({});
    const m = (root as { domain: { m: Money } }).domain.m;
    expect(m).toBeInstanceOf(Money);
    expect(m.cents).toBe(250);
    await back.close();
    expect(((await thrownAsync(() => sqliteStore(file).open({}))) as Error).message).toMatch(/class 'Money'/);
  });

  it('refuses bad arguments with INVALID_ARGUMENT before touching the disk', () => {
    for (const p of ['', '   ', 5, null, 'a\0b']) expect(() => sqliteStore(p as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error);
    for (const o of [{ durability: 'fast' }, { snapshotEvery: 0 }, { retainVersions: -1 }, { maxPages: 0.5 }, { classes: 'x' }, { syncInBackground: 'yes' }, { syncInBackground: 1 }]) {
      expect(() => sqliteStore(fresh(), o as never)).toThrow(TheusError);
    }
  });

  it('hostile keys in a stored value are refused when read back', async () => {
    const file = fresh();
    const s = sqliteStore(file);
    await s.open({ domain: {} });
    await s.commit([entry(1, [set(['domain', 'x'], { ok: 1 })])]);
    await s.close();
    const db = new Database(file);
    db.prepare('UPDATE theus_log SET ops = ? WHERE version = 1').run('[{"op":"replace","path":["domain","x"],"value":{"__proto__":{"polluted":true}}}]');
    db.close();
    expect(await thrownAsync(() => sqliteStore(file).open({}))).toBeInstanceOf(StorageError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
