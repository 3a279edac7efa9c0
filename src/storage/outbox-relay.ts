/**
 * Delivers committed outbox messages to a handler, over any store's `OutboxStore`.
 *
 * At least once: a message is acknowledged only after its handler returned, so a crash between the
 * two redelivers it (consumers use the stable `id` to stay idempotent). Messages are claimed and
 * delivered in commit order, one at a time; a failing message waits for its retry without holding
 * back the ones after it. A handler that throws is called again after an exponential backoff until
 * it has been called `maxAttempts` times, then the message becomes a dead letter.
 *
 * The relay sleeps while the outbox is empty: the engine calls `notify()` after each commit that
 * carried messages, and an unref'd slow poll picks up what other relays or expired leases free.
 */
import { randomUUID } from 'node:crypto';
import { invalidArgument, TheusError } from '../errors.js';
import type { OutboxMessage, OutboxStore } from './store.js';

export type OutboxHandler = (message: OutboxMessage) => unknown;

export interface OutboxRelayOptions {
  /** Times the handler is called for one message before it is dead-lettered (default 5). */
  readonly maxAttempts?: number;
  /** First retry delay; doubles after each failure (default 100 ms). */
  readonly backoffMs?: number;
  /** Cap on the retry delay (default 30 000 ms). */
  readonly maxBackoffMs?: number;
  /** Messages claimed per round trip to the store (default 100). */
  readonly batchSize?: number;
  /** How long a claim keeps other relays off a message (default 30 000 ms). */
  readonly leaseMs?: number;
  /** How often an idle relay looks again without a `notify()` (default 1000 ms). */
  readonly pollMs?: number;
  /** Called when the store itself fails (the relay keeps going); default: ignored. */
  readonly onError?: (error: unknown) => void;
}

export interface DrainResult {
  readonly delivered: number;
  readonly failed: number;
  readonly dead: number;
}

export class OutboxRelay {
  readonly owner = `relay-${randomUUID()}`;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly onError: ((error: unknown) => void) | undefined;
  /** When each message this relay failed becomes deliverable again. */
  private readonly retries = new Map<string, number>();
  private running: Promise<void> | null = null;
  private started = false;
  private stopped = false;
  private woken = false;
  private wake: (() => void) | null = null;
  private drainers: { resolve: (r: DrainResult) => void; from: DrainResult }[] = [];
  private counts = { delivered: 0, failed: 0, dead: 0 };

  constructor(
    private readonly store: OutboxStore,
    private readonly handler: OutboxHandler,
    options: OutboxRelayOptions = {},
  ) {
    if (typeof handler !== 'function') throw invalidArgument('An outbox handler must be a function (message) => void | Promise<void>.');
    this.maxAttempts = positiveInt(options.maxAttempts, 5, 'maxAttempts');
    this.backoffMs = nonNegative(options.backoffMs, 100, 'backoffMs');
    this.maxBackoffMs = nonNegative(options.maxBackoffMs, 30_000, 'maxBackoffMs');
    this.batchSize = positiveInt(options.batchSize, 100, 'batchSize');
    this.leaseMs = positiveInt(options.leaseMs, 30_000, 'leaseMs');
    this.pollMs = positiveInt(options.pollMs, 1000, 'pollMs');
    if (options.onError !== undefined && typeof options.onError !== 'function') throw invalidArgument('onError must be a function.');
    this.onError = options.onError;
  }

  /** Starts delivering in the background until `stop()`. */
  start(): void {
    if (this.stopped) throw new TheusError('ENGINE_CLOSED', 'This outbox relay was stopped; create a new one.');
    this.started = true;
    this.kick();
  }

  /** New messages may be waiting: wake an idle relay now. */
  notify(): void {
    this.woken = true;
    this.wake?.();
    if (this.started) this.kick();
  }

