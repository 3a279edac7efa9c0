import { TheusError, invalidArgument } from '../errors.js';
import { SignalStream } from './signal-stream.js';
import { assertPublishableTopic, compileTopicFilter, type TopicMatcher } from './topic-pattern.js';
import { reportListenerErrorAsWarning } from './signal-listener-error.js';
import type { ListenerErrorHandler, SignalHubOptions, SignalListener, SignalMessage, SignalStreamOptions, Unsubscribe } from './types.js';

interface Subscription {
  /** Global subscription order: delivery lists are sorted by it so exact and pattern listeners interleave correctly. */
  readonly seq: number;
  readonly matcher: TopicMatcher;
  readonly listener: SignalListener;
  active: boolean;
}

const NO_SUBSCRIBERS: readonly Subscription[] = Object.freeze([]);
/** Bounds the per-topic delivery cache so publishing many distinct topics cannot grow memory without limit. */
const ROUTE_CACHE_LIMIT = 4096;
export const DEFAULT_STREAM_BUFFER = 1024;
export const MAX_STREAM_BUFFER = 1 << 24;

/**
 * In-process publish/subscribe for engine signals.
 *
 * Delivery is synchronous: `publish` returns after every matching listener ran, in subscription order (exact and
 * pattern subscriptions interleaved by the order they were made). A listener that publishes re-entrantly has its
 * message delivered depth-first, before the outer delivery continues. A listener that throws (or returns a promise
 * that rejects) is reported to `onListenerError` and the others still receive the message. A listener removed while a
 * message is being delivered does not receive that message.
 *
 * The message object and its payload are shared by all listeners and passed by reference; treat them as read-only.
 */
export class SignalHub {
  private readonly exact = new Map<string, Subscription[]>();
  private patterned: Subscription[] = [];
  /** topic → merged, ordered delivery list; cleared whenever subscriptions change. */
  private readonly routes = new Map<string, readonly Subscription[]>();
  private readonly streams = new Set<SignalStream>();
  private readonly versionOf: (() => number) | undefined;
  private readonly onListenerError: ListenerErrorHandler;
  private nextSeq = 0;
  private isClosed = false;

