// Views 5, 7, 8: audit entries (linked to their commit and rule), worker-pool lanes, signals.
import { useMemo, useState } from 'preact/hooks';
import type { Rec } from './api';
import { Badge, Link, fmtTime } from './ui';
import { Short } from './value';

export function AuditView({ events }: { events: Rec[] }) {
  const [violationsOnly, setOnly] = useState(true);
  const rows = events.filter((e) => e.kind === 'audit' && (!violationsOnly || e.level !== 'pass')).reverse().slice(0, 500);
  return (
    <div class="detail" data-testid="audit-view">
      <h2>Audit</h2>
      <label class="check">
        <input type="checkbox" checked={violationsOnly} onChange={(e) => setOnly((e.target as HTMLInputElement).checked)} /> violations only
      </label>
      <table class="ops">
        <thead>
          <tr><th>level</th><th>process</th><th>rule</th><th>message</th><th>version</th><th>time</th></tr>
        </thead>
        <tbody>
          {rows.length === 0 && <tr><td colSpan={6} class="muted">No audit entries.</td></tr>}
          {rows.map((a) => (
            <tr key={a.seq}>
              <td><Badge kind={`level-${a.level}`}>{a.level}</Badge></td>
              <td>{a.process}</td>
              <td>{a.rule ? <code>{a.rule}</code> : <span class="muted">—</span>}</td>
              <td>{a.message}</td>
              <td><Link to={`#/commit/${a.version}`}>v{a.version}</Link></td>
              <td class="muted">{fmtTime(a.at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function SignalsView({ events }: { events: Rec[] }) {
  const [topic, setTopic] = useState('');
  const rows = events.filter((e) => e.kind === 'signal' && (!topic || e.topic.includes(topic))).reverse().slice(0, 500);
  return (
    <div class="detail" data-testid="signals-view">
      <h2>Signals</h2>
      <input type="search" placeholder="topic contains…" value={topic} onInput={(e) => setTopic((e.target as HTMLInputElement).value)} />
      <table class="ops">
        <thead>
          <tr><th>topic</th><th>payload</th><th>version</th><th>time</th></tr>
        </thead>
        <tbody>
          {rows.length === 0 && <tr><td colSpan={4} class="muted">No signals.</td></tr>}
          {rows.map((s) => (
            <tr key={s.seq}>
              <td><Badge kind="signal">{s.topic}</Badge></td>
              <td class="val"><Short v={s.payload} /></td>
              <td><Link to={`#/commit/${s.version}`}>v{s.version}</Link></td>
              <td class="muted">{fmtTime(s.at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface Bar {
  lane: string;
  task: string;
  start: number;
  end: number | undefined;
  status: string;
}

export function WorkersView({ events }: { events: Rec[] }) {
  const bars = useMemo(() => {
    const open = new Map<string, Bar>();
    const out: Bar[] = [];
    for (const e of events) {
      if (e.kind !== 'worker') continue;
      const lane = `${e.pool} · worker ${e.worker}`;
      const key = `${lane}/${e.task}`;
      if (e.status === 'start') {
        const b: Bar = { lane, task: e.task, start: e.at, end: undefined, status: 'running' };
        open.set(key, b);
        out.push(b);
      } else {
        const b = open.get(key) ?? { lane, task: e.task, start: e.at - (e.durationMs ?? 0), end: undefined, status: e.status };
        if (!open.has(key)) out.push(b);
        open.delete(key);
        b.end = e.at;
        b.status = e.status;
      }
    }
    return out.slice(-400);
  }, [events]);
  const lanes = [...new Set(bars.map((b) => b.lane))].sort();
  const t0 = Math.min(...bars.map((b) => b.start));
  const t1 = Math.max(...bars.map((b) => b.end ?? Date.now()));
  const span = Math.max(1, t1 - t0);
  return (
    <div class="detail" data-testid="workers-view">
      <h2>Worker pool</h2>
      {lanes.length === 0 && <div class="muted">No worker task yet.</div>}
      <div class="lanes">
        {lanes.map((lane) => (
          <div class="lane" key={lane}>
            <div class="lane-name">{lane}</div>
            <div class="lane-track">
              {bars.filter((b) => b.lane === lane).map((b, i) => (
                <span
                  key={i}
                  class={`bar bar-${b.status}`}
                  title={`${b.task}: ${b.status}${b.end ? `, ${b.end - b.start} ms` : ''}`}
                  style={{ left: `${((b.start - t0) / span) * 100}%`, width: `max(3px, ${(((b.end ?? t1) - b.start) / span) * 100}%)` }}
                />
              ))}
            </div>
          </div>
        ))}
      </div>
      {lanes.length > 0 && <div class="muted">{fmtTime(t0)} — {fmtTime(t1)}</div>}
    </div>
  );
}
