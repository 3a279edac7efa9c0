/**
 * The embedded durable store: one SQLite file in WAL mode, held by one process at a time.
 *
 * Group commit without blocking: SQLite writes each group to its write-ahead log without syncing
 * (a write to the OS, tens of microseconds), and the log file is then synced with an asynchronous
 * fsync on libuv's thread pool. Callers resolve only after the fsync that covers their write; the
 * commits that arrive while a sync is in flight are written meanwhile and share the next one, so
 * throughput grows with concurrency and the event loop never waits for the disk. Linux syncs a
 * file's pages whatever descriptor wrote them, so syncing our own descriptor of the -wal file
 * covers SQLite's writes. Checkpoints (copying the log into the database) are run by the store at
 * FULL sync, so the log is never reset before the database file is on disk.
 *
 * Reopen reads the newest snapshot and replays the log after it. The store keeps its own copy of
 * the head state (sharing the engine's frozen values, copying only what a later op changes) to write
 * snapshots without asking the engine.
 */
import { closeSync, existsSync, fdatasync, fdatasyncSync, fstatSync, fsyncSync, mkdirSync, openSync, realpathSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { StorageError, invalidArgument } from '../../errors.js';
import { OpReplay, type PlainRoot } from '../apply-ops.js';
import { ClassRegistry, decode, decodeOps, encode, encodeOps } from '../codec.js';
import { checkHistoryQuery, checkVersionArg, describe, matchesQuery } from '../history-query.js';
import type { CommitEntry, CommitVerdict, HistoryQuery, HistoryRecord, OpenedStore, TheusStore } from '../store.js';
import { storageFailure } from './errors.js';
import { loadSqlite, type Database, type Statement } from './load.js';
import { SqliteOutbox } from './outbox.js';
import { RecentIds } from '../recent-ids.js';
import { APPLICATION, CREATE, FORMAT, MIGRATIONS } from './schema.js';

type Ctor = abstract new (...args: never[]) => unknown;

export interface SqliteStoreOptions {
  /** `full` (default) syncs every commit to disk; `normal` survives a process crash but not a power loss. */
  readonly durability?: 'full' | 'normal';
  /** Write a snapshot at least this many versions apart (default 1000); reopen replays at most about this many. */
  readonly snapshotEvery?: number;
  /** Keep at least this many of the latest versions for history and stateAt (default: all). */
  readonly retainVersions?: number;
  /** Classes whose instances may be stored (restored by name, fields only). */
  readonly classes?: readonly Ctor[];
  /** A cap on the file size in database pages (4 KiB each); a commit beyond it fails with StorageError. */
  readonly maxPages?: number;
  /**
   * With `durability: 'full'`, sync the log on libuv's thread pool instead of on the event loop
   * (default false). The event loop then never waits for the disk, at the price of a thread hop
   * per group write: measured here, a lone sequential writer commits about 30 % slower that way.
   */
  readonly syncInBackground?: boolean;
}

/** What persistHeavy needs of a heavy array. */
export interface HeavyLike {
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly data: ArrayBufferView;
}

interface Pending {
  readonly entries: readonly CommitEntry[];
  /** The encoding `check` made of the first entry, when it was checked just before this call. */
  readonly checked: EncodedEntry | undefined;
  readonly resolve: (v: readonly CommitVerdict[]) => void;
  readonly reject: (e: unknown) => void;
}

interface EncodedEntry {
  readonly ops: string;
  readonly signals: string | null;
  readonly outbox: readonly { topic: string; payload: string }[];
  /** About what the row and its messages add to the database, for the log size estimate. */
  readonly bytes: number;
}

interface Encoded extends EncodedEntry {
  readonly entry: CommitEntry;
  readonly version: number;
}

interface LogRow {
  version: number;
  cid: string;
  process: string | null;
  at: number;
  ops: string;
  signals: string | null;
}

const RECENT_IDS = 4096;
const NO_MESSAGES: EncodedEntry['outbox'] = Object.freeze([]);
/** A log frame: one database page and its header. Every write transaction adds at least one. */
const FRAME = 4096 + 24;
/**
 * Checkpoint once the log holds about this much (estimated), which also bounds recovery after a
 * crash. Small enough that the log file, reused from its start after each checkpoint, stays a
 * region the disk has already written: measured here, syncs into it run about 1.7 times faster
 * than syncs of a log that was truncated and grows again.
 */
const CHECKPOINT_BYTES = 4_000_000;
/** Zeroed space added to the log file at a time, ahead of what SQLite wrote (see reserveLog). */
const LOG_RESERVE = 1 << 20;
let zeros: Buffer | undefined;
const HISTORY_PAGE = 256;
/** Files open in this process, so a second engine here gets a clear message before SQLite's lock. */
const OPEN_FILES = new Set<string>();

export function sqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  return new SqliteStore(path, options);
}

