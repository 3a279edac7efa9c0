// Core benchmarks: reads, wide-record writes, array pushes, a write beside a huge sibling and
// batched writes, against native JS, Immer and Mutative on the same data, in the same run.
import { State } from '../../dist/core/index.js';
import { create } from 'mutative';
import { produce, setAutoFreeze } from 'immer';
import { opsPerSec, ratio } from '../lib.mjs';

const fmt = (x) => `${x.toFixed(2)}x`;

function readBench(rows) {
  const data = { domain: { cfg: { a: { b: { c: { d: 1 } } } }, n: 1 } };
  const native = structuredClone(data);
  const state = State.create(data);
  const view = state.domain;
  let sink = 0;
  const N = 1000;
  const nativeShallow = opsPerSec(() => { for (let i = 0; i < N; i++) sink += native.domain.n; }) * N;
  const nativeDeep = opsPerSec(() => { for (let i = 0; i < N; i++) sink += native.domain.cfg.a.b.c.d; }) * N;
  const viewShallow = opsPerSec(() => { for (let i = 0; i < N; i++) sink += view.n; }) * N;
  const viewDeep = opsPerSec(() => { for (let i = 0; i < N; i++) sink += view.cfg.a.b.c.d; }) * N;
  const tx = state.transaction();
  const d = tx.domain;
  const txShallow = opsPerSec(() => { for (let i = 0; i < N; i++) sink += d.n; }) * N;
  const txDeep = opsPerSec(() => { for (let i = 0; i < N; i++) sink += d.cfg.a.b.c.d; }) * N;
  tx.rollback();
  let mutShallow = 0, mutDeep = 0;
  create(native.domain, (draft) => {
    mutShallow = opsPerSec(() => { for (let i = 0; i < N; i++) sink += draft.n; }) * N;
    mutDeep = opsPerSec(() => { for (let i = 0; i < N; i++) sink += draft.cfg.a.b.c.d; }) * N;
  });
  let imShallow = 0, imDeep = 0;
  produce(native.domain, (draft) => {
    imShallow = opsPerSec(() => { for (let i = 0; i < N; i++) sink += draft.n; }) * N;
    imDeep = opsPerSec(() => { for (let i = 0; i < N; i++) sink += draft.cfg.a.b.c.d; }) * N;
  });
  const g = 'core: reads';
  rows.push({ group: g, name: 'native shallow read', opsPerSec: nativeShallow });
  rows.push({ group: g, name: 'State view shallow read', opsPerSec: viewShallow, ratio: `${fmt(nativeShallow / viewShallow)} slower than native`, target: '≤ 1.5x native', met: nativeShallow / viewShallow <= 1.5 });
  rows.push({ group: g, name: 'native deep read (4 hops)', opsPerSec: nativeDeep });
  rows.push({ group: g, name: 'State view deep read (4 hops)', opsPerSec: viewDeep, ratio: `${fmt(nativeDeep / viewDeep)} slower than native`, target: '≤ 1.5x native', met: nativeDeep / viewDeep <= 1.5 });
  rows.push({ group: g, name: 'transaction proxy shallow read', opsPerSec: txShallow, ratio: `${fmt(ratio(txShallow, mutShallow))} mutative, ${fmt(ratio(txShallow, imShallow))} immer`, target: '≥ mutative draft', met: txShallow >= mutShallow });
  rows.push({ group: g, name: 'mutative draft shallow read', opsPerSec: mutShallow });
  rows.push({ group: g, name: 'immer draft shallow read', opsPerSec: imShallow });
  rows.push({ group: g, name: 'transaction proxy deep read (4 hops)', opsPerSec: txDeep, ratio: `${fmt(ratio(txDeep, mutDeep))} mutative, ${fmt(ratio(txDeep, imDeep))} immer`, target: '≥ mutative draft', met: txDeep >= mutDeep });
  rows.push({ group: g, name: 'mutative draft deep read', opsPerSec: mutDeep });
  rows.push({ group: g, name: 'immer draft deep read', opsPerSec: imDeep });
  return sink;
}

/**
 * Runs contenders in alternating short rounds and reports, for each, the median ops/s, plus the
 * median of the per-round ratios against the first contender. On a shared, loaded VM a
 * sequential measurement compares different moments of the machine; alternating rounds compare
 * the same moments.
 */
function paired(fns, { rounds = 9, ms = 60 } = {}) {
  const names = Object.keys(fns);
  for (const n of names) opsPerSec(fns[n], { ms: 30, warmupMs: 60 });
  const per = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) for (const n of names) per[n].push(opsPerSec(fns[n], { ms, warmupMs: 5 }));
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const first = names[0];
  const out = {};
  for (const n of names) out[n] = { ops: median(per[n]), ratio: median(per[first].map((x, i) => x / per[n][i])) };
  return out;
}

