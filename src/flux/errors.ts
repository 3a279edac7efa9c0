import { TheusError, WorkflowError } from '../errors.js';
import type { SourcePosition } from '../errors.js';
import { formatLocation } from '../source/location.js';

/**
 * A condition that parsed but failed while being evaluated (a type mismatch such as `'a' < 1`, a
 * refused computed member name, a division by zero). It is a `WorkflowError` (code
 * `WORKFLOW_ERROR`) so callers that branch on workflow failures catch it; `line`/`column` point at
 * the offending sub-expression in the YAML file when the condition came from one.
 */
export class ConditionEvaluationError extends WorkflowError {
  readonly file: string | undefined;
  readonly line: number;
  readonly column: number;
  readonly condition: string;

  constructor(message: string, condition: string, position: SourcePosition) {
    super(`${formatLocation(position)}: ${message} (in condition ${quoteCondition(condition)})`);
    this.file = position.file;
    this.line = position.line;
    this.column = position.column;
    this.condition = condition;
  }
}

/** The rejection of a workflow or entry action stopped by its `AbortSignal`. */
export function abortedError(signal: AbortSignal, where: string): TheusError {
  return new TheusError('ABORTED', `The workflow was aborted ${where}.`, { cause: signal.reason });
}

/** Conditions appear in messages shortened, so a 4 KiB condition does not flood a log line. */
export function quoteCondition(source: string): string {
  const flat = source.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > 80 ? `${flat.slice(0, 77)}...` : flat);
}
