import { StorageError } from '../../errors.js';

/** The part of the `pg` module this store uses. */
export interface PgModule {
  Pool: new (config: Record<string, unknown>) => PgPool;
  Client: new (config: Record<string, unknown>) => PgClient;
}

export interface PgQueryResult {
  rows: Record<string, unknown>[];
  rowCount: number | null;
}

export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
  /** A named statement: parsed once per connection, then only bound and executed. */
  query(config: { name: string; text: string; values: unknown[] }): Promise<PgQueryResult>;
}

export interface PgPoolClient extends PgQueryable {
  release(destroy?: boolean | Error): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
  removeListener(event: 'error', listener: (err: Error) => void): unknown;
}

/** A pooled connection held across several queries. */
export interface Checkout extends PgQueryable {
  done(destroy?: boolean): void;
}

/**
 * Takes a connection out of the pool for several queries. A connection that dies while held
 * emits 'error' on the client, which would crash the process unheard: it is heard here, and the
 * next query on it fails (and is handled like any lost connection).
 */
export async function checkout(pool: PgPool): Promise<Checkout> {
  const client = await pool.connect();
  const onError = () => undefined;
  client.on('error', onError);
  let released = false;
  return {
    query: ((textOrConfig: never, values?: unknown[]) => client.query(textOrConfig, values)) as PgQueryable['query'],
    done: (destroy = false) => {
      if (released) return;
      released = true;
      client.removeListener('error', onError);
      client.release(destroy);
    },
  };
}

export interface PgPool extends PgQueryable {
  connect(): Promise<PgPoolClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export interface PgClient extends PgQueryable {
  connect(): Promise<void>;
  end(): Promise<void>;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'notification', listener: (msg: { channel: string; payload?: string }) => void): unknown;
}

/**
 * `pg` is an optional peer dependency: it is loaded only when a PostgreSQL store opens, so
 * applications that never use one do not need it installed.
 */
export async function loadPg(importer: () => Promise<unknown> = () => import('pg')): Promise<PgModule> {
  let mod: unknown;
  try {
    mod = await importer();
  } catch (cause) {
    throw new StorageError("The PostgreSQL store needs the 'pg' package (8.x), which is not installed. Run: npm install pg", { cause });
  }
  const m = ((mod as { default?: unknown }).default ?? mod) as Partial<PgModule>;
  if (typeof m.Pool !== 'function' || typeof m.Client !== 'function') {
    throw new StorageError("The installed 'pg' package does not look like pg 8.x (no Pool/Client). Run: npm install pg@8");
  }
  return m as PgModule;
}

/**
 * Errors after which the same request may simply be sent again: the connection broke, the server
 * is restarting, or PostgreSQL asked for a retry. Anything else is an answer, not an accident.
 */
export function isTransient(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '40001' || code === '40P01') return true;
  if (['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'].includes(code)) return true;
  const msg = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|connection timeout|timeout exceeded|Client has encountered a connection error|Query read timeout/i.test(msg);
}

/** No connection could be made at all: retrying would only make a bad address fail slowly. */
export function isUnreachable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ETIMEDOUT'].includes(code)) return true;
  return /timeout/i.test(typeof e?.message === 'string' ? e.message : '');
}

/** The connection string without its password, for messages. */
export function redact(connectionString: string): string {
  return connectionString.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@').replace(/(password=)\S+/i, '$1***');
}

/**
 * One connection of its own, opened on first use and replaced after it breaks; queries run one at
 * a time. Commits use it: they serialize on the head row in the database anyway, and a pooled
 * checkout per commit measured about twice the client-side latency of a held connection.
 */
export class DedicatedConnection implements PgQueryable {
  #client: Promise<PgClient> | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(
    private readonly pg: PgModule,
    private readonly config: Record<string, unknown>,
  ) {}

  query(textOrConfig: string | { name: string; text: string; values: unknown[] }, values?: unknown[]): Promise<PgQueryResult> {
    const run = this.#tail.then(async () => {
      const client = await this.#connect();
      try {
        return await client.query(textOrConfig as never, values);
      } catch (err) {
        // A broken connection is dropped so the next query opens a fresh one; an SQL error
        // leaves the connection usable.
        if (isTransient(err)) this.#drop();
        throw err;
      }
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  #connect(): Promise<PgClient> {
    if (this.#closed) return Promise.reject(new StorageError('The PostgreSQL store is closed.'));
    if (!this.#client) {
      const client = new this.pg.Client(this.config);
      client.on('error', () => this.#drop(client));
      client.on('end', () => this.#drop(client));
      const connecting = client.connect().then(
        () => client,
        (err: unknown) => {
          this.#drop(client);
          throw err;
        },
      );
      this.#client = connecting;
      this.#current = client;
    }
    return this.#client;
  }

  #current: PgClient | undefined;

  #drop(which?: PgClient): void {
    if (which !== undefined && which !== this.#current) return;
    const c = this.#current;
    this.#client = undefined;
    this.#current = undefined;
    c?.end().catch(() => undefined);
  }

  /** Ends the connection at once: a query still waiting (on a lock, say) fails instead of holding close() up. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#drop();
    await this.#tail;
  }
}
