/**
 * Turns the engine's diagnostics channels into OpenTelemetry spans and metrics. Only this
 * subpath imports `@opentelemetry/api` (an optional peer dependency): `theus` itself never loads it.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context as otelContext,
  metrics as otelMetrics,
  trace as otelTrace,
  type Attributes,
  type Context,
  type Counter,
  type Histogram,
  type MeterProvider,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import type { Channel } from 'node:diagnostics_channel';
import { invalidArgument } from '../errors.js';
import {
  attemptChannel,
  auditChannel,
  commitChannel,
  conflictChannel,
  executeChannel,
  type AttemptEvent,
  type AuditEvent,
  type CommitEvent,
  type ConflictEvent,
  type ExecuteEvent,
} from '../engine/channels.js';
import { activeContextStore } from './context-store.js';
import { installCarrierHook } from './carrier.js';
import { errorType, settleAtEnd, type Settling } from './settle.js';

export interface InstrumentTheusOptions {
  /** Defaults to the globally registered tracer provider. */
  tracerProvider?: TracerProvider;
  /** Defaults to the globally registered meter provider. */
  meterProvider?: MeterProvider;
}

const SCOPE = 'theus';

interface Instruments {
  duration: Histogram;
  commits: Counter;
  conflicts: Counter;
  retries: Counter;
  violations: Counter;
}

/** Key of a running execution: execution ids are unique per engine only. */
const keyOf = (engineId: string, executionId: string | null): string => `${engineId}\u0000${executionId ?? ''}`;

/**
 * Subscribes to the engine's channels. Returns a function that unsubscribes everything; calling it
 * twice is harmless. Several instrumentations may be installed side by side (each records its own).
 */
