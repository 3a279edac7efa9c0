/**
 * The outbox of the memory store: the same claim / lease / ack / fail / dead-letter rules as the
 * durable stores, without durability (messages live as long as the process).
 */
import type { DeadLetter, OutboxMessage, OutboxMessageInit, OutboxStore } from './store.js';

interface Slot {
  readonly id: string;
  readonly seq: number;
  readonly topic: string;
  readonly payload: unknown;
  readonly version: number;
  attempts: number;
  owner: string | undefined;
  leaseUntil: number;
  availableAt: number;
  done: boolean;
}

export class MemoryOutbox implements OutboxStore {
  /** Undelivered messages in commit order; delivered slots are dropped from the front lazily. */
  private queue: Slot[] = [];
  private head = 0;
  private live = new Map<string, Slot>();
  private dead = new Map<string, DeadLetter & { seq: number }>();
  private seq = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Called by the store inside a commit: `version` is the commit's version. */
  enqueue(version: number, messages: readonly OutboxMessageInit[]): void {
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i] as OutboxMessageInit;
      const slot: Slot = {
        id: `${version}.${i}`, seq: this.seq++, topic: m.topic, payload: m.payload, version,
        attempts: 0, owner: undefined, leaseUntil: 0, availableAt: 0, done: false,
      };
      this.queue.push(slot);
      this.live.set(slot.id, slot);
    }
  }

  claim(owner: string, limit: number, leaseMs: number): Promise<readonly OutboxMessage[]> {
    const now = this.now();
    const out: OutboxMessage[] = [];
    for (let i = this.head; i < this.queue.length && out.length < limit; i++) {
      const s = this.queue[i] as Slot;
      if (s.done || s.availableAt > now || (s.owner !== undefined && s.leaseUntil > now)) continue;
      s.owner = owner;
      s.leaseUntil = now + leaseMs;
      s.attempts++;
      out.push({ id: s.id, topic: s.topic, payload: s.payload, version: s.version, attempts: s.attempts });
    }
    return Promise.resolve(out);
  }

  ack(_owner: string, ids: readonly string[]): Promise<void> {
    // A delivery is a delivery even when its lease ran out meanwhile: acknowledging it stops a
    // second, pointless redelivery.
    for (const id of ids) this.finish(id);
    this.compact();
    return Promise.resolve();
  }

  fail(owner: string, id: string, error: string, retryInMs: number, dead: boolean): Promise<void> {
    const s = this.live.get(id);
    if (s === undefined || s.owner !== owner) return Promise.resolve();
    if (dead) {
      this.finish(id);
      this.dead.set(id, { id, topic: s.topic, payload: s.payload, version: s.version, attempts: s.attempts, error, failedAt: this.now(), seq: s.seq });
      this.compact();
    } else {
      s.owner = undefined;
      s.leaseUntil = 0;
      s.availableAt = this.now() + Math.max(0, retryInMs);
    }
    return Promise.resolve();
  }

  deadLetters(): Promise<readonly DeadLetter[]> {
    return Promise.resolve([...this.dead.values()].map(({ seq: _seq, ...letter }) => letter));
  }

  redrive(ids?: readonly string[]): Promise<number> {
    const chosen = ids === undefined ? [...this.dead.keys()] : ids.filter((id) => this.dead.has(id));
    if (chosen.length === 0) return Promise.resolve(0);
    const back: Slot[] = [];
    for (const id of chosen) {
      const d = this.dead.get(id) as DeadLetter & { seq: number };
      this.dead.delete(id);
      back.push({ id, seq: d.seq, topic: d.topic, payload: d.payload, version: d.version, attempts: 0, owner: undefined, leaseUntil: 0, availableAt: 0, done: false });
    }
    // Redriven messages go back to their place in commit order.
    const rest = this.queue.slice(this.head).filter((s) => !s.done);
    this.queue = [...rest, ...back].sort((a, b) => a.seq - b.seq);
    this.head = 0;
    for (const s of back) this.live.set(s.id, s);
    return Promise.resolve(back.length);
  }

  pending(): Promise<number> {
    return Promise.resolve(this.live.size);
  }

  private finish(id: string): void {
    const s = this.live.get(id);
    if (s === undefined) return;
    s.done = true;
    this.live.delete(id);
  }

  private compact(): void {
    while (this.head < this.queue.length && (this.queue[this.head] as Slot).done) this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