function wideWrites(rows) {
  for (const n of [100, 1000, 10000]) {
    const records = {};
    for (let i = 0; i < n; i++) records[`k${i}`] = { value: i, tag: 'x' };
    const keys = ['k5', `k${Math.floor(n / 2)}`, `k${n - 3}`];
    let state = State.create({ domain: { records } });
    let mstate = { records: structuredClone(records) };
    let istate = { records: structuredClone(records) };
    let v = 0;
    const r = paired({
      theus: () => {
        const tx = state.transaction();
        const rec = tx.domain.records;
        v++;
        rec[keys[0]].value = v;
        rec[keys[1]].value = v;
        rec[keys[2]].value = v;
        state = tx.commit();
      },
      mutative: () => {
        v++;
        mstate = create(mstate, (d) => { d.records[keys[0]].value = v; d.records[keys[1]].value = v; d.records[keys[2]].value = v; });
      },
      immer: () => {
        v++;
        setAutoFreeze(false);
        istate = produce(istate, (d) => { d.records[keys[0]].value = v; d.records[keys[1]].value = v; d.records[keys[2]].value = v; });
        setAutoFreeze(true);
      },
    }, { rounds: n === 10000 ? 5 : 9, ms: n === 10000 ? 150 : 60 });
    const target = n === 10000 ? '≥ 150x mutative' : '≥ mutative';
    const g = 'core: 3 writes in an N-key record (one tx)';
    rows.push({ group: g, name: `N=${n} theus`, opsPerSec: r.theus.ops, ratio: `${fmt(r.mutative.ratio)} mutative, ${fmt(r.immer.ratio)} immer`, target, met: n === 10000 ? r.mutative.ratio >= 150 : r.mutative.ratio >= 1 });
    rows.push({ group: g, name: `N=${n} mutative`, opsPerSec: r.mutative.ops });
    rows.push({ group: g, name: `N=${n} immer (autoFreeze off)`, opsPerSec: r.immer.ops });
  }
}

function arrayAndBatch(rows) {
  const g = 'core: arrays and batches';
  const items = Array.from({ length: 10000 }, (_, i) => i);
  let state = State.create({ domain: { items } });
  let ms = { items: items.slice() };
  let is = { items: items.slice() };
  const pp = paired({
    theus: () => {
      const tx = state.transaction();
      tx.domain.items.push(1);
      tx.domain.items.pop();
      state = tx.commit();
    },
    mutative: () => { ms = create(ms, (d) => { d.items.push(1); d.items.pop(); }); },
    immer: () => {
      setAutoFreeze(false);
      is = produce(is, (d) => { d.items.push(1); d.items.pop(); });
      setAutoFreeze(true);
    },
  });
  rows.push({ group: g, name: 'push+pop on a 10 000-element array, theus', opsPerSec: pp.theus.ops, ratio: `${fmt(pp.mutative.ratio)} mutative, ${fmt(pp.immer.ratio)} immer`, target: '≥ mutative', met: pp.mutative.ratio >= 1 });
  rows.push({ group: g, name: 'push+pop on a 10 000-element array, mutative', opsPerSec: pp.mutative.ops });
  rows.push({ group: g, name: 'push+pop on a 10 000-element array, immer', opsPerSec: pp.immer.ops });

  // Push one element onto the same 10 000-element base every time (the array does not grow).
  const base0 = State.create({ domain: { items } });
  const mbase = { items: items.slice() };
  const pu = paired({
    theus: () => {
      const tx = base0.transaction();
      tx.domain.items.push(1);
      tx.commit();
    },
    mutative: () => { create(mbase, (d) => { d.items.push(1); }); },
  });
  rows.push({ group: g, name: 'push onto a 10 000-element array, theus', opsPerSec: pu.theus.ops, ratio: `${fmt(pu.mutative.ratio)} mutative`, target: '≥ mutative', met: pu.mutative.ratio >= 1 });
  rows.push({ group: g, name: 'push onto a 10 000-element array, mutative', opsPerSec: pu.mutative.ops });

  // One write next to an untouched 100 000-key sibling.
  const big = {};
  for (let i = 0; i < 100_000; i++) big[`k${i}`] = i;
  let s3 = State.create({ domain: { big, small: { x: 0 } } });
  let m3 = { big: { ...big }, small: { x: 0 } };
  let x = 0;
  const sib = paired({
    theus: () => {
      const tx = s3.transaction();
      tx.domain.small.x = ++x;
      s3 = tx.commit();
    },
    mutative: () => { m3 = create(m3, (d) => { d.small.x = ++x; }); },
  });
  rows.push({ group: g, name: 'write beside an untouched 100 000-key sibling, theus', opsPerSec: sib.theus.ops, ratio: `${fmt(sib.mutative.ratio)} mutative`, target: '≥ mutative', met: sib.mutative.ratio >= 1 });
  rows.push({ group: g, name: 'write beside an untouched 100 000-key sibling, mutative', opsPerSec: sib.mutative.ops });

  const recs = {};
  for (let i = 0; i < 1000; i++) recs[`r${i}`] = { n: 0, label: `r${i}` };
  const keys = Object.keys(recs);
  let s2 = State.create({ domain: { recs } });
  let m2 = { recs: structuredClone(recs) };
  let i2 = { recs: structuredClone(recs) };
  const b = paired({
    theus: () => {
      const tx = s2.transaction();
      const r = tx.domain.recs;
      for (const k of keys) r[k].n++;
      s2 = tx.commit();
    },
    mutative: () => { m2 = create(m2, (d) => { for (const k of keys) d.recs[k].n++; }); },
    immer: () => {
      setAutoFreeze(false);
      i2 = produce(i2, (d) => { for (const k of keys) d.recs[k].n++; });
      setAutoFreeze(true);
    },
  }, { rounds: 7, ms: 150 });
  rows.push({ group: g, name: '1 000 writes across 1 000 records in one tx, theus', opsPerSec: b.theus.ops, ratio: `${fmt(b.mutative.ratio)} mutative, ${fmt(b.immer.ratio)} immer`, target: '≥ mutative', met: b.mutative.ratio >= 1 });
  rows.push({ group: g, name: '1 000 writes across 1 000 records, mutative', opsPerSec: b.mutative.ops });
  rows.push({ group: g, name: '1 000 writes across 1 000 records, immer', opsPerSec: b.immer.ops });
}

export default async function run() {
  const rows = [];
  readBench(rows);
  wideWrites(rows);
  arrayAndBatch(rows);
  return rows;
}
