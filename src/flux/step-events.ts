/**
 * Workflow steps and state-machine transitions on the `theus:workflow.step` diagnostics channel,
 * for the inspector's graphs. Nothing is built when no one listens.
 */
import { workflowStepChannel, type WorkflowStepEvent } from '../engine/channels.js';
import type { FluxHost } from './host.js';

export function publishStep(host: FluxHost, workflow: string, kind: WorkflowStepEvent['kind'], step: string, status: WorkflowStepEvent['status'], error?: unknown): void {
  if (!workflowStepChannel.hasSubscribers) return;
  const event: WorkflowStepEvent = { engineId: host.engineId ?? '', workflow, kind, step, status, version: host.version(), ...(error === undefined ? {} : { error }) };
  workflowStepChannel.publish(event);
}
