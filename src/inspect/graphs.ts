/**
 * Workflow and state-machine graphs as seen from their step events: nodes in order of first
 * appearance, edges between consecutive steps, per-step counts, the current and the failed step.
 * Bounded: at most MAX_GRAPHS graphs and MAX_NODES nodes each (later ones are counted, not drawn).
 */
import type { StepRec } from './records.js';

const MAX_GRAPHS = 64;
const MAX_NODES = 200;

export interface StepCounts {
  runs: number;
  done: number;
  failed: number;
}

export interface Graph {
  readonly engineId: string;
  readonly name: string;
  readonly kind: 'workflow' | 'machine';
  readonly nodes: Map<string, StepCounts>;
  readonly edges: Map<string, number>; // "from\u0000to" → count
  current: string | null;
  failed: string | null;
  last: string | null;
  dropped: number;
  updatedAt: number;
}

export class WorkflowGraphs {
  readonly graphs = new Map<string, Graph>();

  add(r: StepRec): void {
    const key = `${r.engineId}\u0000${r.graph}\u0000${r.workflow}`;
    let g = this.graphs.get(key);
    if (g === undefined) {
      if (this.graphs.size >= MAX_GRAPHS) {
        const oldest = [...this.graphs.entries()].sort((a, b) => a[1].updatedAt - b[1].updatedAt)[0]!;
        this.graphs.delete(oldest[0]);
      }
      g = { engineId: r.engineId, name: r.workflow, kind: r.graph, nodes: new Map(), edges: new Map(), current: null, failed: null, last: null, dropped: 0, updatedAt: r.at };
      this.graphs.set(key, g);
    }
    g.updatedAt = r.at;
    let n = g.nodes.get(r.step);
    if (n === undefined) {
      if (g.nodes.size >= MAX_NODES) {
        g.dropped++;
        return;
      }
      n = { runs: 0, done: 0, failed: 0 };
      g.nodes.set(r.step, n);
    }
    const enter = r.status === 'start' || r.status === 'transition';
    if (enter) {
      n.runs++;
      if (g.last !== null && g.last !== r.step) {
        const e = `${g.last}\u0000${r.step}`;
        g.edges.set(e, (g.edges.get(e) ?? 0) + 1);
      }
      g.last = r.step;
      g.current = r.step;
      if (g.failed === r.step) g.failed = null;
    } else if (r.status === 'done') {
      n.done++;
      // A workflow step that finished is no longer current; a machine stays in its state.
      if (g.kind === 'workflow' && g.current === r.step) g.current = null;
    } else {
      n.failed++;
      g.failed = r.step;
      if (g.current === r.step) g.current = null;
    }
  }

  /** Drops the graphs of an engine that closed. */
  forget(engineId: string): void {
    for (const [key, g] of this.graphs) if (g.engineId === engineId) this.graphs.delete(key);
  }

  /** JSON shape for the page. */
  list(engineId?: string): unknown[] {
    const out: unknown[] = [];
    for (const g of this.graphs.values()) {
      if (engineId !== undefined && g.engineId !== engineId) continue;
      out.push({
        engineId: g.engineId,
        name: g.name,
        kind: g.kind,
        nodes: [...g.nodes].map(([id, c]) => ({ id, ...c })),
        edges: [...g.edges].map(([k, count]) => {
          const [from, to] = k.split('\u0000');
          return { from, to, count };
        }),
        current: g.current,
        failed: g.failed,
        dropped: g.dropped,
      });
    }
    return out;
  }
}
