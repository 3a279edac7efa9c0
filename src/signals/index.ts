export { SignalHub, DEFAULT_STREAM_BUFFER, MAX_STREAM_BUFFER } from './signal-hub.js';
export { SignalStream } from './signal-stream.js';
export { SignalListenerError } from './signal-listener-error.js';
export { MAX_TOPIC_LENGTH, compileTopicFilter, assertPublishableTopic } from './topic-pattern.js';
export type { TopicMatcher } from './topic-pattern.js';
export type { SignalMessage, SignalListener, SignalHubOptions, SignalStreamOptions, ListenerErrorHandler, Unsubscribe } from './types.js';
