// Issue #2 benchmarks: reads, wide-record writes, array pushes and batched writes, against
// native JS, Immer and Mutative on the same data, in the same run.
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

function wideWrites(rows) {
  for (const n of [100, 1000, 10000]) {
    const records = {};
    for (let i = 0; i < n; i++) records[`k${i}`] = { value: i, tag: 'x' };
    const keys = ['k5', `k${Math.floor(n / 2)}`, `k${n - 3}`];
    let state = State.create({ domain: { records } });
    let v = 0;
    const theus = opsPerSec(() => {
      const tx = state.transaction();
      const r = tx.domain.records;
      v++;
      r[keys[0]].value = v;
      r[keys[1]].value = v;
      r[keys[2]].value = v;
      state = tx.commit();
    }, { ms: 400 });
    let mstate = { records: structuredClone(records) };
    const mut = opsPerSec(() => {
      v++;
      mstate = create(mstate, (d) => { d.records[keys[0]].value = v; d.records[keys[1]].value = v; d.records[keys[2]].value = v; });
    }, { ms: 400 });
    setAutoFreeze(false);
    let istate = { records: structuredClone(records) };
    const im = opsPerSec(() => {
      v++;
      istate = produce(istate, (d) => { d.records[keys[0]].value = v; d.records[keys[1]].value = v; d.records[keys[2]].value = v; });
    }, { ms: 400 });
    setAutoFreeze(true);
    const r = theus / mut;
    const target = n === 10000 ? '≥ 5x mutative' : '≥ mutative';
    rows.push({ group: 'core: 3 writes in an N-key record (one tx)', name: `N=${n} theus`, opsPerSec: theus, ratio: `${fmt(r)} mutative, ${fmt(theus / im)} immer`, target, met: n === 10000 ? r >= 5 : r >= 1 });
    rows.push({ group: 'core: 3 writes in an N-key record (one tx)', name: `N=${n} mutative`, opsPerSec: mut });
    rows.push({ group: 'core: 3 writes in an N-key record (one tx)', name: `N=${n} immer (autoFreeze off)`, opsPerSec: im });
  }
}

function arrayAndBatch(rows) {
  const items = Array.from({ length: 10000 }, (_, i) => i);
  let state = State.create({ domain: { items } });
  const theus = opsPerSec(() => {
    const tx = state.transaction();
    tx.domain.items.push(1);
    tx.domain.items.pop();
    state = tx.commit();
  });
  let ms = { items: items.slice() };
  const mut = opsPerSec(() => { ms = create(ms, (d) => { d.items.push(1); d.items.pop(); }); });
  setAutoFreeze(false);
  let is = { items: items.slice() };
  const im = opsPerSec(() => { is = produce(is, (d) => { d.items.push(1); d.items.pop(); }); });
  setAutoFreeze(true);
  const g = 'core: arrays and batches';
  rows.push({ group: g, name: 'push+pop on a 10 000-element array, theus', opsPerSec: theus, ratio: `${fmt(theus / mut)} mutative, ${fmt(theus / im)} immer`, target: '≥ mutative', met: theus >= mut });
  rows.push({ group: g, name: 'push+pop on a 10 000-element array, mutative', opsPerSec: mut });
  rows.push({ group: g, name: 'push+pop on a 10 000-element array, immer', opsPerSec: im });

  const recs = {};
  for (let i = 0; i < 1000; i++) recs[`r${i}`] = { n: 0, label: `r${i}` };
  const keys = Object.keys(recs);
  let s2 = State.create({ domain: { recs } });
  const tb = opsPerSec(() => {
    const tx = s2.transaction();
    const r = tx.domain.recs;
    for (const k of keys) r[k].n++;
    s2 = tx.commit();
  }, { ms: 500 });
  let m2 = { recs: structuredClone(recs) };
  const mb = opsPerSec(() => { m2 = create(m2, (d) => { for (const k of keys) d.recs[k].n++; }); }, { ms: 500 });
  setAutoFreeze(false);
  let i2 = { recs: structuredClone(recs) };
  const ib = opsPerSec(() => { i2 = produce(i2, (d) => { for (const k of keys) d.recs[k].n++; }); }, { ms: 500 });
  setAutoFreeze(true);
  rows.push({ group: g, name: '1 000 writes across 1 000 records in one tx, theus', opsPerSec: tb, ratio: `${fmt(tb / mb)} mutative, ${fmt(tb / ib)} immer`, target: '≥ mutative', met: tb >= mb });
  rows.push({ group: g, name: '1 000 writes across 1 000 records, mutative', opsPerSec: mb });
  rows.push({ group: g, name: '1 000 writes across 1 000 records, immer', opsPerSec: ib });
}

export default async function run() {
  const rows = [];
  readBench(rows);
  wideWrites(rows);
  arrayAndBatch(rows);
  return rows;
}
