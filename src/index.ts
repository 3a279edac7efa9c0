/**
 * Theus for TypeScript: the public API. Everything a user imports comes from here (or from the
 * subpath exports `theus/core`, …); modules not re-exported here are internal.
 */
export * from './errors.js';
export { State, Transaction, SupervisorCore, toPlain, formatPath, OPAQUE } from './core/index.js';
export type { DeltaOp, TransactionOptions, Segment, Path } from './core/index.js';
export { defineProcess, process, isProcess } from './contracts/process.js';
export type { ProcessFactory, TypedProcessFactory, ContractContext } from './contracts/process.js';
export { StateUpdate, isStateUpdate } from './contracts/state-update.js';
export type { StateUpdateInit } from './contracts/state-update.js';
export { SemanticType } from './contracts/types.js';
export type { Semantic, ContractSpec, Contract, ProcessContext, ProcessDefinition, ContextShape, SignalWriter } from './contracts/types.js';
export type { IsValidPath, InvalidPaths, ValueAt } from './contracts/typed-paths.js';
export type { TypedContext, Scope, DeepReadonly, AppendOnly, Writable, TypedOutbox, TypedSignals } from './contracts/typed-context.js';
export type { ReturnFor, UpdateCheck, OutputValue } from './contracts/typed-return.js';
export { defineWorkflow } from './contracts/typed-workflow.js';
export type { TypedWorkflow, TypedStep } from './contracts/typed-workflow.js';
export { TheusEngine, EngineTransaction } from './engine/engine.js';
export type { ExecuteOptions, OpenOptions, EngineOutbox } from './engine/engine.js';
export { CHANNELS } from './engine/channels.js';
export type { ExecuteEvent, AttemptEvent, CommitEvent, ConflictEvent, AuditEvent, SignalEvent, CommitRoute, WorkflowStepEvent, WorkerTaskEvent, EngineEvent } from './engine/channels.js';
export type { EngineOptions, NamespacePolicy } from './engine/options.js';
export type { EngineMetrics, Counters } from './engine/metrics.js';
export type { MetaEntry } from './engine/meta-log.js';
export { SignalHub } from './signals/index.js';
export type { SignalMessage, SignalListener, SignalStreamOptions } from './signals/index.js';
export { AuditSystem, AuditRecipeError, loadAuditRecipe, generateRecipeSkeleton } from './audit/index.js';
export type { AuditLogEntry, AuditRecipe, AuditLevel, AuditStats } from './audit/index.js';
export { SchemaGate, describeSchema, schemaToYaml, schemaFromYaml, schemaToTypeScript, schemaFromStandard } from './schema/index.js';
export type { StandardSchemaV1, JsonSchemaLike, SchemaMap } from './schema/index.js';
export { compileCondition, parseWorkflow, runWorkflow, parseStateMachine, orchestrate, toMermaid, ConditionEvaluationError } from './flux/index.js';
export type { Workflow, WorkflowResult, RunWorkflowOptions, OrchestratorHandle, OrchestrateOptions, StateMachine, FluxHost } from './flux/index.js';
export { HeavyArray, HeavyAllocator, CapacityExceededError, DTYPES } from './heavy/index.js';
export type { Dtype, HeavyHandle, HeavyStats } from './heavy/index.js';
export { ParallelPool, registerErrorClass } from './parallel/index.js';
export type { ParallelPoolOptions, ParallelTask } from './parallel/index.js';
export type { HeavyZone } from './engine/engine.js';
export { memoryStore } from './storage/memory-store.js';
export type { MemoryStoreOptions } from './storage/memory-store.js';
export type {
  TheusStore,
  OutboxStore,
  OpenedStore,
  CommitEntry,
  CommitVerdict,
  StoredOp,
  HistoryRecord,
  HistoryQuery,
  OutboxMessage,
  OutboxMessageInit,
  DeadLetter,
  StorePathLock,
} from './storage/store.js';
export type { OutboxHandler } from './storage/outbox-relay.js';
