// Worker entry used only when the pool runs from its TypeScript source (under Vitest, say):
// worker threads do not inherit the test runner's TypeScript transform, and Node 20 cannot
// strip types itself. So this thread registers small resolve/load hooks that transpile `.ts`
// on the fly (with the `typescript` dependency), then loads the real entry, worker-entry.ts.
// The published package never uses this file: the compiled pool points Piscina at
// dist/parallel/worker-entry.js directly, so nothing here depends on a (possibly stale) build.
import { register } from 'node:module';

register(new URL('./dev-ts-hooks.mjs', import.meta.url));

const entry = await import('./worker-entry.ts');

export default entry.default;
