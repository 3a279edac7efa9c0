export { compileCondition } from './compile.js';
export type { CompiledCondition, ConditionScope } from './compile.js';
export { parseCondition, MAX_CONDITION_DEPTH, MAX_CONDITION_LENGTH } from './parser.js';
export { truthy } from './values.js';
export type { ConditionNode, CompareOp, ArithmeticOp, RootName, FunctionName, MethodName } from './ast.js';
export { ROOT_NAMES, FUNCTION_NAMES, METHOD_NAMES } from './ast.js';
export type { ConditionOrigin } from './origin.js';
