/**
 * The live stream. Each record is serialised once for all clients, after the engine's event (on
 * setImmediate), never inside it. A client that cannot keep up is not buffered without bound: past
 * a high-water mark its events are skipped and, once its socket drains, it gets a `gap` event
 * naming what it missed so the page can fetch it.
 */
import type { ServerResponse } from 'node:http';
import type { Rec } from './records.js';
import { streamRec } from './wire.js';

const HIGH_WATER = 1 << 20;
const MAX_QUEUE = 4096;

interface Client {
  res: ServerResponse;
  lagging: boolean;
  missedFrom: number;
}

export class SseHub {
  readonly #clients = new Set<Client>();
  #queue: [number, Rec][] = [];
  #dropped = 0;
  #scheduled = false;
  readonly #heartbeat: NodeJS.Timeout;

  constructor(heartbeatMs = 15_000) {
    this.#heartbeat = setInterval(() => this.#broadcast(': ping\n\n'), heartbeatMs);
    this.#heartbeat.unref();
  }

  get size(): number {
    return this.#clients.size;
  }

  add(res: ServerResponse, backlog: Iterable<[number, Rec]>): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const client: Client = { res, lagging: false, missedFrom: -1 };
    this.#clients.add(client);
    const drop = () => this.#clients.delete(client);
    res.on('close', drop);
    res.on('error', drop);
    res.on('drain', () => {
      if (!client.lagging) return;
      client.lagging = false;
      this.#write(client, `event: gap\ndata: ${JSON.stringify({ from: client.missedFrom })}\n\n`);
    });
    res.write('retry: 2000\n\n');
    for (const [seq, rec] of backlog) this.#write(client, frame(seq, rec), seq);
  }

  /** Called from the recorder's listener, inside the engine's publish: O(1). */
  push(seq: number, rec: Rec): void {
    if (this.#clients.size === 0) return;
    if (this.#queue.length >= MAX_QUEUE) {
      this.#dropped++;
      return;
    }
    this.#queue.push([seq, rec]);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (this.#dropped > 0 && batch.length > 0) {
      const from = batch[batch.length - 1]![0] + 1 - this.#dropped - batch.length;
      this.#dropped = 0;
      this.#broadcast(`event: gap\ndata: ${JSON.stringify({ from })}\n\n`);
    }
    let text = '';
    for (const [seq, rec] of batch) text += frame(seq, rec);
    if (text !== '') this.#broadcast(text, batch[0]?.[0]);
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
      c.missedFrom = firstSeq;
      return;
    }
    c.res.write(text);
  }

  close(): void {
    clearInterval(this.#heartbeat);
    for (const c of this.#clients) c.res.end();
    this.#clients.clear();
  }
}

function frame(seq: number, rec: Rec): string {
  let data: string;
  try {
    data = JSON.stringify(streamRec(seq, rec));
  } catch {
    data = JSON.stringify({ seq, kind: rec.kind, engineId: rec.engineId, at: rec.at, unreadable: true });
  }
  return `id: ${seq}\nevent: rec\ndata: ${data}\n\n`;
}
