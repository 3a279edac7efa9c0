import { TheusError } from '../errors.js';

/** Wraps an error thrown by a signal listener so the report names the topic; the listener's error is the `cause`. */
export class SignalListenerError extends TheusError {
  readonly topic: string;
  constructor(topic: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('SIGNAL_LISTENER', `A listener for signal topic '${topic}' failed: ${reason}. Other listeners still received the message.`, { cause });
    this.topic = topic;
  }
}

/** Default report: a process warning, which Node prints once to stderr and which never becomes an unhandled rejection. */
export function reportListenerErrorAsWarning(error: unknown, message: { topic: string }): void {
  process.emitWarning(new SignalListenerError(message.topic, error));
}
