// Queries to the inspector server. URLs are relative: the page lives at /<token>/, so every
// request carries the token without the page ever handling it.
export type Preview = any;

export interface Rec {
  seq: number;
  kind: 'commit' | 'failure' | 'conflict' | 'retry' | 'audit' | 'signal' | 'step' | 'worker';
  engineId: string;
  at: number;
  [k: string]: any;
}

export class QueryError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function query<T = any>(name: string, params: Record<string, string | number | undefined> = {}): Promise<T> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, String(v));
  const res = await fetch(`api/${name}${qs.size > 0 ? `?${qs}` : ''}`, { cache: 'no-store' });
  const body = await res.json().catch(() => ({ error: { code: 'HTTP', message: res.statusText } }));
  if (!res.ok) throw new QueryError(body.error?.code ?? 'HTTP', body.error?.message ?? `HTTP ${res.status}`);
  return body as T;
}

export const pathText = (p: (string | number)[]): string => p.map(String).join('.');