export function instrumentTheus(options: InstrumentTheusOptions = {}): () => void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalidArgument('instrumentTheus takes an options object { tracerProvider?, meterProvider? }.');
  for (const k of Object.keys(options)) {
    if (k !== 'tracerProvider' && k !== 'meterProvider') throw invalidArgument(`instrumentTheus: unknown option '${k}' (known: tracerProvider, meterProvider).`);
  }
  const { tracerProvider, meterProvider } = options;
  if (tracerProvider !== undefined && typeof (tracerProvider as TracerProvider)?.getTracer !== 'function') throw invalidArgument('tracerProvider must have a getTracer() method.');
  if (meterProvider !== undefined && typeof (meterProvider as MeterProvider)?.getMeter !== 'function') throw invalidArgument('meterProvider must have a getMeter() method.');

  const tracer: Tracer = (tracerProvider ?? otelTrace.getTracerProvider()).getTracer(SCOPE);
  const meter = (meterProvider ?? otelMetrics.getMeterProvider()).getMeter(SCOPE);
  const m: Instruments = {
    duration: meter.createHistogram('theus.execute.duration', { unit: 's', description: 'Duration of engine.execute calls, retries included.' }),
    commits: meter.createCounter('theus.commits', { description: 'Commits installed, by route and process.' }),
    conflicts: meter.createCounter('theus.conflicts', { description: 'Attempts that lost an optimistic commit check.' }),
    retries: meter.createCounter('theus.retries', { description: 'Attempts re-run after a conflict.' }),
    violations: meter.createCounter('theus.audit.violations', { description: 'Audit rule violations, by level.' }),
  };

  const spans = new WeakMap<object, { span: Span; ctx: Context; startedAt: number }>();
  /** The execute span of each running execution, parent of its attempts when no context store is bound. */
  const executions = new Map<string, Context>();
  /** The newest attempt span of each running execution, where its conflicts are recorded. */
  const attempts = new Map<string, Span>();

  const beginExecute = (ev: ExecuteEvent): Context => {
    const known = spans.get(ev);
    if (known) return known.ctx;
    const parent = otelContext.active();
    const span = tracer.startSpan(
      `theus.execute ${ev.process}`,
      { kind: SpanKind.INTERNAL, attributes: { 'theus.process': ev.process, 'theus.parallel': ev.parallel === true, 'theus.execution_id': ev.executionId } },
      parent,
    );
    const ctx = otelTrace.setSpan(parent, span);
    spans.set(ev, { span, ctx, startedAt: performance.now() });
    executions.set(keyOf(ev.engineId, ev.executionId), ctx);
    return ctx;
  };

  const beginAttempt = (ev: AttemptEvent): Context => {
    const known = spans.get(ev);
    if (known) return known.ctx;
    const key = keyOf(ev.engineId, ev.executionId);
    // The execution's own span first: the engine enters the attempt's stores but not the
    // execute's, so the active context here may be the caller's (an HTTP request span).
    const parent = executions.get(key) ?? otelContext.active();
    const span = tracer.startSpan(
      `theus.attempt ${ev.process}`,
      {
        kind: SpanKind.INTERNAL,
        attributes: { 'theus.process': ev.process, 'theus.attempt': ev.attempt, 'theus.base_version': ev.baseVersion, 'theus.backoff_ms': ev.backoffMs, 'theus.vip': ev.vip === true },
      },
      parent,
    );
    const ctx = otelTrace.setSpan(parent, span);
    spans.set(ev, { span, ctx, startedAt: performance.now() });
    attempts.set(key, span);
    if (ev.attempt > 1) m.retries.add(1, { 'theus.process': ev.process });
    return ctx;
  };

  const fail = (span: Span, error: unknown) => {
    if (error instanceof Error) span.recordException(error);
    else span.recordException({ name: 'NonError', message: String(error) });
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  };

  const finishExecute = (ev: ExecuteEvent) => {
    const s = spans.get(ev);
    if (!s) return;
    spans.delete(ev);
    const key = keyOf(ev.engineId, ev.executionId);
    executions.delete(key);
    attempts.delete(key);
    const failed = ev.error !== undefined;
    if (failed) fail(s.span, ev.error);
    s.span.end();
    const attrs: Attributes = { 'theus.process': ev.process, 'theus.outcome': failed ? 'error' : 'ok' };
    if (failed) attrs['error.type'] = errorType(ev.error);
    m.duration.record((performance.now() - s.startedAt) / 1000, attrs);
  };

  const finishAttempt = (ev: AttemptEvent) => {
    const s = spans.get(ev);
    if (!s) return;
    spans.delete(ev);
    if (ev.error !== undefined) fail(s.span, ev.error);
    s.span.end();
  };

  const store = activeContextStore();
  if (store) {
    startOf(executeChannel).bindStore(store, (ev) => safeBegin(() => beginExecute(ev as ExecuteEvent)));
    startOf(attemptChannel).bindStore(store, (ev) => safeBegin(() => beginAttempt(ev as AttemptEvent)));
  }

  // With a bound store the span already exists (the transform runs before start publishes);
  // without one, or when the engine publishes start by hand, it is created at start.
  const handlersOf = <E extends Settling>(begin: (ev: E) => Context, finish: (ev: E) => void) => ({
    start: (ev: unknown) => void safeBegin(() => begin(ev as E)),
    end: (ev: unknown) => settleAtEnd(ev as E, finish),
    asyncStart: noop,
    asyncEnd: (ev: unknown) => finish(ev as E),
    error: noop,
  });
  const executeHandlers = handlersOf<ExecuteEvent>(beginExecute, finishExecute);
  const attemptHandlers = handlersOf<AttemptEvent>(beginAttempt, finishAttempt);

  const onCommit = (message: unknown) => {
    const ev = message as CommitEvent;
    m.commits.add(1, { 'theus.route': ev.route, 'theus.process': ev.process ?? '(none)' });
    const exec = ev.executionId === null ? undefined : executions.get(keyOf(ev.engineId, ev.executionId));
    if (exec) otelTrace.getSpan(exec)?.setAttribute('theus.version', ev.version);
  };
  const onConflict = (message: unknown) => {
    const ev = message as ConflictEvent;
    m.conflicts.add(1, { 'theus.process': ev.process ?? '(none)', 'theus.route': ev.route });
    const span = ev.executionId === null ? undefined : attempts.get(keyOf(ev.engineId, ev.executionId));
    const target = span ?? otelTrace.getSpan(otelContext.active());
    target?.addEvent('theus.conflict', {
      'theus.conflict.paths': [...ev.paths].slice(0, 64).map(String),
      'theus.base_version': ev.baseVersion,
      'theus.winning_version': ev.winningVersion,
      'theus.attempt': ev.attempt,
    });
  };
  const onAudit = (message: unknown) => {
    const ev = message as AuditEvent;
    if (ev.level === 'pass') return;
    m.violations.add(1, { 'theus.audit.level': ev.level, 'theus.process': ev.process });
  };

  executeChannel.subscribe(executeHandlers);
  attemptChannel.subscribe(attemptHandlers);
  commitChannel.subscribe(onCommit);
  conflictChannel.subscribe(onConflict);
  auditChannel.subscribe(onAudit);
  const removeCarrierHook = installCarrierHook();

  let installed = true;
  return () => {
    if (!installed) return;
    installed = false;
    if (store) {
      startOf(executeChannel).unbindStore(store);
      startOf(attemptChannel).unbindStore(store);
    }
    executeChannel.unsubscribe(executeHandlers);
    attemptChannel.unsubscribe(attemptHandlers);
    commitChannel.unsubscribe(onCommit);
    conflictChannel.unsubscribe(onConflict);
    auditChannel.unsubscribe(onAudit);
    removeCarrierHook();
    executions.clear();
    attempts.clear();
  };
}

function noop(): void {}

/** The channels' declared store type is the engine's; the context store holds OpenTelemetry contexts. */
function startOf(tc: { start: unknown }): Channel<unknown, unknown> {
  return tc.start as Channel<unknown, unknown>;
}

/** A failure inside a tracing hook must never break the engine's call: fall back to no span. */
function safeBegin(begin: () => Context): Context {
  try {
    return begin();
  } catch {
    return otelContext.active() ?? ROOT_CONTEXT;
  }
}
