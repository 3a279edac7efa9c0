export { ParallelPool } from './pool.js';
export type { ParallelPoolStats } from './pool.js';
export type { ParallelPoolOptions, RunOptions } from './pool-options.js';
export type { ParallelTask } from './task.js';
export type { WorkerTools } from './worker-entry.js';
export { registerErrorClass } from './error-transport.js';
export { findUncloneable } from './cloneable.js';
export type { UncloneableValue } from './cloneable.js';
