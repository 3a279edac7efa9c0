// Shared measuring helpers for every bench suite. Suites import the built package from ../dist
// so that what is measured is what users run.

/** Runs `fn` repeatedly for about `ms` milliseconds (after a warm-up) and returns operations per second. */
export function opsPerSec(fn, { ms = 300, warmupMs = 100, batch = 1 } = {}) {
  const until = (limit) => {
    let ops = 0;
    const start = process.hrtime.bigint();
    const end = start + BigInt(Math.round(limit * 1e6));
    let now = start;
    while (now < end) {
      for (let i = 0; i < batch; i++) fn();
      ops += batch;
      now = process.hrtime.bigint();
    }
    return { ops, ns: Number(now - start) };
  };
  until(warmupMs);
  const { ops, ns } = until(ms);
  return (ops / ns) * 1e9;
}

/** Async variant: awaits each call. */
export async function opsPerSecAsync(fn, { ms = 300, warmupMs = 100 } = {}) {
  const until = async (limit) => {
    let ops = 0;
    const start = process.hrtime.bigint();
    const end = start + BigInt(Math.round(limit * 1e6));
    let now = start;
    while (now < end) {
      await fn();
      ops++;
      now = process.hrtime.bigint();
    }
    return { ops, ns: Number(now - start) };
  };
  await until(warmupMs);
  const { ops, ns } = await until(ms);
  return (ops / ns) * 1e9;
}

/** Median of `runs` measurements of an async or sync thunk that returns a duration in ms. */
export async function medianMs(thunk, runs = 5) {
  const xs = [];
  for (let i = 0; i < runs; i++) xs.push(await thunk());
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)];
}

export function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * A row of the results table.
 * @param {object} r
 * @param {string} r.group     suite / section name
 * @param {string} r.name      what was measured
 * @param {number} [r.opsPerSec]
 * @param {string} [r.value]   a free-form figure when ops/s does not fit (latency, speed-up)
 * @param {string} [r.ratio]   e.g. "0.8x mutative"
 * @param {string} [r.target]  the target, in words
 * @param {boolean} [r.met]    whether the target is met in this run
 */
export function row(r) {
  return r;
}

export function fmtOps(x) {
  if (x === undefined) return '';
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M/s`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k/s`;
  return `${x.toFixed(1)} /s`;
}

export function ratio(a, b) {
  return b === 0 ? Infinity : a / b;
}

/** The 5-rule input recipe both audit suites measure (one rule of each kind and level). */
export function fiveRuleRecipe(processName) {
  return {
    audit: { threshold_max: 3 },
    process_recipes: {
      [processName]: {
        inputs: [
          { field: 'amount', min: 1, max: 1_000_000, level: 'B' },
          { field: 'dest', regex: '^User', level: 'C' },
          { field: 'currency', eq: 'EUR', level: 'A' },
          { field: 'memo', max_len: 140 },
          { field: 'meta.channel', neq: 'blocked', level: 'S' },
        ],
      },
    },
  };
}

/** Arguments that pass every rule of {@link fiveRuleRecipe}. */
export const FIVE_RULE_ARGS = Object.freeze({ amount: 500, dest: 'UserA', currency: 'EUR', memo: 'rent', meta: Object.freeze({ channel: 'web' }) });
