/**
 * Every error Theus throws extends {@link TheusError} and carries a stable `code`.
 * Callers branch on `code` (or `instanceof`), never on message text: messages are
 * written for humans and may be reworded.
 */

import { formatLocation } from './source/location.js';

export type TheusErrorCode =
  | 'CONTRACT_VIOLATION'
  | 'ILLEGAL_READ'
  | 'ILLEGAL_WRITE'
  | 'CONTEXT_LOCKED'
  | 'STALE_REFERENCE'
  | 'CAS_VERSION_MISMATCH'
  | 'SYSTEM_BUSY'
  | 'SCHEMA_VIOLATION'
  | 'AUDIT_BLOCK'
  | 'AUDIT_ABORT'
  | 'AUDIT_STOP'
  | 'WORKFLOW_ERROR'
  | 'WORKFLOW_SYNTAX'
  | 'WORKER_CRASHED'
  | 'UNKNOWN_PROCESS'
  | 'INVALID_ARGUMENT'
  | 'INVALID_PATH'
  | 'UNSUPPORTED_VALUE'
  | 'ENGINE_CLOSED'
  | 'WRITE_TIMEOUT'
  | 'CAPACITY_EXCEEDED'
  | 'AUDIT_RECIPE'
  | 'ABORTED'
  | 'REENTRANT_CALL'
  | 'STORAGE'
  | 'MISSING_DEPENDENCY'
  | 'INTERNAL';

export interface TheusErrorOptions {
  path?: string | undefined;
  cause?: unknown;
}

export class TheusError extends Error {
  readonly code: TheusErrorCode | (string & {});
  /** The offending context path, where there is one (`domain.accounts.alice`). */
  readonly path: string | undefined;

  constructor(code: TheusErrorCode | (string & {}), message: string, options: TheusErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.path = options.path;
  }
}

export class ContractViolationError extends TheusError {
  constructor(message: string, options: TheusErrorOptions & { code?: TheusErrorCode } = {}) {
    super(options.code ?? 'CONTRACT_VIOLATION', message, options);
  }
}

/** A read or write outside what the contract (or a read-only view) allows. */
export class PermissionDeniedError extends ContractViolationError {
  constructor(kind: 'read' | 'write', message: string, options: TheusErrorOptions = {}) {
    super(message, { ...options, code: kind === 'read' ? 'ILLEGAL_READ' : 'ILLEGAL_WRITE' });
  }
}

/** A write to committed state outside any transaction. */
export class ContextLockedError extends TheusError {
  constructor(message: string, options: TheusErrorOptions = {}) {
    super('CONTEXT_LOCKED', message, options);
  }
}

/** A proxy used after the transaction that handed it out committed or rolled back. */
export class StaleReferenceError extends TheusError {
  constructor(message: string, options: TheusErrorOptions = {}) {
    super('STALE_REFERENCE', message, options);
  }
}

export class ConflictError extends TheusError {
  readonly expectedVersion: number;
  readonly actualVersion: number;
  /** The contested paths: read or written by the loser, changed by a winner since its snapshot. */
  readonly paths: readonly string[];

  constructor(message: string, info: { expectedVersion: number; actualVersion: number; paths: readonly string[] }, options: TheusErrorOptions = {}) {
    super('CAS_VERSION_MISMATCH', message, { path: info.paths[0], ...options });
    this.expectedVersion = info.expectedVersion;
    this.actualVersion = info.actualVersion;
    this.paths = info.paths;
  }
}

export class SystemBusyError extends TheusError {
  constructor(message: string, options: TheusErrorOptions = {}) {
    super('SYSTEM_BUSY', message, options);
  }
}

export interface SchemaIssue {
  readonly message: string;
  readonly path: readonly (string | number)[];
}

export class SchemaViolationError extends TheusError {
  readonly issues: readonly SchemaIssue[];
  constructor(message: string, issues: readonly SchemaIssue[], options: TheusErrorOptions = {}) {
    super('SCHEMA_VIOLATION', message, options);
    this.issues = issues;
  }
}

export interface AuditErrorInfo {
  process: string;
  rule: string;
  value?: unknown;
}

export class AuditBlockError extends TheusError {
  readonly process: string;
  readonly rule: string;
  constructor(message: string, info: AuditErrorInfo, options: TheusErrorOptions = {}) {
    super('AUDIT_BLOCK', message, options);
    this.process = info.process;
    this.rule = info.rule;
  }
}

export class AuditAbortError extends TheusError {
  readonly process: string;
  readonly rule: string;
  constructor(message: string, info: AuditErrorInfo, options: TheusErrorOptions = {}) {
    super('AUDIT_ABORT', message, options);
    this.process = info.process;
    this.rule = info.rule;
  }
}

export class AuditStopError extends TheusError {
  readonly process: string;
  readonly rule: string;
  constructor(message: string, info: AuditErrorInfo, options: TheusErrorOptions = {}) {
    super('AUDIT_STOP', message, options);
    this.process = info.process;
    this.rule = info.rule;
  }
}

export interface SourcePosition {
  file?: string | undefined;
  line: number;
  column: number;
}

export class WorkflowError extends TheusError {
  constructor(message: string, options: TheusErrorOptions = {}) {
    super('WORKFLOW_ERROR', message, options);
  }
}

export class WorkflowSyntaxError extends TheusError {
  readonly file: string | undefined;
  readonly line: number;
  readonly column: number;
  constructor(message: string, position: SourcePosition, options: TheusErrorOptions = {}) {
    super('WORKFLOW_SYNTAX', `${formatLocation(position)}: ${message}`, options);
    this.file = position.file;
    this.line = position.line;
    this.column = position.column;
  }
}

export class WorkerCrashedError extends TheusError {
  constructor(message: string, options: TheusErrorOptions = {}) {
    super('WORKER_CRASHED', message, options);
  }
}

/**
 * Durable storage could not be opened, read or written. `file` is the database (or store) it
 * concerns; the message says what to do. Nothing was half-written when this is thrown.
 */
export class StorageError extends TheusError {
  readonly file: string | undefined;
  constructor(message: string, options: TheusErrorOptions & { file?: string | undefined } = {}) {
    super('STORAGE', message, options);
    this.file = options.file;
  }
}

/** Shorthand for the most common generic failure: a bad argument to a public entry point. */
export function invalidArgument(message: string, path?: string): TheusError {
  return new TheusError('INVALID_ARGUMENT', message, { path });
}
