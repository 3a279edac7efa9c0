export { State } from './state.js';
export { Transaction, type TransactionOptions, type TransactionResult } from './transaction.js';
export { SupervisorCore } from './supervisor-core.js';
export type { DeltaOp } from './delta.js';
export type { Access, WriteOp } from './access.js';
export { toPlain } from './plain.js';
export { formatPath, parseDottedPath, type Path, type Segment } from './path.js';
export { OPAQUE } from './kinds.js';
export { isCommitted } from './seal.js';
