// Views 4 and 9: the state at any version (time travel) with search and a path's history, and
// the diff between two versions.
import { useEffect, useState } from 'preact/hooks';
import { Badge, Card, Link, Loading, fmtTime, go, useQuery } from './ui';
import { Short, Val } from './value';

export function StateView({ version, path, head, engine }: { version: number | undefined; path: string; head: number; engine: string | undefined }) {
  const v = version ?? head;
  const [draft, setDraft] = useState(String(v));
  const [search, setSearch] = useState('');
  const [hits, setHits] = useState<any>(undefined);
  useEffect(() => setDraft(String(v)), [v]);
  const q = useQuery<any>('state', { v, path, engine, depth: 3 }, [v, path, engine]);
  const to = (ver: number, p = path) => go(`#/state/${ver}${p ? `?path=${encodeURIComponent(p)}` : ''}`);
  const crumbs = path ? path.split('.') : [];
  const runSearch = async (e: Event) => {
    e.preventDefault();
    if (!search) return setHits(undefined);
    const { query } = await import('./api');
    setHits(await query('search', { v, q: search, engine }).catch((err: Error) => ({ error: err.message })));
  };
  return (
    <div class="detail" data-testid="state-view">
      <h2>
        State at <span data-testid="state-version">v{v}</span> {v === head ? <Badge kind="ok">current</Badge> : <Badge kind="route">past</Badge>}
      </h2>
      <div class="travel">
        <button disabled={v <= 0} onClick={() => to(v - 1)} aria-label="previous version" title="previous version">◀</button>
        <input type="range" min={0} max={Math.max(head, 0)} value={v} onChange={(e) => to(Number((e.target as HTMLInputElement).value))} aria-label="version slider" />
        <button disabled={v >= head} onClick={() => to(v + 1)} aria-label="next version" title="next version">▶</button>
        <form onSubmit={(e) => { e.preventDefault(); const n = Number(draft); if (Number.isInteger(n) && n >= 0) to(n); }}>
          <input class="num" aria-label="version" value={draft} onInput={(e) => setDraft((e.target as HTMLInputElement).value)} />
          <button type="submit">Go</button>
        </form>
        {v > 0 && <Link to={`#/commit/${v}`}>commit v{v}</Link>}
      </div>
      <div class="crumbs">
        <a class="link" href="#" onClick={(e) => { e.preventDefault(); to(v, ''); }}>root</a>
        {crumbs.map((c, i) => (
          <span key={i}>
            {' / '}
            <a class="link" href="#" onClick={(e) => { e.preventDefault(); to(v, crumbs.slice(0, i + 1).join('.')); }}>{c}</a>
          </span>
        ))}
        {path && (
          <>
            {' '}· <Link to={`#/path/${encodeURIComponent(path)}`}>history of this path</Link>
          </>
        )}
      </div>
      <form class="search" onSubmit={runSearch}>
        <input type="search" placeholder="search keys and values…" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
        <button type="submit">Search</button>
      </form>
      {hits && (
        <Card title={hits.error ? 'Search failed' : `${hits.hits.length}${hits.truncated ? '+' : ''} matches`}>
          {hits.error && <div class="error-box">{hits.error}</div>}
          <ul class="hits">
            {hits.hits?.map((h: any) => (
              <li key={h.path}>
                <a class="link path" href="#" onClick={(e) => { e.preventDefault(); to(v, h.path); }}>{h.path}</a> <Short v={h.value} />
              </li>
            ))}
          </ul>
        </Card>
      )}
      {q.data ? (
        <Card title={path || 'root'} extra={<span class="muted">{q.data.source === 'store' ? 'from the store' : q.data.source === 'live' ? 'live' : 'rebuilt from snapshot + deltas'}{q.data.partial ? ' · partial (inspector attached late)' : ''}</span>}>
          <div class="tree">
            <Val v={q.data.value} onKey={(k) => to(v, path ? `${path}.${k}` : String(k))} />
          </div>
        </Card>
      ) : (
        <Loading {...q} />
      )}
    </div>
  );
}

export function PathHistory({ path, engine }: { path: string; engine: string | undefined }) {
  const q = useQuery<any>('path', { path, engine }, [path, engine]);
  return (
    <div class="detail" data-testid="path-history">
      <h2>
        History of <code>{path}</code>
      </h2>
      {!q.data ? (
        <Loading {...q} />
      ) : (
        <table class="ops">
          <thead>
            <tr>
              <th>version</th>
              <th>by</th>
              <th>time</th>
              <th>value after</th>
            </tr>
          </thead>
          <tbody>
            {q.data.changes.length === 0 && (
              <tr>
                <td colSpan={4} class="muted">No retained commit touched this path.</td>
              </tr>
            )}
            {q.data.changes.map((c: any) => (
              <tr key={c.version}>
                <td>
                  <Link to={`#/state/${c.version}?path=${encodeURIComponent(path)}`}>v{c.version}</Link>
                </td>
                <td>
                  <Link to={`#/commit/${c.version}`}>{c.process ?? c.route}</Link>
                </td>
                <td class="muted">{fmtTime(c.at)}</td>
                <td class="val">{c.found ? <Val v={c.value} /> : <span class="muted">absent</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function DiffView({ from, to, head, engine }: { from: number; to: number; head: number; engine: string | undefined }) {
  const [a, setA] = useState(String(from));
  const [b, setB] = useState(String(to));
  useEffect(() => { setA(String(from)); setB(String(to)); }, [from, to]);
  const q = useQuery<any>('diff', { from, to, engine }, [from, to, engine]);
  return (
    <div class="detail" data-testid="diff-view">
      <h2>
        Diff v{from} → v{to}
      </h2>
      <form class="travel" onSubmit={(e) => { e.preventDefault(); go(`#/diff/${Number(a) || 0}/${Number(b) || 0}`); }}>
        from <input class="num" aria-label="from version" value={a} onInput={(e) => setA((e.target as HTMLInputElement).value)} /> to{' '}
        <input class="num" aria-label="to version" value={b} onInput={(e) => setB((e.target as HTMLInputElement).value)} />
        <button type="submit">Compare</button>
        <span class="muted">newest: v{head}</span>
      </form>
      {!q.data ? (
        <Loading {...q} />
      ) : (
        <table class="ops">
          <thead>
            <tr>
              <th>path</th>
              <th>change</th>
              <th>v{from}</th>
              <th>v{to}</th>
            </tr>
          </thead>
          <tbody>
            {q.data.entries.length === 0 && (
              <tr>
                <td colSpan={4} class="muted">Identical.</td>
              </tr>
            )}
            {q.data.entries.map((e: any, i: number) => (
              <tr key={i}>
                <td>
                  <Link to={`#/path/${encodeURIComponent(e.path)}`} cls="path">{e.path}</Link>
                </td>
                <td>
                  <Badge kind={e.kind === 'added' ? 'add' : e.kind === 'removed' ? 'remove' : 'replace'}>{e.kind}</Badge>
                </td>
                <td class="val">{e.before === null ? <span class="muted">—</span> : <Val v={e.before} />}</td>
                <td class="val">{e.after === null ? <span class="muted">—</span> : <Val v={e.after} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {q.data?.truncated && <div class="muted">Diff truncated.</div>}
    </div>
  );
}
