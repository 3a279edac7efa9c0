import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { query } from './api';
import { CommitDetail, ExecutionDetail, FailureDetail } from './detail';
import { GraphsView } from './graphs';
import { AuditView, SignalsView, WorkersView } from './lists';
import { DiffView, PathHistory, StateView } from './state';
import { EventStore } from './store';
import { Timeline } from './timeline';

const store = new EventStore();

function useHash(): string {
  const [hash, setHash] = useState(location.hash || '#/');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function useEvents() {
  const [, setTick] = useState(0);
  useEffect(() => store.subscribe(() => setTick((t) => t + 1)), []);
  return store.events;
}

const NAV: [string, string, string][] = [
  ['#/', 'Timeline', '≡'],
  ['#/state', 'State', '◈'],
  ['#/diff', 'Diff', '±'],
  ['#/graphs', 'Graphs', '⬡'],
  ['#/workers', 'Workers', '▤'],
  ['#/signals', 'Signals', '⚡'],
  ['#/audit', 'Audit', '⚑'],
];

function App() {
  const hash = useHash();
  const events = useEvents();
  const [engines, setEngines] = useState<{ engineId: string; head: number }[]>([]);
  const [engine, setEngine] = useState<string | undefined>(undefined);
  useEffect(() => {
    void store.start();
    const load = () => query('info').then((i) => setEngines(i.engines), () => undefined);
    load();
    const t = setInterval(load, 3000);
    return () => clearInterval(t);
  }, []);
  const current = engine ?? (engines.length === 1 ? engines[0]!.engineId : undefined);
  const mine = useMemo(() => (current === undefined ? events : events.filter((e) => e.engineId === current || e.engineId === '')), [events, current]);
  const head = useMemo(() => {
    let h = engines.find((e) => e.engineId === current)?.head ?? 0;
    for (let i = mine.length - 1; i >= 0; i--) if (mine[i]!.kind === 'commit') { h = Math.max(h, mine[i]!.version); break; }
    return h;
  }, [mine, engines, current]);
  const commits = mine.reduce((n, e) => n + (e.kind === 'commit' ? 1 : 0), 0);
  const failures = mine.reduce((n, e) => n + (e.kind === 'failure' ? 1 : 0), 0);
  const conflicts = mine.reduce((n, e) => n + (e.kind === 'conflict' ? 1 : 0), 0);

  const [route, qs] = hash.slice(1).split('?') as [string, string | undefined];
  const parts = route.split('/').filter(Boolean);
  const params = new URLSearchParams(qs ?? '');
  const section = parts[0] ?? '';
  const navKey = ['commit', 'execution', 'failure', ''].includes(section) ? '#/' : section === 'path' ? '#/state' : `#/${section}`;

  let main;
  const detail = (node: any) => (
    <div class="split">
      <Timeline events={mine} selected={hash} onSelect={(h) => (location.hash = h)} />
      <div class="pane">{node}</div>
    </div>
  );
  switch (section) {
    case 'commit':
      main = detail(<CommitDetail version={Number(parts[1])} engine={current} />);
      break;
    case 'execution':
      main = detail(<ExecutionDetail id={decodeURIComponent(parts[1] ?? '')} engine={current} />);
      break;
    case 'failure':
      main = detail(<FailureDetail seq={Number(parts[1])} events={mine} engine={current} />);
      break;
    case 'state':
      main = <StateView version={parts[1] === undefined ? undefined : Number(parts[1])} path={params.get('path') ?? ''} head={head} engine={current} />;
      break;
    case 'path':
      main = <PathHistory path={decodeURIComponent(parts[1] ?? '')} engine={current} />;
      break;
    case 'diff':
      main = <DiffView from={parts[1] === undefined ? Math.max(0, head - 1) : Number(parts[1])} to={parts[2] === undefined ? head : Number(parts[2])} head={head} engine={current} />;
      break;
    case 'graphs':
      main = <GraphsView engine={current} tick={mine.filter((e) => e.kind === 'step').length} />;
      break;
    case 'workers':
      main = <WorkersView events={mine} />;
      break;
    case 'signals':
      main = <SignalsView events={mine} />;
      break;
    case 'audit':
      main = <AuditView events={mine} />;
      break;
    default:
      main = detail(
        <div class="placeholder">
          <h2>Select an event</h2>
          <p>Commits, failed executions and lost conflicts appear on the left as they happen. Pick one to see its delta, its error, or why it conflicted.</p>
        </div>,
      );
  }

  return (
    <div class="app">
      <header class="top">
        <div class="brand">
          <span class="logo">θ</span> Theus inspector
        </div>
        <div class="stats">
          <span class="stat" data-testid="head">
            <b>v{head}</b> newest
          </span>
          <span class="stat">
            <b>{commits}</b> commits
          </span>
          <span class={`stat${conflicts ? ' stat-warn' : ''}`}>
            <b>{conflicts}</b> conflicts
          </span>
          <span class={`stat${failures ? ' stat-bad' : ''}`}>
            <b>{failures}</b> failed
          </span>
        </div>
        {engines.length > 1 && (
          <select aria-label="engine" value={current ?? ''} onChange={(e) => setEngine((e.target as HTMLSelectElement).value || undefined)}>
            <option value="">all engines</option>
            {engines.map((e) => (
              <option key={e.engineId} value={e.engineId}>
                engine {e.engineId.slice(0, 8)}
              </option>
            ))}
          </select>
        )}
        <span class={`conn conn-${store.status}`} data-testid="connection">
          {store.status}
        </span>
      </header>
      <nav class="sidenav">
        {NAV.map(([to, label, icon]) => (
          <a key={to} href={to} class={navKey === to ? 'active' : ''}>
            <span class="icon">{icon}</span>
            {label}
          </a>
        ))}
      </nav>
      <main class="main">{main}</main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
