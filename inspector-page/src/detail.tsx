// Views 2 and 3: a conflict explained (the whole execution), a commit in detail, a failure.
import { pathText, type Rec } from './api';
import { Badge, Card, Link, Loading, fmtTime, useQuery } from './ui';
import { Short, Val } from './value';

function Contract({ c }: { c: any }) {
  if (!c) return <div class="muted">No contract available (the engine was not handed to the inspector).</div>;
  const paths = (xs: string[]) => (xs.length === 0 ? <span class="muted">none</span> : xs.map((p) => <code key={p} class="chip">{p}</code>));
  return (
    <dl class="kv">
      <dt>semantic</dt>
      <dd>{c.semantic ?? '—'}{c.parallel ? ' · parallel' : ''}</dd>
      <dt>inputs</dt>
      <dd>{paths(c.inputs)}</dd>
      <dt>outputs</dt>
      <dd>{paths(c.outputs)}</dd>
      {c.errors.length > 0 && (
        <>
          <dt>errors</dt>
          <dd>{paths(c.errors)}</dd>
        </>
      )}
    </dl>
  );
}

function ErrorBox({ error, declared }: { error: any; declared?: readonly string[] | undefined }) {
  return (
    <div class="error-detail">
      <div>
        <b>{error.name}</b> {error.code && <Badge kind="failed">{error.code}</Badge>}{' '}
        {declared?.includes(error.name) && <Badge kind="route">declared in the contract’s errors</Badge>}
      </div>
      <div class="error-msg">{error.message}</div>
      {error.paths && (
        <div>
          contested: {error.paths.map((p: string) => <code key={p} class="chip chip-hot">{p}</code>)}
        </div>
      )}
      {error.stack && <pre class="stack">{error.stack}</pre>}
    </div>
  );
}

