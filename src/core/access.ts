import { ContextLockedError, PermissionDeniedError } from '../errors.js';
import { formatPath, type Segment } from './path.js';

/** What a write does to its target, for zones whose capabilities differ (append-only logs …). */
export type WriteOp = 'update' | 'add' | 'delete';

/**
 * The guard consulted by supervisor proxies. The core knows nothing about contracts: the engine
 * builds Access objects from a process's contract. The `readAll` / `writeAll` flags let a subtree
 * that is fully granted skip every check, so guarded reads cost nothing below a declared path.
 */
export interface Access {
  readonly readAll: boolean;
  readonly writeAll: boolean;
  /** Access for the child `key` (called once per child draft). */
  child(key: Segment): Access;
  canRead(path: readonly Segment[]): boolean;
  checkRead(path: readonly Segment[]): void;
  checkWrite(path: readonly Segment[], op: WriteOp): void;
}

export const FREE: Access = {
  readAll: true,
  writeAll: true,
  child: () => FREE,
  canRead: () => true,
  checkRead: () => undefined,
  checkWrite: () => undefined,
};

function readOnlyAccess(deny: (path: readonly Segment[]) => Error): Access {
  const self: Access = {
    readAll: true,
    writeAll: false,
    child: () => self,
    canRead: () => true,
    checkRead: () => undefined,
    checkWrite: (path) => {
      throw deny(path);
    },
  };
  return self;
}

/** For `state.domainProxy({ readOnly: true })` and pure processes. */
export const READ_ONLY: Access = readOnlyAccess(
  (path) => new PermissionDeniedError('write', `Write refused at ${formatPath(path)}: this is a read-only view.`, { path: formatPath(path) }),
);

/** For `state.domainProxy()` outside a transaction: the state itself is immutable. */
export const LOCKED: Access = readOnlyAccess(
  (path) =>
    new ContextLockedError(`Write refused at ${formatPath(path)}: committed state is immutable outside a transaction. Use state.transaction(), engine.edit() or a process.`, {
      path: formatPath(path),
    }),
);
