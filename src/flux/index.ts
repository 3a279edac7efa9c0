/**
 * Flux: the workflow DSL (`steps`, `flux: if | while | run`), its safe condition language, the
 * signal-driven state-machine orchestrator and Mermaid rendering. Everything here talks to an
 * engine only through {@link FluxHost}.
 */
export { compileCondition, parseCondition, truthy, MAX_CONDITION_DEPTH, MAX_CONDITION_LENGTH, ROOT_NAMES, FUNCTION_NAMES, METHOD_NAMES } from './condition/index.js';
export type { CompiledCondition, ConditionScope, ConditionNode, ConditionOrigin, RootName, FunctionName, MethodName, CompareOp, ArithmeticOp } from './condition/index.js';
export { ConditionEvaluationError } from './errors.js';
export type { FluxHost, ConditionRoots, SignalMessage, TransitionEntry } from './host.js';
export { parseWorkflow } from './parse.js';
export type { Workflow, Step, ProcessStep, IfStep, WhileStep, RunStep, StepPosition } from './workflow.js';
export { runWorkflow, DEFAULT_MAX_ITERATIONS } from './run.js';
export type { RunWorkflowOptions, WorkflowResult, StepReport } from './run.js';
export { parseStateMachine, CHAIN_DONE, CHAIN_FAIL, DEFAULT_INITIAL_STATE } from './machine.js';
export type { StateMachine, MachineState } from './machine.js';
export { orchestrate } from './orchestrator.js';
export type { OrchestrateOptions, OrchestratorHandle, OrchestratorResult } from './orchestrator.js';
export { toMermaid } from './mermaid.js';
