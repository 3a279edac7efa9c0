// View 6: workflow and state-machine graphs drawn from their step events. Layout: a node's layer
// is its breadth-first distance from the first step seen; edges going back (loops) curve to the
// side. Small graphs are what workflows are, so this simple layering reads well.
import { Loading, useQuery } from './ui';

interface Node {
  id: string;
  runs: number;
  done: number;
  failed: number;
}
interface Edge {
  from: string;
  to: string;
  count: number;
}
interface Graph {
  engineId: string;
  name: string;
  kind: 'workflow' | 'machine';
  nodes: Node[];
  edges: Edge[];
  current: string | null;
  failed: string | null;
  dropped: number;
}

const W = 150;
const H = 46;
const GX = 50;
const GY = 36;

export function layout(g: Graph): { pos: Map<string, { x: number; y: number }>; width: number; height: number } {
  const layer = new Map<string, number>();
  const out = new Map<string, string[]>();
  for (const e of g.edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const queue: string[] = [];
  for (const n of g.nodes) {
    if (layer.has(n.id)) continue;
    layer.set(n.id, 0);
    queue.push(n.id);
    while (queue.length > 0) {
      const id = queue.shift()!;
      for (const to of out.get(id) ?? []) {
        if (layer.has(to)) continue;
        layer.set(to, layer.get(id)! + 1);
        queue.push(to);
      }
    }
  }
  const rows = new Map<number, string[]>();
  for (const n of g.nodes) rows.set(layer.get(n.id)!, [...(rows.get(layer.get(n.id)!) ?? []), n.id]);
  const widest = Math.max(1, ...[...rows.values()].map((r) => r.length));
  const width = widest * (W + GX) + GX;
  const pos = new Map<string, { x: number; y: number }>();
  for (const [l, ids] of rows) {
    const span = ids.length * (W + GX) - GX;
    ids.forEach((id, i) => pos.set(id, { x: (width - span) / 2 + i * (W + GX), y: GY + l * (H + GY) }));
  }
  return { pos, width, height: GY + rows.size * (H + GY) };
}

function GraphSvg({ g }: { g: Graph }) {
  const { pos, width, height } = layout(g);
  return (
    <svg class="graph" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={`${g.kind} ${g.name}`}>
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#8a94a6" />
        </marker>
      </defs>
      {g.edges.map((e) => {
        const a = pos.get(e.from);
        const b = pos.get(e.to);
        if (!a || !b) return null;
        const back = b.y <= a.y;
        const x1 = a.x + W / 2;
        const y1 = back ? a.y + H / 2 : a.y + H;
        const x2 = b.x + W / 2;
        const y2 = back ? b.y + H / 2 : b.y;
        const d = back
          ? `M ${a.x + W} ${y1} C ${a.x + W + 60} ${y1}, ${b.x + W + 60} ${y2}, ${b.x + W} ${y2}`
          : `M ${x1} ${y1} C ${x1} ${(y1 + y2) / 2}, ${x2} ${(y1 + y2) / 2}, ${x2} ${y2}`;
        return (
          <g key={`${e.from}>${e.to}`}>
            <path d={d} class={back ? 'edge edge-back' : 'edge'} marker-end="url(#arrow)" />
            <text class="edge-label" x={back ? Math.max(a.x, b.x) + W + 34 : (x1 + x2) / 2 + 6} y={(y1 + y2) / 2}>
              {e.count}
            </text>
          </g>
        );
      })}
      {g.nodes.map((n) => {
        const p = pos.get(n.id)!;
        const cls = n.id === g.failed ? 'node node-failed' : n.id === g.current ? 'node node-current' : 'node';
        return (
          <g key={n.id} class={cls} data-step={n.id} data-state={n.id === g.failed ? 'failed' : n.id === g.current ? 'current' : 'idle'}>
            <rect x={p.x} y={p.y} width={W} height={H} rx={8} />
            <text class="node-name" x={p.x + W / 2} y={p.y + 19}>
              {n.id.length > 20 ? `${n.id.slice(0, 19)}…` : n.id}
            </text>
            <text class="node-count" x={p.x + W / 2} y={p.y + 36}>
              {n.runs}× run · {n.done} ok{n.failed ? ` · ${n.failed} failed` : ''}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function GraphsView({ engine, tick }: { engine: string | undefined; tick: number }) {
  const q = useQuery<{ graphs: Graph[] }>('graphs', { engine }, [engine, tick]);
  if (!q.data) return <Loading {...q} />;
  return (
    <div class="detail" data-testid="graphs-view">
      <h2>Workflows and state machines</h2>
      {q.data.graphs.length === 0 && <div class="muted">No workflow or state machine has run yet.</div>}
      {q.data.graphs.map((g) => (
        <section class="card" key={`${g.engineId}/${g.kind}/${g.name}`} data-testid="graph">
          <header class="card-head">
            <h3>
              {g.kind === 'machine' ? 'State machine' : 'Workflow'} <code>{g.name}</code>
            </h3>
            <span class="legend">
              <i class="sw sw-current" /> current <i class="sw sw-failed" /> failed
            </span>
          </header>
          <div class="card-body graph-wrap">
            <GraphSvg g={g} />
            {g.dropped > 0 && <div class="muted">{g.dropped} events of steps beyond the first 200 not drawn.</div>}
          </div>
        </section>
      ))}
    </div>
  );
}
