import type { LocalPosition } from './origin.js';

/** Names a condition may start from; anything else is refused when the condition is compiled. */
export const ROOT_NAMES = ['domain', 'global', 'signal', 'cmd', 'meta', 'args'] as const;
export type RootName = (typeof ROOT_NAMES)[number];

/** Free functions callable by name: the original's restricted builtins. */
export const FUNCTION_NAMES = ['len', 'str', 'int', 'float', 'bool', 'abs', 'min', 'max', 'sum'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** Methods callable with `.name(...)`; both the Python and the JavaScript spelling where they differ. */
export const METHOD_NAMES = [
  'get', 'startswith', 'endswith', 'startsWith', 'endsWith', 'includes', 'lower', 'upper', 'toLowerCase', 'toUpperCase',
] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

/** Both spellings of an operator map to one canonical operator (`===` and `==` are both `eq`). */
export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'in' | 'not in' | 'is' | 'is not';
export type ArithmeticOp = '+' | '-' | '*' | '/' | '//' | '%';

interface Base {
  at: LocalPosition;
}

export type ConditionNode =
  | (Base & { type: 'literal'; value: string | number | boolean | null | undefined })
  | (Base & { type: 'root'; name: RootName })
  | (Base & { type: 'member'; object: ConditionNode; name: string })
  | (Base & { type: 'index'; object: ConditionNode; index: ConditionNode })
  | (Base & { type: 'call'; name: FunctionName; args: ConditionNode[] })
  | (Base & { type: 'method'; object: ConditionNode; name: MethodName; args: ConditionNode[] })
  | (Base & { type: 'list'; items: ConditionNode[] })
  | (Base & { type: 'not'; operand: ConditionNode })
  | (Base & { type: 'negate'; operator: '-' | '+'; operand: ConditionNode })
  | (Base & { type: 'arithmetic'; operator: ArithmeticOp; left: ConditionNode; right: ConditionNode })
  | (Base & { type: 'logical'; operator: 'and' | 'or'; operands: ConditionNode[] })
  | (Base & { type: 'compare'; first: ConditionNode; rest: { operator: CompareOp; operand: ConditionNode; at: LocalPosition }[] })
  | (Base & { type: 'conditional'; test: ConditionNode; then: ConditionNode; otherwise: ConditionNode });

/**
 * Member names that would reach prototype machinery. Refused at parse time when written
 * literally, and at evaluation time when a subscript computes one.
 */
export function isForbiddenMemberName(name: string): boolean {
  return name === 'constructor' || name === 'prototype' || name.startsWith('__');
}
