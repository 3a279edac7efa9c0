/**
 * The engine's `inspect` option. `attachInspector(engine, options)` validates the options and
 * starts recording at once (synchronously, so no commit is missed), then loads the HTTP server on
 * demand and prints the page's URL. A server that cannot start is reported on stderr, never
 * thrown into the application.
 */
import { resolveInspectorOptions, type InspectorOptions } from './options.js';
import { Recorder, type InspectableEngine } from './recorder.js';
import type { Inspector } from './start.js';
import { invalidArgument } from '../errors.js';

export interface AttachedInspector {
  /** The running inspector, or undefined when it could not start (or was closed first). */
  readonly ready: Promise<Inspector | undefined>;
  close(): Promise<void>;
}

export function attachInspector(engine: InspectableEngine, options: InspectorOptions | true): AttachedInspector {
  const o = resolveInspectorOptions(options);
  if (typeof engine !== 'object' || engine === null || !engine.state) throw invalidArgument('attachInspector expects an engine.');
  const recorder = new Recorder({ capacity: o.capacity, snapshotEvery: o.snapshotEvery, engine });
  recorder.start();
  let closed = false;
  const ready = import('./start.js')
    .then((m) => m.serve(recorder, o))
    .then(
      async (insp) => {
        if (closed) {
          await insp.close();
          return undefined;
        }
        if (!o.quiet) process.stderr.write(`theus inspect: ${insp.url}\n`);
        return insp;
      },
      (e: unknown) => {
        recorder.stop();
        process.stderr.write(`theus inspect: not started: ${e instanceof Error ? e.message : String(e)}\n`);
        return undefined;
      },
    );
  return {
    ready,
    async close() {
      closed = true;
      recorder.stop();
      await (await ready)?.close();
    },
  };
}
