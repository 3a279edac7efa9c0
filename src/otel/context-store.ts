/**
 * How the attempt span becomes the active OpenTelemetry context while user code runs.
 *
 * The engine runs each attempt through `tracingChannel.traceSync/tracePromise`, which enters every
 * AsyncLocalStorage bound to the tracing channel's `start` channel (`bindStore`) for the duration
 * of the call, promise continuations included. OpenTelemetry's Node context manager
 * (`AsyncLocalStorageContextManager`, registered by the Node SDK) keeps the active context in such
 * a store. Binding that very store, with a transform that returns "parent context + new span", makes
 * `context.active()` and `trace.getActiveSpan()` inside a process return the attempt span, and
 * spans a process starts become its children. The store is not public API, so it is found by
 * shape; with any other context manager, spans are still parented correctly (from the active
 * context at the call and from the execute span) but are not active inside user code.
 */
import type { AsyncLocalStorage } from 'node:async_hooks';
import { context as otelContext } from '@opentelemetry/api';

interface ManagerWithStore {
  _asyncLocalStorage?: unknown;
}

export function activeContextStore(): AsyncLocalStorage<unknown> | undefined {
  try {
    const api = otelContext as unknown as { _getContextManager?: () => ManagerWithStore | undefined };
    const manager = api._getContextManager?.();
    const store = manager?._asyncLocalStorage as AsyncLocalStorage<unknown> | undefined;
    if (store && typeof store.run === 'function' && typeof store.getStore === 'function') return store;
  } catch {
    // An unexpected manager shape: fall back to parenting without an active context.
  }
  return undefined;
}