export class SqliteStore implements TheusStore {
  readonly kind = 'sqlite';
  readonly authoritative = false;
  /**
   * With the sync on the event loop (the default), commit() calls made before the next write join
   * it, in call order, the write and its sync finish before any later call is written, and a group
   * numbered after one that failed fails with it: the engine hands each commit over as it comes.
   * With `syncInBackground`, a later group is written while an earlier one's sync is in flight; the
   * engine then makes one call at a time, so that nothing built on a commit whose sync fails is
   * ever written.
   */
  get groupsCommits(): boolean {
    return !this.background;
  }
  readonly outbox: SqliteOutbox;
  readonly file: string;
  private readonly full: boolean;
  private readonly snapshotEvery: number;
  private readonly retain: number;
  private readonly classes: ClassRegistry;
  private readonly maxPages: number | undefined;
  private readonly background: boolean;
  private db: Database | undefined;
  private key: string | undefined;
  /** Writes the rows (and their outbox messages) of a group write, as one SQLite transaction. */
  private writeRows: ((ready: readonly { rows: readonly Encoded[] }[]) => void) | undefined;
  /** The same statements without BEGIN and COMMIT, for a write that is one statement (see write). */
  private insertRows: ((ready: readonly { rows: readonly Encoded[] }[]) => void) | undefined;
  private st: Record<'log' | 'snap' | 'history' | 'snapAtOrBefore' | 'logRange' | 'pruneLog' | 'pruneSnap', Statement> | undefined;
  private head = 0;
  private replay: OpReplay | undefined;
  private lastSnapshot = 0;
  private lastSnapshotBytes = 0;
  private bytesSinceSnapshot = 0;
  private readonly recent = new RecentIds();
  private queue: Pending[] = [];
  private scheduled = false;
  private closing = false;
  /** Groups written to the log and waiting for the fsync that makes them durable. */
  private unsynced: { group: Pending; verdicts: CommitVerdict[] }[] = [];
  private syncing = false;
  private walFd: number | undefined;
  /** Set when a sync failed: what was written may or may not be on disk, so nothing more is accepted. */
  private failed: StorageError | undefined;
  /** An estimate of the bytes SQLite wrote to the log since it was last emptied. */
  private bytesSinceCheckpoint = 0;
  /** The log file's size as last seen or made by reserveLog (zeroed space included). */
  private logSize = 0;
  /**
   * The entry `check` encoded last, so that the `commit` call right after it (the engine's order)
   * does not encode it twice; any other entry is encoded when written. One slot rather than a map
   * keyed by entry: a fresh key per commit made the (Weak)Map one of the dearest steps of a commit.
   */
  private checkedEntry: CommitEntry | undefined;
  private checkedParts: EncodedEntry | undefined;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    if (typeof path !== 'string' || path.trim() === '' || path.includes('\0')) throw invalidArgument(`A SQLite storage path must be a non-empty file path, got ${describe(path)}.`);
    if (typeof options !== 'object' || options === null) throw invalidArgument('SQLite store options must be an object.');
    const { durability = 'full', snapshotEvery = 1000, retainVersions, classes = [], maxPages, syncInBackground = false } = options;
    if (typeof syncInBackground !== 'boolean') throw invalidArgument(`syncInBackground must be a boolean, got ${describe(syncInBackground)}.`);
    this.background = syncInBackground;
    if (durability !== 'full' && durability !== 'normal') throw invalidArgument(`durability must be 'full' or 'normal', got ${describe(durability)}.`);
    if (!Number.isSafeInteger(snapshotEvery) || snapshotEvery < 1) throw invalidArgument(`snapshotEvery must be a positive integer, got ${describe(snapshotEvery)}.`);
    if (retainVersions !== undefined && (!Number.isSafeInteger(retainVersions) || retainVersions < 0)) throw invalidArgument(`retainVersions must be a non-negative integer, got ${describe(retainVersions)}.`);
    if (maxPages !== undefined && (!Number.isSafeInteger(maxPages) || maxPages < 1)) throw invalidArgument(`maxPages must be a positive integer, got ${describe(maxPages)}.`);
    if (!Array.isArray(classes)) throw invalidArgument('classes must be an array of classes.');
    this.file = path === ':memory:' ? path : resolve(path);
    this.full = durability === 'full';
    this.snapshotEvery = snapshotEvery;
    this.retain = retainVersions ?? Number.POSITIVE_INFINITY;
    this.maxPages = maxPages;
    this.classes = new ClassRegistry(classes);
    this.outbox = new SqliteOutbox(this.file, this.classes, (fn) => this.relaxed(fn));
  }

  async open(initial: Readonly<Record<string, unknown>>): Promise<OpenedStore> {
    if (this.db !== undefined) throw new StorageError(`SQLite store ${this.file} is already open.`, { file: this.file });
    if (typeof initial !== 'object' || initial === null || Array.isArray(initial)) throw invalidArgument('The initial state must be an object.');
    const Database = await loadSqlite(this.file);
    const key = this.claimFile();
    let created = false;
    let db: Database | undefined;
    try {
      if (this.file !== ':memory:') {
        try {
          mkdirSync(dirname(this.file), { recursive: true });
        } catch (err) {
          throw storageFailure(this.file, `creating the directory ${dirname(this.file)}`, err);
        }
        created = !existsSync(this.file);
      }
      try {
        db = new Database(this.file, { timeout: 0 });
      } catch (err) {
        throw storageFailure(this.file, 'opening the file', err);
      }
      const opened = this.prepare(db, initial);
      this.db = db;
      this.key = key;
      return opened;
    } catch (err) {
      try {
        db?.close();
      } catch {
        // Closing a handle that failed to open has nothing left to release.
      }
      if (created) removeFiles(this.file);
      OPEN_FILES.delete(key);
      throw err;
    }
  }

  commit(entries: readonly CommitEntry[]): Promise<readonly CommitVerdict[]> {
    if (this.db === undefined || this.closing) return Promise.reject(new StorageError(`SQLite store ${this.file} is ${this.closing ? 'closed' : 'not open: call open() first'}.`, { file: this.file }));
    if (!Array.isArray(entries)) return Promise.reject(invalidArgument('commit expects an array of entries.'));
    if (entries.length === 0) return Promise.resolve([]);
    if (this.failed !== undefined) return Promise.reject(this.failed);
    const checked = entries[0] === this.checkedEntry ? this.checkedParts : undefined;
    this.checkedEntry = undefined;
    this.checkedParts = undefined;
    return new Promise((resolve, reject) => {
      this.queue.push({ entries, checked, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // One write per turn of the event loop: every commit() made meanwhile joins it, and
        // timers and I/O (the outbox relay, incoming requests) run between writes rather than
        // starving behind a chain of synchronous writes in microtasks.
        setImmediate(() => this.flush());
      }
    });
  }

  check(entry: CommitEntry): void {
    if (typeof entry !== 'object' || entry === null) throw invalidArgument('check expects a commit entry.');
    this.checkedParts = this.encodeParts(entry);
    this.checkedEntry = entry;
  }

  async *history(query: HistoryQuery = {}): AsyncIterable<HistoryRecord> {
    checkHistoryQuery(query);
    let from = query.from ?? 0;
    const to = query.to ?? Number.MAX_SAFE_INTEGER;
    for (;;) {
      // A page at a time: no read cursor stays open across the consumer's awaits.
      const rows = this.read('reading history', () => this.statements().history.all(from, to, HISTORY_PAGE) as LogRow[]);
      for (const row of rows) {
        const record = this.toRecord(row);
        if (matchesQuery(record, query)) yield record;
      }
      if (rows.length < HISTORY_PAGE) return;
      from = (rows[rows.length - 1] as LogRow).version + 1;
    }
  }

  stateAt(version: number): Promise<Readonly<Record<string, unknown>> | undefined> {
    try {
      checkVersionArg(version);
      if (version > this.head) return Promise.resolve(undefined);
      return Promise.resolve(this.read('rebuilding a past version', () => this.rebuild(version)));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async close(): Promise<void> {
    if (this.db === undefined || this.closing) return;
    this.closing = true;
    // Writes already accepted finish first: close never drops an acknowledged-to-be commit.
    while (this.queue.length > 0 || this.scheduled || this.syncing || this.unsynced.length > 0) await new Promise((r) => setImmediate(r));
    const db = this.db;
    this.outbox.detach();
    this.db = undefined;
    this.st = undefined;
    this.writeRows = undefined;
    this.insertRows = undefined;
    this.replay = undefined;
    try {
      // SQLite checkpoints on close at the connection's sync level, which is OFF here: checkpoint
      // at FULL first, so the database file is on disk before the log is removed.
      if (this.failed === undefined) this.checkpoint(db, 'TRUNCATE');
      db.close();
    } finally {
      if (this.walFd !== undefined) closeSync(this.walFd);
      this.walFd = undefined;
      if (this.key !== undefined) OPEN_FILES.delete(this.key);
      this.key = undefined;
      this.closing = false;
    }
  }

  /**
   * Saves a copy of a heavy array's bytes under `key` (replacing an earlier save), durably, in
   * one transaction. Heavy memory is not part of the versioned state: call this when the array
   * holds what you want to keep, and `restoreHeavy` after reopening.
   */
  async persistHeavy(key: string, array: HeavyLike): Promise<void> {
    if (typeof key !== 'string' || key === '') throw invalidArgument('persistHeavy: the key must be a non-empty string.');
    const data = array?.data as ArrayBufferView | undefined;
    if (data === undefined || !ArrayBuffer.isView(data) || !Array.isArray(array.shape) || typeof array.dtype !== 'string') {
      throw invalidArgument('persistHeavy: expected a heavy array (engine.heavy.alloc(...) or engine.heavy.get(key)).');
    }
    // A copy taken now: writers to the shared memory may go on while SQLite writes.
    const bytes = Buffer.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    const db = this.openDb();
    try {
      db.prepare('INSERT OR REPLACE INTO theus_heavy (key, dtype, shape, bytes, saved_at) VALUES (?, ?, ?, ?, ?)').run(key, array.dtype, JSON.stringify(array.shape), bytes, Date.now());
      this.bytesSinceCheckpoint += bytes.byteLength;
      if (this.file !== ':memory:') {
        const fd = this.logFd();
        await new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
      }
    } catch (err) {
      throw storageFailure(this.file, `saving heavy array '${key}'`, err);
    }
  }

  /**
   * Allocates `heavy.<key>` in the engine from the last `persistHeavy` save and returns it, or
   * undefined when nothing was saved under that key.
   */
  async restoreHeavy<A>(engine: { readonly heavy: { alloc(key: string, shape: readonly number[], dtype: never): A } }, key: string): Promise<A | undefined> {
    if (typeof key !== 'string' || key === '') throw invalidArgument('restoreHeavy: the key must be a non-empty string.');
    const db = this.openDb();
    const row = this.read(`loading heavy array '${key}'`, () => db.prepare('SELECT dtype, shape, bytes FROM theus_heavy WHERE key = ?').get(key)) as { dtype: string; shape: string; bytes: Buffer } | undefined;
    if (row === undefined) return undefined;
    const shape = JSON.parse(row.shape) as number[];
    const array = engine.heavy.alloc(key, shape, row.dtype as never);
    const data = (array as unknown as HeavyLike).data;
    const target = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (target.byteLength !== row.bytes.byteLength) throw new StorageError(`SQLite store ${this.file}: saved heavy array '${key}' has ${row.bytes.byteLength} bytes, the allocated one ${target.byteLength}; the save is damaged.`, { file: this.file });
    target.set(row.bytes);
    return array;
  }

  private openDb(): Database {
    if (this.db === undefined) throw new StorageError(`SQLite store ${this.file} is not open.`, { file: this.file });
    return this.db;
  }

  // ── opening ────────────────────────────────────────────────────────────────────────────────

  private claimFile(): string {
    let key = this.file;
    try {
      if (existsSync(this.file)) key = realpathSync(this.file);
    } catch {
      // An unreadable path is reported by SQLite itself with a better message.
    }
    if (this.file !== ':memory:' && OPEN_FILES.has(key)) {
      throw new StorageError(`SQLite store ${this.file} is already open in another engine of this process: close that engine first, or use another file.`, { file: this.file });
    }
    OPEN_FILES.add(key);
    return key;
  }

  private prepare(db: Database, initial: Readonly<Record<string, unknown>>): OpenedStore {
    // Nothing is written before the file is known to be ours, empty, or of a format we read.
    let tables: string[];
    let format: number | undefined;
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
      try {
        tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
        if (tables.includes('theus_meta')) {
          const rows = db.prepare('SELECT key, value FROM theus_meta').all() as { key: string; value: string }[];
          const meta = new Map(rows.map((r) => [r.key, r.value]));
          if (meta.get('application') !== APPLICATION) throw this.notOurs();
          format = Number(meta.get('format'));
        }
      } finally {
        db.exec('COMMIT');
      }
    } catch (err) {
      throw storageFailure(this.file, 'reading the file', err);
    }
    if (format === undefined && tables.length > 0) throw this.notOurs();
    if (format !== undefined && (!Number.isSafeInteger(format) || format < 1 || format > FORMAT)) {
      throw new StorageError(
        `SQLite store ${this.file} has on-disk format ${String(format)}, but this version of Theus reads formats 1 to ${FORMAT}. Upgrade Theus, or point storage at another file; the file was left untouched.`,
        { file: this.file },
      );
    }
    try {
      if (this.file !== ':memory:') db.pragma('journal_mode = WAL');
      // The store syncs the log itself (asynchronously) and runs checkpoints itself, at FULL.
      db.pragma('synchronous = OFF');
      db.pragma('wal_autocheckpoint = 0');
      if (this.maxPages !== undefined) db.pragma(`max_page_count = ${this.maxPages}`);
    } catch (err) {
      throw storageFailure(this.file, 'switching to write-ahead logging', err);
    }
    if (format === undefined) this.create(db, initial);
    else if (format < FORMAT) this.migrate(db, format);
    this.prepareStatements(db);
    return this.load(db, initial);
  }

  private notOurs(): StorageError {
    return new StorageError(`SQLite store ${this.file} is a SQLite database that Theus did not create. Point storage at a new file (or an existing Theus store); the file was left untouched.`, { file: this.file });
  }

  private create(db: Database, initial: Readonly<Record<string, unknown>>): void {
    const root = encode(initial, this.classes);
    try {
      db.transaction(() => {
        for (const sql of CREATE) db.exec(sql);
        const meta = db.prepare('INSERT INTO theus_meta (key, value) VALUES (?, ?)');
        meta.run('application', APPLICATION);
        meta.run('format', String(FORMAT));
        meta.run('created', new Date().toISOString());
        db.prepare('INSERT INTO theus_snapshot (version, root, at) VALUES (0, ?, ?)').run(root, Date.now());
      })();
    } catch (err) {
      throw storageFailure(this.file, 'creating the store', err);
    }
  }

  private migrate(db: Database, from: number): void {
    for (let f = from; f < FORMAT; f++) {
      const step = MIGRATIONS[f - 1];
      if (step === undefined) throw new StorageError(`SQLite store ${this.file}: no migration from format ${f}. This is a bug in Theus.`, { file: this.file });
      try {
        db.transaction(() => {
          for (const sql of step) db.exec(sql);
          db.prepare("UPDATE theus_meta SET value = ? WHERE key = 'format'").run(String(f + 1));
        })();
      } catch (err) {
        throw storageFailure(this.file, `migrating from format ${f} to ${f + 1}`, err);
      }
    }
  }

  private prepareStatements(db: Database): void {
    this.st = {
      log: db.prepare('INSERT INTO theus_log (version, cid, process, at, ops, signals) VALUES (?, ?, ?, ?, ?, ?)'),
      snap: db.prepare('INSERT OR REPLACE INTO theus_snapshot (version, root, at) VALUES (?, ?, ?)'),
      history: db.prepare('SELECT version, cid, process, at, ops, signals FROM theus_log WHERE version >= ? AND version <= ? ORDER BY version LIMIT ?'),
      snapAtOrBefore: db.prepare('SELECT version, root FROM theus_snapshot WHERE version <= ? ORDER BY version DESC LIMIT 1'),
      logRange: db.prepare('SELECT version, ops FROM theus_log WHERE version > ? AND version <= ? ORDER BY version'),
      pruneLog: db.prepare('DELETE FROM theus_log WHERE version <= ?'),
      pruneSnap: db.prepare('DELETE FROM theus_snapshot WHERE version < ?'),
    };
    this.outbox.attach(db);
    const st = this.st;
    this.insertRows = (ready) => {
      for (const { rows } of ready) {
        for (const r of rows) {
          st.log.run(r.version, r.entry.id, r.entry.process, r.entry.at, r.ops, r.signals);
          for (let i = 0; i < r.outbox.length; i++) {
            const m = r.outbox[i] as { topic: string; payload: string };
            this.outbox.insert(r.version, i, m.topic, m.payload);
          }
        }
      }
    };
    // Made once: wrapping a function in a transaction costs more than the one-row write it wraps.
    this.writeRows = db.transaction(this.insertRows);
  }

  private load(db: Database, initial: Readonly<Record<string, unknown>>): OpenedStore {
    try {
      const snap = this.statements().snapAtOrBefore.get(Number.MAX_SAFE_INTEGER) as { version: number; root: string } | undefined;
      if (snap === undefined) throw new StorageError(`SQLite store ${this.file} has no snapshot: it is damaged. Restore it from a backup.`, { file: this.file });
      const root = decode(snap.root, this.classes) as PlainRoot;
      const replay = new OpReplay(root, true);
      let head = snap.version;
      let bytes = 0;
      for (const row of this.statements().logRange.iterate(snap.version, Number.MAX_SAFE_INTEGER) as IterableIterator<{ version: number; ops: string }>) {
        if (row.version !== head + 1) throw new StorageError(`SQLite store ${this.file} is missing version ${head + 1} of its log: it is damaged. Restore it from a backup.`, { file: this.file });
        const ops = decodeOps(row.ops, this.classes);
        replay.adopt(ops);
        replay.apply(ops);
        head = row.version;
        bytes += row.ops.length;
      }
      if (head === 0) {
        // Nothing was ever committed: the engine's initial state wins, as for a new file.
        const root = encode(initial, this.classes);
        this.statements().snap.run(0, root, Date.now());
        this.replay = new OpReplay(initial);
        this.lastSnapshotBytes = root.length;
        return { version: 0, root: undefined };
      }
      // The root handed to the engine is never written again: the store's own view copies on write.
      this.replay = new OpReplay(replay.root);
      this.head = head;
      this.lastSnapshot = snap.version;
      this.lastSnapshotBytes = snap.root.length;
      this.bytesSinceSnapshot = bytes;
      const recent = db.prepare('SELECT cid, version FROM theus_log ORDER BY version DESC LIMIT ?').all(RECENT_IDS) as { cid: string; version: number }[];
      for (const r of recent) this.recent.set(r.cid, r.version);
      return { version: head, root: replay.root };
    } catch (err) {
      throw storageFailure(this.file, 'loading the stored state', err);
    }
  }

  // ── writing ────────────────────────────────────────────────────────────────────────────────

  private flush(): void {
    this.scheduled = false;
    const groups = this.queue;
    this.queue = [];
    if (groups.length === 0) return;
    try {
      this.write(groups);
    } catch (err) {
      // Unexpected: every caller still gets an answer rather than a promise that never settles.
      for (const g of groups) g.reject(storageFailure(this.file, 'writing a commit', err));
    }
  }

  private write(groups: Pending[]): void {
    if (this.db === undefined) {
      for (const g of groups) g.reject(new StorageError(`SQLite store ${this.file} is closed.`, { file: this.file }));
      return;
    }
    // Encode and number every group first; a group that cannot be stored fails alone, and the
    // groups after it fail too when their versions depended on it.
    const ready: { group: Pending; rows: Encoded[]; verdicts: CommitVerdict[] }[] = [];
    let next = this.head;
    let broken: StorageError | undefined;
    // The store's own view moves ahead while encoding (an op that does not apply fails its group
    // before anything is written); if anything fails, it is rebuilt from the disk afterwards.
    let viewAhead = false;
    // Ids written earlier in this write, for a retry that arrives with its original. A lone entry
    // (the sequential commit) has no earlier one: no map, and no hashing of its id.
    const seen = groups.length > 1 || (groups[0]?.entries.length ?? 0) > 1 ? new Map<string, number>() : undefined;
    for (const group of groups) {
      try {
        if (broken !== undefined) throw broken;
        const rows: Encoded[] = [];
        const verdicts: CommitVerdict[] = [];
        let v = next;
        for (let i = 0; i < group.entries.length; i++) {
          const e = group.entries[i] as CommitEntry;
          const dup = this.recent.get(e?.id, e?.version, this.head) ?? seen?.get(e?.id);
          if (dup !== undefined) {
            verdicts.push({ ok: true, version: dup });
            continue;
          }
          const version = this.checkEntry(e, v);
          rows.push(this.encodeEntry(e, version, i === 0 ? group.checked : undefined));
          viewAhead = true;
          this.applyToView(e);
          seen?.set(e.id, version);
          verdicts.push({ ok: true, version });
          v = version;
        }
        next = v;
        ready.push({ group, rows, verdicts });
      } catch (err) {
        group.reject(err);
        broken ??= new StorageError(`SQLite store ${this.file}: an earlier commit in the same write failed, so this one (numbered after it) was not written.`, { file: this.file, cause: err });
      }
    }
    let written = false;
    if (ready.length > 0) {
      try {
        if (this.writeRows === undefined || this.insertRows === undefined) throw new StorageError(`SQLite store ${this.file} is not open.`, { file: this.file });
        // One row without messages is one statement, which SQLite applies atomically on its own
        // (autocommit): the usual sequential commit skips executing BEGIN and COMMIT.
        const row = ready.length === 1 && ready[0]!.rows.length === 1 ? ready[0]!.rows[0]! : undefined;
        if (row !== undefined && row.outbox.length === 0) this.insertRows(ready);
        else this.writeRows(ready);
        written = true;
      } catch (err) {
        const failure = storageFailure(this.file, 'writing a commit', err);
        for (const { group } of ready) group.reject(failure);
      }
    }
    let rowBytes = 0;
    if (written) {
      for (const { rows } of ready) {
        for (const r of rows) {
          this.head = r.version;
          this.bytesSinceSnapshot += r.ops.length;
          this.recent.set(r.entry.id, r.version);
          rowBytes += r.bytes;
        }
      }
    }
    if (viewAhead && (!written || broken !== undefined)) this.rebuildView();
    if (!written) return;
    // Whole pages go to the log: one at least, and about two per page of rows (tables and indexes).
    this.bytesSinceCheckpoint += FRAME * (1 + Math.ceil((2 * rowBytes) / 4096));
    this.maybeSnapshot();
    if (!this.full || this.file === ':memory:') {
      // normal: on the OS's pages, which survive the process; synced at each checkpoint.
      for (const { group, verdicts } of ready) group.resolve(verdicts);
      this.maybeCheckpoint();
      return;
    }
    for (const r of ready) this.unsynced.push(r);
    this.reserveLog();
    this.startSync();
  }

  /** Syncs the log once for every group written so far; groups written meanwhile wait for the next. */
  private startSync(): void {
    if (this.syncing || this.unsynced.length === 0) return;
    const waiting = this.unsynced;
    this.unsynced = [];
    let fd: number;
    try {
      fd = this.logFd();
    } catch (err) {
      this.syncFailed(waiting, err);
      return;
    }
    // fdatasync, as SQLite itself uses: the data and the file size, without the timestamps.
    if (!this.background) {
      // On the event loop, as SQLite's own FULL mode does: one sync per group write, and the
      // commits that arrive meanwhile form the next group when the loop turns.
      try {
        fdatasyncSync(fd);
      } catch (err) {
        this.syncFailed(waiting, err);
        return;
      }
      for (const { group, verdicts } of waiting) group.resolve(verdicts);
      this.maybeCheckpoint();
      return;
    }
    this.syncing = true;
    fdatasync(fd, (err) => {
      this.syncing = false;
      if (err) {
        this.syncFailed(waiting, err);
        return;
      }
      for (const { group, verdicts } of waiting) group.resolve(verdicts);
      if (this.unsynced.length > 0) this.startSync();
      else this.maybeCheckpoint();
    });
  }

  private syncFailed(waiting: readonly { group: Pending }[], err: unknown): void {
    this.failed ??= storageFailure(this.file, 'syncing the log to disk', err);
    for (const { group } of waiting) group.reject(this.failed);
    for (const { group } of this.unsynced) group.reject(this.failed);
    this.unsynced = [];
  }

  /** Our own descriptor of the -wal file, opened once (and the directory synced once, for its entry). */
  private logFd(): number {
    if (this.walFd !== undefined) return this.walFd;
    const fd = openSync(`${this.file}-wal`, 'r+');
    const dirFd = openSync(dirname(this.file), 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
    this.logSize = fstatSync(fd).size;
    this.walFd = fd;
    return fd;
  }

  /**
   * Keeps zeroed space in the log file ahead of SQLite's writes, so that a commit's sync rewrites
   * blocks the file already has instead of growing it: a sync that grows a file also commits the
   * file system's metadata, which costs about as much again. Zeros never read as log frames (a
   * frame must carry the log header's salt and checksums), so recovery stops where SQLite's
   * writes end. The zeros are written past the file's current end, never over SQLite's data, and
   * become durable with the next sync.
   */
  private reserveLog(): void {
    try {
      const fd = this.logFd();
      if (this.logSize - this.bytesSinceCheckpoint >= LOG_RESERVE / 2) return;
      const end = fstatSync(fd).size;
      zeros ??= Buffer.alloc(LOG_RESERVE);
      writeSync(fd, zeros, 0, zeros.length, end);
      this.logSize = end + zeros.length;
    } catch {
      // Only a speed-up: the log grows as SQLite writes, and the commit's own sync decides.
    }
  }

  /** Copies the log into the database once it has grown, while nothing waits for a sync. */
  private maybeCheckpoint(): void {
    if (this.bytesSinceCheckpoint < CHECKPOINT_BYTES || this.syncing || this.unsynced.length > 0 || this.db === undefined) return;
    try {
      this.checkpoint(this.db);
    } catch {
      // A checkpoint that fails (disk full) leaves the log as it was; the next one tries again.
    }
  }

  /** RESTART keeps the log file's size for the next writes to reuse; TRUNCATE (at close) empties it. */
  private checkpoint(db: Database, mode: 'RESTART' | 'TRUNCATE' = 'RESTART'): void {
    if (this.file === ':memory:') return;
    db.pragma('synchronous = FULL');
    try {
      db.pragma(`wal_checkpoint(${mode})`);
      this.bytesSinceCheckpoint = 0;
      this.logSize = mode === 'TRUNCATE' || this.walFd === undefined ? 0 : fstatSync(this.walFd).size;
    } finally {
      db.pragma('synchronous = OFF');
    }
  }

  private applyToView(e: CommitEntry): void {
    if (this.replay === undefined) return;
    try {
      this.replay.apply(e.ops);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new StorageError(`SQLite store ${this.file}: commit ${e.id} has ops that do not apply to the stored state (${why}); nothing of it was written.`, { file: this.file, cause: err });
    }
  }

  /** Back to exactly what is on disk, after a write that did not happen. */
  private rebuildView(): void {
    try {
      const root = this.rebuild(this.head);
      this.replay = root === undefined ? undefined : new OpReplay(root, true);
    } catch {
      // Without a view no snapshots are written; the log still restores everything on reopen.
      this.replay = undefined;
    }
  }

  private checkEntry(e: CommitEntry, prev: number): number {
    if (typeof e !== 'object' || e === null || typeof e.id !== 'string' || !Array.isArray(e.ops) || !Array.isArray(e.outbox) || !Array.isArray(e.signals)) {
      throw invalidArgument('A commit entry must be an object with id, ops, signals and outbox.');
    }
    const version = e.version ?? prev + 1;
    if (version !== prev + 1) {
      throw new StorageError(`SQLite store ${this.file}: commit ${e.id} carries version ${String(version)} but the store is at ${prev}; versions must follow one another. This is a bug in the caller.`, { file: this.file });
    }
    for (const m of e.outbox) {
      if (typeof m?.topic !== 'string' || m.topic === '') throw invalidArgument('An outbox message needs a non-empty string topic.');
    }
    return version;
  }

  private encodeEntry(e: CommitEntry, version: number, checked: EncodedEntry | undefined): Encoded {
    const parts = checked ?? this.encodeParts(e);
    // Listed, not spread: the row object is built on every commit.
    return { entry: e, version, ops: parts.ops, signals: parts.signals, outbox: parts.outbox, bytes: parts.bytes };
  }

  private encodeParts(e: CommitEntry): EncodedEntry {
    const ops = encodeOps(e.ops, this.classes);
    const signals = e.signals.length === 0 ? null : encode(e.signals, this.classes);
    const outbox = e.outbox.length === 0 ? NO_MESSAGES : e.outbox.map((m) => ({ topic: m.topic, payload: encode(m.payload, this.classes) }));
    let bytes = ops.length + (signals?.length ?? 0) + 64;
    for (const m of outbox) bytes += m.topic.length + m.payload.length + 32;
    return { ops, signals, outbox, bytes };
  }

  private maybeSnapshot(): void {
    const since = this.head - this.lastSnapshot;
    if (since < this.snapshotEvery) return;
    // Snapshot when replaying the log would cost about as much as loading a snapshot, so the
    // bytes written for snapshots stay a small multiple of the log's.
    if (this.bytesSinceSnapshot < this.lastSnapshotBytes / 2 && since < 20 * this.snapshotEvery) return;
    if (this.replay === undefined || this.db === undefined) return;
    try {
      const root = encode(this.replay.root, this.classes);
      const st = this.statements();
      const head = this.head;
      this.relaxed(() => {
        st.snap.run(head, root, Date.now());
        if (Number.isFinite(this.retain)) this.prune(head);
      });
      this.lastSnapshot = head;
      this.lastSnapshotBytes = root.length;
      this.bytesSinceSnapshot = 0;
    } catch {
      // A snapshot only speeds up reopening; the log alone still restores the state. The next
      // commit past the threshold tries again.
    }
  }

  private prune(head: number): void {
    const floor = head - this.retain;
    if (floor <= 0) return;
    const keep = this.statements().snapAtOrBefore.get(floor) as { version: number } | undefined;
    if (keep === undefined) return;
    this.statements().pruneSnap.run(keep.version);
    this.statements().pruneLog.run(keep.version);
  }

  /** Bookkeeping that need not wait for the disk: the next commit's sync covers it too. */
  private relaxed(fn: () => void): void {
    const db = this.db;
    if (db === undefined) throw new StorageError(`SQLite store ${this.file} is not open.`, { file: this.file });
    db.transaction(fn)();
  }


  // ── reading ────────────────────────────────────────────────────────────────────────────────

  private rebuild(version: number): PlainRoot | undefined {
    const st = this.statements();
    const snap = st.snapAtOrBefore.get(version) as { version: number; root: string } | undefined;
    if (snap === undefined) return undefined;
    const replay = new OpReplay(decode(snap.root, this.classes) as PlainRoot, true);
    let at = snap.version;
    for (const row of st.logRange.iterate(snap.version, version) as IterableIterator<{ version: number; ops: string }>) {
      if (row.version !== at + 1) return undefined;
      const ops = decodeOps(row.ops, this.classes);
      replay.adopt(ops);
      replay.apply(ops);
      at = row.version;
    }
    return at === version ? replay.root : undefined;
  }

  private toRecord(row: LogRow): HistoryRecord {
    return {
      version: row.version,
      process: row.process,
      delta: decodeOps(row.ops, this.classes),
      signals: row.signals === null ? [] : (decode(row.signals, this.classes) as HistoryRecord['signals']),
      at: row.at,
    };
  }

  private statements(): NonNullable<SqliteStore['st']> {
    if (this.st === undefined) throw new StorageError(`SQLite store ${this.file} is not open.`, { file: this.file });
    return this.st;
  }

  private read<T>(doing: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw storageFailure(this.file, doing, err);
    }
  }
}

function removeFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    try {
      rmSync(join(dirname(file), basename(file) + suffix), { force: true });
    } catch {
      // Best effort: a file we created and cannot remove is reported by the error being thrown.
    }
  }
}
