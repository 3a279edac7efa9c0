import { ContextLockedError, PermissionDeniedError } from '../errors.js';
import { formatPath, type Segment } from './path.js';

/**
 * What a write does, so zones can grant capabilities separately: `update` changes an existing
 * value, `add` creates an object key, `append` grows a list or set, `delete` removes.
 */
export type WriteOp = 'update' | 'add' | 'append' | 'delete';

/** Where a check happens; the full path is computed only when a check needs it (or fails). */
export interface PathSource {
  path(): Segment[];
  childPath(key: unknown): Segment[];
}

/**
 * The guard consulted by supervisor proxies. The core knows nothing about contracts or zones: the
 * engine builds Access objects from a process's contract. Checks are per key of the node the
 * Access belongs to; `readAll` / `writeAll` let a fully granted subtree skip every check.
 */
export interface Access {
  readonly readAll: boolean;
  readonly writeAll: boolean;
  /** Access for the child `key` (called once per child draft). */
  child(key: Segment, at: PathSource): Access;
  /** True: readable. False: invisible (reads as absent). Throws: denied. */
  readKey(key: Segment, at: PathSource): boolean;
  /** Throws when the write is refused. `key` undefined means the node itself (array push, Map clear …). */
  writeKey(key: Segment | undefined, op: WriteOp, at: PathSource): void;
}

export const FREE: Access = {
  readAll: true,
  writeAll: true,
  child: () => FREE,
  readKey: () => true,
  writeKey: () => undefined,
};

function readOnlyAccess(deny: (path: readonly Segment[]) => Error): Access {
  const self: Access = {
    readAll: true,
    writeAll: false,
    child: () => self,
    readKey: () => true,
    writeKey: (key, _op, at) => {
      throw deny(key === undefined ? at.path() : at.childPath(key));
    },
  };
  return self;
}

/** For `state.domainProxy({ readOnly: true })`. */
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
