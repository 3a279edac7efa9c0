// View 1: the live timeline of commits, failed executions and conflicts, with filters.
import { useMemo, useState } from 'preact/hooks';
import { pathText, type Rec } from './api';
import { Badge, fmtTime } from './ui';

export interface Filters {
  failed: boolean;
  conflicted: boolean;
  process: string;
  path: string;
}

const SHOWN = new Set(['commit', 'failure', 'conflict']);

function paths(r: Rec): string[] {
  if (r.kind === 'conflict') return [...r.paths, ...r.ops.map((o: any) => pathText(o.path))];
  if (r.kind === 'commit') return r.ops.map((o: any) => pathText(o.path));
  return [];
}

export function Timeline({ events, selected, onSelect }: { events: Rec[]; selected: string | undefined; onSelect: (hash: string) => void }) {
  const [f, setF] = useState<Filters>({ failed: false, conflicted: false, process: '', path: '' });
  const conflictedExecutions = useMemo(() => new Set(events.filter((e) => e.kind === 'conflict').map((e) => e.executionId)), [events]);
  const processes = useMemo(() => [...new Set(events.filter((e) => SHOWN.has(e.kind) && e.process).map((e) => e.process as string))].sort(), [events]);
  const rows = useMemo(() => {
    const out: Rec[] = [];
    for (let i = events.length - 1; i >= 0 && out.length < 800; i--) {
      const e = events[i]!;
      if (!SHOWN.has(e.kind)) continue;
      if (f.failed || f.conflicted) {
        const isFailed = e.kind === 'failure';
        const isConflicted = e.kind === 'conflict' || (e.executionId != null && conflictedExecutions.has(e.executionId));
        if (!((f.failed && isFailed) || (f.conflicted && isConflicted))) continue;
      }
      if (f.process && e.process !== f.process) continue;
      if (f.path && !paths(e).some((p) => p.includes(f.path))) continue;
      out.push(e);
    }
    return out;
  }, [events, f, conflictedExecutions]);

  return (
    <div class="timeline">
      <div class="filters">
        <label class="check">
          <input type="checkbox" checked={f.failed} onChange={(e) => setF({ ...f, failed: (e.target as HTMLInputElement).checked })} /> failed
        </label>
        <label class="check">
          <input type="checkbox" checked={f.conflicted} onChange={(e) => setF({ ...f, conflicted: (e.target as HTMLInputElement).checked })} /> conflicted
        </label>
        <select aria-label="process" value={f.process} onChange={(e) => setF({ ...f, process: (e.target as HTMLSelectElement).value })}>
          <option value="">all processes</option>
          {processes.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
        <input class="grow" type="search" placeholder="path contains…" value={f.path} onInput={(e) => setF({ ...f, path: (e.target as HTMLInputElement).value })} />
      </div>
      <ol class="rows" data-testid="timeline">
        {rows.length === 0 && <li class="muted empty">No matching events yet.</li>}
        {rows.map((e) => {
          const hash = e.kind === 'commit' ? `#/commit/${e.version}` : e.kind === 'failure' ? `#/failure/${e.seq}` : `#/execution/${encodeURIComponent(e.executionId ?? '')}`;
          return (
            <li key={e.seq} class={`row row-${e.kind}${selected === hash ? ' selected' : ''}`} data-kind={e.kind} onClick={() => onSelect(hash)}>
              <Row e={e} />
            </li>
          );
        })}
      </ol>
    </div>
  );
}

function Row({ e }: { e: Rec }) {
  if (e.kind === 'commit') {
    const first = e.ops.slice(0, 2).map((o: any) => pathText(o.path));
    return (
      <>
        <span class="ver">v{e.version}</span>
        <span class="what">
          <b>{e.process ?? e.route}</b>
          <span class="sub">{first.join(', ')}{e.opsTotal > 2 ? ` +${e.opsTotal - 2}` : ''}</span>
        </span>
        {e.signals.length > 0 && <Badge kind="signal">⚡{e.signals.length}</Badge>}
        {e.route !== 'execute' && <Badge kind="route">{e.route}</Badge>}
        <span class="time">{fmtTime(e.at)}</span>
      </>
    );
  }
  if (e.kind === 'conflict') {
    return (
      <>
        <span class="ver ver-conflict">⇄</span>
        <span class="what">
          <b>{e.process ?? e.route}</b> lost attempt {e.attempt}
          <span class="sub">
            base v{e.baseVersion} → v{e.winningVersion} · {e.paths.slice(0, 2).join(', ')}
          </span>
        </span>
        <Badge kind="conflict">conflict</Badge>
        <span class="time">{fmtTime(e.at)}</span>
      </>
    );
  }
  return (
    <>
      <span class="ver ver-failed">✕</span>
      <span class="what">
        <b>{e.process}</b> failed
        <span class="sub">
          {e.error.name}: {e.error.message}
        </span>
      </span>
      <Badge kind="failed">{e.error.code ?? e.error.name}</Badge>
      <span class="time">{fmtTime(e.at)}</span>
    </>
  );
}
