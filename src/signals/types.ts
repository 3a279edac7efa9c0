/** One published signal. `version` is the state version the signal belongs to (the commit that emitted it). */
export interface SignalMessage<P = unknown> {
  readonly topic: string;
  /** Passed by reference to every listener: the engine hands out frozen committed values, so never mutate it. */
  readonly payload: P;
  readonly version: number;
  /**
   * Only on messages delivered by {@link SignalHub.stream}: how many messages this consumer lost (its buffer was
   * full, the oldest were dropped) since its previous delivery. Absent when nothing was lost.
   */
  readonly lost?: number;
}

/** A listener may be sync or async; a returned promise that rejects is reported like a thrown error. */
export type SignalListener<P = unknown> = (message: SignalMessage<P>) => unknown;

/** Where a listener's failure goes; delivery to the other listeners continues either way. */
export type ListenerErrorHandler = (error: unknown, message: SignalMessage) => void;

export interface SignalHubOptions {
  /** The version stamped on messages sent with {@link SignalHub.publish}. Default: always 0. */
  versionOf?: () => number;
  /** Receives errors thrown (or rejected) by listeners. Default: `process.emitWarning` with a {@link SignalListenerError}. */
  onListenerError?: ListenerErrorHandler;
}

export interface SignalStreamOptions {
  /** Topics or patterns to receive (`'*'` = all, the default). */
  topics?: string | readonly string[];
  /** How many undelivered messages the consumer may fall behind before the oldest are dropped. Default 1024. */
  bufferSize?: number;
}

export type Unsubscribe = () => void;