  /**
   * Delivers until nothing is deliverable by this relay, waiting out its own retries (so a message
   * failing for good ends as a dead letter before this resolves). Works whether or not `start()`
   * was called. Messages leased by another live relay are left to it.
   */
  drain(): Promise<DrainResult> {
    if (this.stopped) return Promise.reject(new TheusError('ENGINE_CLOSED', 'This outbox relay was stopped.'));
    return new Promise<DrainResult>((resolve) => {
      this.drainers.push({ resolve, from: { ...this.counts } });
      this.woken = true;
      this.wake?.();
      this.kick();
    });
  }

  /** Stops after the delivery in flight (if any) settles. Pending drains resolve with what they got. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    if (this.running) await this.running;
    this.settleDrainers();
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = this.pump().finally(() => {
      this.running = null;
      // A notify or drain that raced with the pump's exit starts it again.
      if (!this.stopped && (this.drainers.length > 0 || (this.started && this.woken))) this.kick();
    });
  }

  private async pump(): Promise<void> {
    while (!this.stopped) {
      this.woken = false;
      const claimedAt = Date.now();
      let batch: readonly OutboxMessage[];
      try {
        batch = await this.store.claim(this.owner, this.batchSize, this.leaseMs);
      } catch (err) {
        this.report(err);
        if (!this.started) {
          // A drain with a failing store ends rather than spinning.
          this.settleDrainers();
          return;
        }
        await this.sleep(this.pollMs);
        continue;
      }
      if (batch.length > 0) {
        await this.deliver(batch);
        continue;
      }
      // Retries this relay scheduled that were due at the claim yet not offered belong to someone else now.
      for (const [id, due] of this.retries) if (due <= claimedAt) this.retries.delete(id);
      const nextRetry = this.retries.size > 0 ? Math.min(...this.retries.values()) : undefined;
      if (nextRetry === undefined) this.settleDrainers();
      if (this.woken) continue;
      if (!this.started && this.drainers.length === 0) return;
      const wait = nextRetry === undefined ? this.pollMs : Math.max(0, nextRetry - Date.now());
      await this.sleep(this.started ? Math.min(wait, this.pollMs) : wait);
    }
  }

  private async deliver(batch: readonly OutboxMessage[]): Promise<void> {
    for (const message of batch) {
      if (this.stopped) break;
      this.retries.delete(message.id);
      let ok = false;
      try {
        await this.handler(message);
        ok = true;
      } catch (err) {
        await this.failed(message, err);
      }
      if (!ok) continue;
      this.counts.delivered++;
      // Acknowledged at once, not at the end of the batch: a crash then redelivers at most the
      // message whose handler was running, however slow the handler is.
      try {
        await this.store.ack(this.owner, [message.id]);
      } catch (err) {
        this.report(err);
      }
    }
  }

  private async failed(message: OutboxMessage, err: unknown): Promise<void> {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    const dead = message.attempts >= this.maxAttempts;
    const delay = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** Math.min(30, Math.max(0, message.attempts - 1)));
    try {
      await this.store.fail(this.owner, message.id, error, delay, dead);
    } catch (storeErr) {
      this.report(storeErr);
      return;
    }
    if (dead) this.counts.dead++;
    else {
      this.counts.failed++;
      this.retries.set(message.id, Date.now() + delay);
    }
  }

  private settleDrainers(): void {
    const waiting = this.drainers;
    this.drainers = [];
    for (const d of waiting) {
      d.resolve({
        delivered: this.counts.delivered - d.from.delivered,
        failed: this.counts.failed - d.from.failed,
        dead: this.counts.dead - d.from.dead,
      });
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      // An idle relay alone does not keep the process alive; a drain someone awaits does.
      if (this.drainers.length === 0) timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private report(err: unknown): void {
    try {
      this.onError?.(err);
    } catch {
      // A throwing error reporter must not stop delivery.
    }
  }
}

function positiveInt(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw invalidArgument(`${name} must be a positive integer, got ${String(value)}.`);
  return value;
}

function nonNegative(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalidArgument(`${name} must be a non-negative number, got ${String(value)}.`);
  return value;
}
