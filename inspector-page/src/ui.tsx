import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { query } from './api';

export const fmtTime = (at: number): string => {
  const d = new Date(at);
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
};

export function Badge({ kind, children }: { kind: string; children: ComponentChildren }) {
  return <span class={`badge badge-${kind}`}>{children}</span>;
}

export function Card({ title, children, extra }: { title: ComponentChildren; children: ComponentChildren; extra?: ComponentChildren }) {
  return (
    <section class="card">
      <header class="card-head">
        <h3>{title}</h3>
        {extra}
      </header>
      <div class="card-body">{children}</div>
    </section>
  );
}

/** Fetches a query whenever its key changes; shows loading and errors in place. */
export function useQuery<T>(name: string, params: Record<string, string | number | undefined>, deps: unknown[]): { data?: T; error?: string; loading: boolean } {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    query<T>(name, params).then(
      (data) => live && setState({ data, loading: false }),
      (e: Error) => live && setState({ error: e.message, loading: false }),
    );
    return () => {
      live = false;
    };
  }, deps);
  return state;
}

export function Loading({ error, loading }: { error?: string | undefined; loading: boolean }) {
  if (error) return <div class="error-box">{error}</div>;
  if (loading) return <div class="muted">Loading…</div>;
  return null;
}

export const go = (hash: string) => {
  location.hash = hash;
};

export function Link({ to, children, cls }: { to: string; children: ComponentChildren; cls?: string }) {
  return (
    <a class={cls ?? 'link'} href={to}>
      {children}
    </a>
  );
}
