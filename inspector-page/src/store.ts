// The page's copy of the event stream: a bounded list fed by Server-Sent Events, refilled from
// api/events after a gap (a slow tab, a reconnect).
import { decodeBatch } from '../../src/inspect/stream-batch';
import { query, type Rec } from './api';

const MAX = 5000;

export class EventStore {
  events: Rec[] = [];
  status: 'connecting' | 'live' | 'offline' = 'connecting';
  #listeners = new Set<() => void>();
  #lastSeq = -1;
  #frame = 0;
  #source: EventSource | undefined;

  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Renders at most every 50 ms, however fast events come (a timer, not an animation frame: frames stop in hidden tabs). */
  #changed(): void {
    if (this.#frame) return;
    this.#frame = window.setTimeout(() => {
      this.#frame = 0;
      this.events = this.events.slice(); // a new identity, so that views memoised on it refresh
      for (const l of this.#listeners) l();
    }, 50);
  }

  #add(r: Rec): void {
    if (r.seq <= this.#lastSeq) return;
    this.#lastSeq = r.seq;
    this.events.push(r);
    if (this.events.length > MAX) this.events.splice(0, this.events.length - MAX);
  }

  async #refill(from: number): Promise<void> {
    const page = await query<{ events: Rec[] }>('events', { after: from, limit: 2000 });
    for (const r of page.events) this.#add(r);
    this.#changed();
  }

  async start(): Promise<void> {
    await this.#refill(0).catch(() => undefined);
    const src = new EventSource(`events?after=${this.#lastSeq + 1}`);
    this.#source = src;
    src.addEventListener('open', () => {
      this.status = 'live';
      this.#changed();
    });
    src.addEventListener('error', () => {
      this.status = src.readyState === EventSource.CLOSED ? 'offline' : 'connecting';
      this.#changed();
    });
    src.addEventListener('recs', (e) => {
      for (const r of decodeBatch(JSON.parse((e as MessageEvent).data))) this.#add(r as Rec);
      this.#changed();
    });
    src.addEventListener('gap', (e) => {
      const { from } = JSON.parse((e as MessageEvent).data);
      void this.#refill(Math.max(from, this.#lastSeq + 1));
    });
  }

  stop(): void {
    this.#source?.close();
  }
}
