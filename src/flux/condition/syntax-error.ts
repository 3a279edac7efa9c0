import { WorkflowSyntaxError } from '../../errors.js';
import { quoteCondition } from '../errors.js';
import { absolutePosition, localSuffix } from './origin.js';
import type { ConditionOrigin, LocalPosition } from './origin.js';

/** Every problem found while reading a condition becomes one of these, pointing into the file. */
export function conditionSyntaxError(message: string, source: string, origin: ConditionOrigin, at: LocalPosition): WorkflowSyntaxError {
  return new WorkflowSyntaxError(
    `${message} (in condition ${quoteCondition(source)})${localSuffix(origin, at)}`,
    absolutePosition(origin, at),
  );
}
