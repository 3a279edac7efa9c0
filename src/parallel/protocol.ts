import type { SerializedThrown } from './error-transport.js';

/** What the pool posts to a worker for one task (after validation on the calling thread). */
export interface TaskEnvelope {
  /** `file:` URL of the ES module to import. */
  readonly module: string;
  readonly exportName: string;
  readonly payload: unknown;
}

/**
 * What the worker posts back. Failures travel as data rather than as a thrown Error, because
 * structured clone would strip an Error's class and fields on the way.
 */
export type TaskOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly thrown: SerializedThrown };