  constructor(options: SignalHubOptions = {}) {
    if (options === null || typeof options !== 'object') throw invalidArgument('SignalHub options must be an object.');
    if (options.versionOf !== undefined && typeof options.versionOf !== 'function') {
      throw invalidArgument('SignalHub option versionOf must be a function returning the current state version.');
    }
    if (options.onListenerError !== undefined && typeof options.onListenerError !== 'function') {
      throw invalidArgument('SignalHub option onListenerError must be a function (error, message) => void.');
    }
    this.versionOf = options.versionOf;
    this.onListenerError = options.onListenerError ?? reportListenerErrorAsWarning;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Publishes `payload` on `topic`, stamped with the current version; returns the number of listeners reached. */
  publish(topic: string, payload?: unknown): number {
    if (this.isClosed) throw closedError('publish');
    const route = this.routes.get(topic) ?? this.buildRoute(topic);
    if (route.length === 0) return 0;
    const message: SignalMessage = { topic, payload, version: this.versionOf === undefined ? 0 : this.versionOf() };
    return this.deliver(route, message);
  }

  /**
   * Delivers already-built messages in order (the engine calls this after a commit was installed). Every topic is
   * validated before the first delivery, so a malformed batch delivers nothing.
   */
  publishAll(messages: readonly SignalMessage[]): void {
    if (this.isClosed) throw closedError('publish');
    if (!Array.isArray(messages)) throw invalidArgument('publishAll expects an array of { topic, payload, version } messages.');
    for (const message of messages) {
      if (message === null || typeof message !== 'object') throw invalidArgument('publishAll: every message must be an object { topic, payload, version }.');
      assertPublishableTopic(message.topic);
      if (typeof message.version !== 'number' || !Number.isFinite(message.version)) {
        throw invalidArgument(`publishAll: message for topic '${message.topic}' needs a finite numeric version.`);
      }
    }
    for (const message of messages) {
      const route = this.routes.get(message.topic) ?? this.buildRoute(message.topic);
      if (route.length > 0) this.deliver(route, message);
    }
  }

  /**
   * Calls `listener` for every message whose topic matches: an exact topic, `'*'` for all, or a glob where `*`
   * matches any run of characters (`'order.*'`, `'cmd_*'`). Returns a function that unsubscribes (idempotent).
   */
  subscribe(topicOrPattern: string | readonly string[], listener: SignalListener): Unsubscribe {
    if (this.isClosed) throw closedError('subscribe');
    if (typeof listener !== 'function') throw invalidArgument('subscribe expects a listener function as its second argument.');
    const subscription = this.add(compileTopicFilter(topicOrPattern), listener);
    return () => this.remove(subscription);
  }

  /**
   * An async iterator of matching messages with a bounded buffer: a consumer that falls more than `bufferSize`
   * messages behind loses the oldest, and the next message it receives carries `lost` (how many were dropped).
   * `break`/`return()` unsubscribes; {@link close} ends the iteration after the buffered messages.
   */
  stream(options: SignalStreamOptions = {}): SignalStream {
    if (this.isClosed) throw closedError('stream');
    if (options === null || typeof options !== 'object') throw invalidArgument('stream options must be an object { topics?, bufferSize? }.');
    const bufferSize = options.bufferSize ?? DEFAULT_STREAM_BUFFER;
    if (!Number.isInteger(bufferSize) || bufferSize < 1 || bufferSize > MAX_STREAM_BUFFER) {
      throw invalidArgument(`stream bufferSize must be an integer from 1 to ${MAX_STREAM_BUFFER}, got ${String(bufferSize)}.`);
    }
    const matcher = compileTopicFilter(options.topics ?? '*');
    const stream = new SignalStream(bufferSize);
    const subscription = this.add(matcher, (message) => stream.push(message));
    this.streams.add(stream);
    stream.attach(() => {
      this.streams.delete(stream);
      this.remove(subscription);
    });
    return stream;
  }

  /** How many active listeners (streams included) would receive a message on `topic`. */
  listenerCount(topic: string): number {
    assertPublishableTopic(topic);
    return (this.routes.get(topic) ?? this.buildRoute(topic)).length;
  }

  /** Ends every stream (after its buffered messages), drops all listeners, and refuses later use. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const stream of this.streams) stream.end();
    this.streams.clear();
    for (const list of this.exact.values()) for (const s of list) s.active = false;
    for (const s of this.patterned) s.active = false;
    this.exact.clear();
    this.patterned = [];
    this.routes.clear();
  }

  private deliver(route: readonly Subscription[], message: SignalMessage): number {
    let reached = 0;
    for (let i = 0; i < route.length; i++) {
      const subscription = route[i] as Subscription;
      if (!subscription.active) continue;
      reached++;
      try {
        const result = subscription.listener(message);
        if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
          (result as Promise<void>).then(undefined, (error: unknown) => this.report(error, message));
        }
      } catch (error) {
        this.report(error, message);
      }
    }
    return reached;
  }

  private report(error: unknown, message: SignalMessage): void {
    try {
      this.onListenerError(error, message);
    } catch {
      // The error handler itself failed; delivery must go on, and there is nowhere safer left to report it.
    }
  }

  private add(matcher: TopicMatcher, listener: SignalListener): Subscription {
    const subscription: Subscription = { seq: this.nextSeq++, matcher, listener, active: true };
    if (matcher.exactTopics !== undefined) {
      for (const topic of matcher.exactTopics) {
        // Copy-on-write: a delivery in progress keeps iterating the list it started with.
        this.exact.set(topic, [...(this.exact.get(topic) ?? []), subscription]);
      }
    } else {
      this.patterned = [...this.patterned, subscription];
    }
    this.routes.clear();
    return subscription;
  }

  private remove(subscription: Subscription): void {
    if (!subscription.active) return;
    subscription.active = false;
    if (subscription.matcher.exactTopics !== undefined) {
      for (const topic of subscription.matcher.exactTopics) {
        const list = (this.exact.get(topic) ?? []).filter((s) => s !== subscription);
        if (list.length === 0) this.exact.delete(topic);
        else this.exact.set(topic, list);
      }
    } else {
      this.patterned = this.patterned.filter((s) => s !== subscription);
    }
    this.routes.clear();
  }

  /** Validates a topic seen for the first time and merges its exact and pattern listeners in subscription order. */
  private buildRoute(topic: string): readonly Subscription[] {
    assertPublishableTopic(topic);
    const exact = this.exact.get(topic) ?? NO_SUBSCRIBERS;
    const patterns = this.patterned.length === 0 ? NO_SUBSCRIBERS : this.patterned.filter((s) => s.matcher.matches(topic));
    let route: readonly Subscription[];
    if (patterns.length === 0) route = exact;
    else if (exact.length === 0) route = patterns;
    else route = [...exact, ...patterns].sort((a, b) => a.seq - b.seq);
    if (this.routes.size >= ROUTE_CACHE_LIMIT) this.routes.clear();
    this.routes.set(topic, route);
    return route;
  }
}

function closedError(operation: string): TheusError {
  return new TheusError('ENGINE_CLOSED', `Cannot ${operation}: this SignalHub was closed (its engine was closed). Create a new engine to publish again.`);
}
