// Shared setup for the OpenTelemetry tests: in-memory span and metric exporters, and helpers that
// publish the engine's channel events by hand (the way the engine's pipeline publishes them).
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import type { AttemptEvent, ExecuteEvent } from '../../src/engine/channels.js';

export function otelHarness() {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    tracerProvider,
    meterProvider,
    finished: (): ReadableSpan[] => spans.getFinishedSpans(),
    byName: (name: string): ReadableSpan[] => spans.getFinishedSpans().filter((s) => s.name === name),
    async metrics(): Promise<Map<string, MetricData>> {
      const { resourceMetrics } = await reader.collect();
      const out = new Map<string, MetricData>();
      for (const sm of resourceMetrics.scopeMetrics) for (const m of sm.metrics) out.set(m.descriptor.name, m);
      return out;
    },
    async shutdown() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

/** Registers the Node SDK's context manager (AsyncLocalStorage) globally; returns the undo. */
export function useAsyncLocalStorageContext(): () => void {
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  return () => {
    context.disable();
  };
}

let seq = 0;
export function executeEvent(process = 'transfer', engineId = 'e1'): ExecuteEvent {
  return { engineId, process, executionId: `x${++seq}`, parallel: false };
}

export function attemptEvent(ex: ExecuteEvent, attempt = 1, backoffMs = 0): AttemptEvent {
  return { engineId: ex.engineId, process: ex.process, executionId: ex.executionId, attempt, baseVersion: 0, backoffMs, vip: false };
}
