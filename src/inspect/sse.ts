/**
 * The live stream. Records are read from the recorder's ring and serialised in batches (one
 * `recs` event every FLUSH_MS, for all clients at once), never inside the engine's event: the
 * engine's side costs a counter check. A client that cannot keep up is not buffered without
 * bound: past a high-water mark its batches are skipped and, once its socket drains, it gets a
 * `gap` event naming what it missed so the page can fetch it. Records the ring dropped before
 * they could be sent are reported the same way.
 */
import type { ServerResponse } from 'node:http';
import type { RecordRing } from './record-ring.js';
import { BatchEncoder } from './wire.js';

const HIGH_WATER = 1 << 20;
/**
 * Batches go out at most this often: a write to a socket costs far more than a commit (tens of µs
 * on a busy machine), and a page needs no finer latency than this. A batch that reaches
 * EARLY_FLUSH records goes out at once, so the ring does not overrun it.
 */
const FLUSH_MS = 25;
const EARLY_FLUSH = 1024;
/** Records sent to a client as it connects; older ones it asks for through the `events` query. */
const BACKLOG = 2000;

interface Client {
  res: ServerResponse;
  lagging: boolean;
  missedFrom: number;
  /** First sequence this client has not been sent (its backlog may overlap the pending batch). */
  next: number;
}

export class SseHub {
  readonly #clients = new Set<Client>();
  readonly #source: RecordRing;
  /** First sequence not yet sent to the clients. */
  #next: number;
  #timer: NodeJS.Timeout | undefined;
  #immediate = false;
  readonly #heartbeat: NodeJS.Timeout;

  constructor(source: RecordRing, heartbeatMs = 15_000) {
    this.#source = source;
    this.#next = source.next;
    this.#heartbeat = setInterval(() => this.#broadcast(': ping\n\n'), heartbeatMs);
    this.#heartbeat.unref();
  }

  get size(): number {
    return this.#clients.size;
  }

  /** A new client, sent the records from sequence `from` (those still held) at once. */
  add(res: ServerResponse, from: number): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const src = this.#source;
    // Nobody was listening: nothing is pending, the stream starts now.
    if (this.#clients.size === 0) this.#next = src.next;
    const client: Client = { res, lagging: false, missedFrom: -1, next: src.next };
    this.#clients.add(client);
    const drop = () => this.#clients.delete(client);
    res.on('close', drop);
    res.on('error', drop);
    res.on('drain', () => {
      if (!client.lagging) return;
      client.lagging = false;
      this.#write(client, gapFrame(client.missedFrom));
    });
    res.write('retry: 2000\n\n');
    const start = Math.max(from, src.first, src.next - BACKLOG);
    if (from < start && from < src.next) this.#write(client, gapFrame(from));
    if (start < src.next) this.#write(client, this.#encode(start, src.next), start);
  }

  /** Called from the recorder's listener, inside the engine's publish: O(1), no allocation. */
  push(): void {
    if (this.#clients.size === 0 || this.#immediate) return;
    if (this.#source.next - this.#next >= EARLY_FLUSH) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#immediate = true;
      setImmediate(() => this.#flush());
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#flush(), FLUSH_MS);
      this.#timer.unref();
    }
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#immediate = false;
    const src = this.#source;
    const to = src.next;
    let from = this.#next;
    this.#next = to;
    if (this.#clients.size === 0 || from >= to) return;
    if (from < src.first) {
      this.#broadcast(gapFrame(from));
      from = src.first;
    }
    const text = this.#encode(from, to);
    for (const c of this.#clients) {
      if (c.next <= from) this.#write(c, text, from);
      else if (c.next < to) this.#write(c, this.#encode(c.next, to), c.next); // just connected: the rest after its backlog
      c.next = to;
    }
  }

  /** One `recs` event with the records [from, to); its id is the last one's sequence. */
  #encode(from: number, to: number): string {
    const enc = new BatchEncoder();
    for (let seq = from; seq < to; seq++) this.#source.encode(seq, enc);
    return `id: ${to - 1}\nevent: recs\ndata: ${enc.json()}\n\n`;
  }

  #broadcast(text: string, firstSeq = -1): void {
    for (const c of this.#clients) this.#write(c, text, firstSeq);
  }

  #write(c: Client, text: string, firstSeq = -1): void {
    if (c.res.destroyed || c.res.writableEnded) {
      this.#clients.delete(c);
      return;
    }
    if (c.lagging) return;
    if (c.res.writableLength > HIGH_WATER) {
      c.lagging = true;
      c.missedFrom = firstSeq >= 0 ? firstSeq : c.next;
      return;
    }
    c.res.write(text);
  }

  close(): void {
    clearInterval(this.#heartbeat);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const c of this.#clients) c.res.end();
    this.#clients.clear();
  }
}

function gapFrame(from: number): string {
  return `event: gap\ndata: ${JSON.stringify({ from })}\n\n`;
}