export function CommitDetail({ version, engine }: { version: number; engine: string | undefined }) {
  const q = useQuery<any>('commit', { v: version, engine }, [version, engine]);
  if (!q.data) return <Loading {...q} />;
  const d = q.data;
  const c = d.commit;
  return (
    <div class="detail" data-testid="commit-detail">
      <h2>
        Commit v{c.version} <span class="muted">by</span> {c.process ?? c.route}
      </h2>
      <div class="meta">
        <span>{fmtTime(c.at)}</span> · <span>route {c.route}</span> · <span>base v{c.baseVersion}</span>
        {c.executionId && (
          <>
            {' '}· <Link to={`#/execution/${encodeURIComponent(c.executionId)}`}>execution</Link>
          </>
        )}{' '}
        · <Link to={`#/state/${c.version}`}>state at v{c.version}</Link> · <Link to={`#/diff/${Math.max(0, c.version - 1)}/${c.version}`}>diff</Link>
      </div>
      {d.related.some((r: Rec) => r.kind === 'conflict') && (
        <div class="callout">
          This execution lost {d.related.filter((r: Rec) => r.kind === 'conflict').length} conflict(s) before committing.{' '}
          <Link to={`#/execution/${encodeURIComponent(c.executionId)}`}>Explain</Link>
        </div>
      )}
      <Card title={`Delta (${d.opsTotal} change${d.opsTotal === 1 ? '' : 's'})`} extra={d.partial ? <span class="muted">before-values seen in part</span> : null}>
        <table class="ops">
          <thead>
            <tr>
              <th>path</th>
              <th>op</th>
              <th>before</th>
              <th>after</th>
            </tr>
          </thead>
          <tbody>
            {d.ops.map((o: any, i: number) => (
              <tr key={i}>
                <td>
                  <Link to={`#/path/${encodeURIComponent(pathText(o.path))}`} cls="path">
                    {pathText(o.path)}
                  </Link>
                </td>
                <td>
                  <Badge kind={o.op}>{o.op}</Badge>
                </td>
                <td class="val">{o.hadBefore ? <Val v={o.before} /> : <span class="muted">—</span>}</td>
                <td class="val">{o.op === 'remove' ? <span class="muted">removed</span> : <Val v={o.after} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {d.opsTotal > d.ops.length && <div class="muted">… {d.opsTotal - d.ops.length} more changes</div>}
      </Card>
      <div class="two">
        <Card title="Contract">
          <Contract c={d.contract} />
        </Card>
        <Card title="Signals and audit">
          {d.signals.length === 0 && d.audits.length === 0 && <div class="muted">None.</div>}
          {d.signals.map((s: any, i: number) => (
            <div key={i}>
              <Badge kind="signal">{s.topic}</Badge> <Short v={s.payload} />
            </div>
          ))}
          {d.audits.map((a: any) => (
            <div key={a.seq}>
              <Badge kind={`level-${a.level}`}>{a.level}</Badge> {a.rule ?? ''} {a.message}
            </div>
          ))}
        </Card>
      </div>
    </div>
  );
}

export function FailureDetail({ seq, events, engine }: { seq: number; events: Rec[]; engine: string | undefined }) {
  const f = events.find((e) => e.seq === seq && e.kind === 'failure');
  if (!f) return <div class="muted">This failure is no longer in the page's buffer.</div>;
  return <ExecutionDetail id={f.executionId} engine={engine} />;
}

/** The whole story of one execute call; each conflict explained side by side. */
export function ExecutionDetail({ id, engine }: { id: string; engine: string | undefined }) {
  const q = useQuery<any>('execution', { id, engine }, [id, engine]);
  if (!q.data) return <Loading {...q} />;
  const d = q.data;
  const retries = d.timeline.filter((r: Rec) => r.kind === 'retry');
  return (
    <div class="detail" data-testid="execution-detail">
      <h2>
        Execution of {d.process ?? '?'}{' '}
        {d.outcome.kind === 'commit' ? (
          <Badge kind="ok">committed v{d.outcome.version}</Badge>
        ) : d.outcome.kind === 'failure' ? (
          <Badge kind="failed">failed</Badge>
        ) : (
          <Badge kind="route">running</Badge>
        )}
      </h2>
      <div class="meta">
        {d.conflicts.length} conflict{d.conflicts.length === 1 ? '' : 's'}, {retries.length} retr{retries.length === 1 ? 'y' : 'ies'}
        {d.outcome.kind === 'commit' && (
          <>
            {' '}· <Link to={`#/commit/${d.outcome.version}`}>commit v{d.outcome.version}</Link>
          </>
        )}
      </div>
      {d.outcome.kind === 'failure' && (
        <Card title="Error">
          <ErrorBox error={d.outcome.error} declared={d.contract?.errors} />
        </Card>
      )}
      {d.conflicts.map((c: any) => (
        <ConflictCard key={c.seq} c={c} retry={retries.find((r: Rec) => r.attempt === c.attempt + 1)} />
      ))}
      <Card title="Contract">
        <Contract c={d.contract} />
      </Card>
    </div>
  );
}

function OpList({ ops, total }: { ops: any[]; total: number }) {
  return (
    <ul class="oplist">
      {ops.map((o, i) => (
        <li key={i} class={o.contested ? 'contested' : ''}>
          <Badge kind={o.op}>{o.op}</Badge> <code class="path">{pathText(o.path)}</code> {o.op !== 'remove' && <>= <Short v={o.value} /></>}
        </li>
      ))}
      {total > ops.length && <li class="muted">… {total - ops.length} more</li>}
      {ops.length === 0 && <li class="muted">no changes</li>}
    </ul>
  );
}

const fmtMs = (ms: number): string => (ms < 10 ? `${ms.toFixed(2)} ms` : `${Math.round(ms)} ms`);

function ConflictCard({ c, retry }: { c: any; retry: any }) {
  return (
    <section class="card conflict-card" data-testid="conflict">
      <header class="card-head">
        <h3>Attempt {c.attempt} lost a conflict</h3>
        <span class="muted">{fmtTime(c.at)}</span>
      </header>
      <div class="card-body">
        <p class="story">
          It ran on <b>base version v{c.baseVersion}</b>. When it tried to commit, the engine was at <b>v{c.winningVersion}</b>: the commit
          {c.winners.length === 1 ? '' : 's'} in between changed what it had read or written.
        </p>
        <div class="contested">
          contested paths: {c.paths.map((p: string) => <code key={p} class="chip chip-hot">{p}</code>)}
        </div>
        <div class="two">
          <div class="side side-lost">
            <h4>Its delta (attempt {c.attempt}, discarded)</h4>
            <OpList ops={c.ours} total={c.oursTotal} />
          </div>
          <div class="side side-won">
            {c.winners.map((w: any) =>
              w.retained ? (
                <div key={w.version} class={w.touchesContested ? 'winner' : 'winner winner-quiet'}>
                  <h4>
                    {w.touchesContested ? 'Winning commit' : 'Also committed'} <Link to={`#/commit/${w.version}`}>v{w.version}</Link> by {w.process ?? w.route}
                    {!w.touchesContested && ' (not on the contested paths)'}
                  </h4>
                  <OpList ops={w.ops} total={w.opsTotal} />
                </div>
              ) : (
                <div key={w.version} class="muted">
                  v{w.version}: no longer retained
                </div>
              ),
            )}
          </div>
        </div>
        {retry ? (
          <p class="retry">
            ↻ Retried as attempt {retry.attempt} on v{retry.baseVersion} after <b>{fmtMs(retry.backoffMs)}</b> backoff{retry.vip ? ', holding the priority lane' : ''}.
          </p>
        ) : (
          <p class="retry muted">No retry recorded after this attempt.</p>
        )}
      </div>
    </section>
  );
}
