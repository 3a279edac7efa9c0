import { DropOldestQueue } from './drop-oldest-queue.js';
import type { SignalMessage } from './types.js';

type Waiter = (result: IteratorResult<SignalMessage>) => void;

const DONE: IteratorResult<SignalMessage> = Object.freeze({ done: true, value: undefined });

/**
 * One consumer of {@link SignalHub.stream}. Publishing never waits for it: messages go to a waiting `next()` directly
 * or into a bounded buffer that drops the oldest entry when full; the next delivered message then reports `lost`.
 */
export class SignalStream implements AsyncIterableIterator<SignalMessage> {
  private readonly buffer: DropOldestQueue<SignalMessage>;
  private readonly waiters: Waiter[] = [];
  private lostSinceDelivery = 0;
  private finished = false;
  private detach: (() => void) | undefined;

  /** @internal the hub builds streams; `attach` is called once the hub has subscribed the stream. */
  constructor(bufferSize: number) {
    this.buffer = new DropOldestQueue(bufferSize);
  }

  /** @internal */
  attach(detach: () => void): void {
    this.detach = detach;
  }

  /** @internal called by the hub for every matching message. */
  push(message: SignalMessage): void {
    if (this.finished) return;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      waiter({ done: false, value: message });
      return;
    }
    if (this.buffer.push(message)) this.lostSinceDelivery++;
  }

  /** @internal the hub closed: buffered messages are still delivered, then the iterator finishes. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.detach = undefined;
    for (const waiter of this.waiters.splice(0)) waiter(DONE);
  }

  /** How many messages are buffered and not yet delivered. */
  get pending(): number {
    return this.buffer.length;
  }

  next(): Promise<IteratorResult<SignalMessage>> {
    if (this.buffer.length > 0) return Promise.resolve({ done: false, value: this.takeBuffered() });
    if (this.finished) return Promise.resolve(DONE);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Unsubscribes and discards what is buffered; called by `break` in a `for await` loop. */
  return(): Promise<IteratorResult<SignalMessage>> {
    const detach = this.detach;
    this.end();
    this.buffer.clear();
    detach?.();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private takeBuffered(): SignalMessage {
    const message = this.buffer.shift() as SignalMessage;
    if (this.lostSinceDelivery === 0) return message;
    const lost = this.lostSinceDelivery;
    this.lostSinceDelivery = 0;
    return { topic: message.topic, payload: message.payload, version: message.version, lost };
  }
}
