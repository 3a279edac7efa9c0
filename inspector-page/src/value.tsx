// Renders the server's tagged previews: plain JSON-like text, with explicit markers where a
// value was cut (depth, keys, string length) so a truncated view never passes for the whole.
import type { Preview } from './api';

export function Val({ v, onKey }: { v: Preview; onKey?: ((key: string | number) => void) | undefined }) {
  if (v === null) return <span class="v-null">null</span>;
  if (typeof v === 'boolean') return <span class="v-bool">{String(v)}</span>;
  if (typeof v === 'number') return <span class="v-num">{String(v)}</span>;
  if (typeof v === 'string') return <span class="v-str">{JSON.stringify(v)}</span>;
  switch (v.$t) {
    case 'undefined':
      return <span class="v-null">undefined</span>;
    case 'num':
      return <span class="v-num">{v.v}</span>;
    case 'bigint':
      return <span class="v-num">{v.v}n</span>;
    case 'str':
      return (
        <span class="v-str">
          {JSON.stringify(v.v).slice(0, -1)}…" <span class="v-cut">({v.len.toLocaleString()} chars)</span>
        </span>
      );
    case 'date':
      return <span class="v-date">{v.v}</span>;
    case 'binary':
      return <span class="v-cut">{`${v.kind}(${v.len})`}</span>;
    case 'cut':
      return <span class="v-cut">{v.kind === 'array' ? `[… ${v.size} items]` : v.kind === 'map' || v.kind === 'set' ? `${v.kind}(${v.size}) …` : '{…}'}</span>;
    case 'circular':
    case 'function':
    case 'symbol':
    case 'unreadable':
      return <span class="v-cut">[{v.$t}]</span>;
    case 'array':
      if (v.len === 0) return <span>[]</span>;
      return (
        <span>
          [
          <div class="v-block">
            {v.e.map((x: Preview, i: number) => (
              <div key={i}>
                <Key k={i} onKey={onKey} />
                <Val v={x} />
              </div>
            ))}
            {v.len > v.e.length && <div class="v-cut">… {v.len - v.e.length} more items</div>}
          </div>
          ]
        </span>
      );
    case 'map':
    case 'set':
      return (
        <span>
          {v.$t === 'map' ? 'Map' : 'Set'}({v.size}) {'{'}
          <div class="v-block">
            {v.e.map((x: any, i: number) => (
              <div key={i}>{v.$t === 'map' ? <><Val v={x[0]} /> → <Val v={x[1]} /></> : <Val v={x} />}</div>
            ))}
            {v.size > v.e.length && <div class="v-cut">… {v.size - v.e.length} more</div>}
          </div>
          {'}'}
        </span>
      );
    case 'object':
      if (v.e.length === 0 && !v.more) return <span>{v.c ? `${v.c} ` : ''}{'{}'}</span>;
      return (
        <span>
          {v.c ? <span class="v-class">{v.c} </span> : null}
          {'{'}
          <div class="v-block">
            {v.e.map(([k, x]: [string, Preview]) => (
              <div key={k}>
                <Key k={k} onKey={onKey} />
                <Val v={x} />
              </div>
            ))}
            {v.more ? <div class="v-cut">… {v.more} more keys</div> : null}
          </div>
          {'}'}
        </span>
      );
    default:
      return <span class="v-cut">?</span>;
  }
}

function Key({ k, onKey }: { k: string | number; onKey?: ((key: string | number) => void) | undefined }) {
  if (onKey) {
    return (
      <a class="v-key link" href="#" onClick={(e) => { e.preventDefault(); onKey(k); }}>
        {String(k)}:{' '}
      </a>
    );
  }
  return <span class="v-key">{String(k)}: </span>;
}

/** One line: short values inline, containers summarised. */
export function Short({ v }: { v: Preview }) {
  if (v !== null && typeof v === 'object') {
    if (v.$t === 'object') return <span class="v-cut">{`{${v.e.slice(0, 3).map((e: any) => e[0]).join(', ')}${v.e.length > 3 || v.more ? ', …' : ''}}`}</span>;
    if (v.$t === 'array') return <span class="v-cut">[{v.len} items]</span>;
  }
  return <Val v={v} />;
}
