// Heavy zone + worker pool: dispatch overhead, heavy hand-off cost, and CPU speed-up.
// This file is also the task module the workers import (named exports below), so the suite
// needs no helper file that bench/run.mjs would mistake for another suite.
import os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { HeavyAllocator } from '../../dist/heavy/index.js';
import { ParallelPool } from '../../dist/parallel/index.js';
import { ratio, row } from '../lib.mjs';

const SELF = new URL(import.meta.url);
const THREADS = 2;
const GROUP = 'parallel';

// --- raw worker_threads echo loop (only when this file is started as a plain Worker) ---
if (!isMainThread && workerData?.theusBenchRawPing === true) {
  parentPort.on('message', (message) => parentPort.postMessage(message));
}

// --- task functions run in workers ---
export function noop() {
  return 0;
}

/** Piscina calls handlers with the task only; kept separate so both pools run equivalent work. */
export function piscinaNoop() {
  return 0;
}

/** Touches the first element: a HeavyArray (attached) or a plain typed array (cloned). */
export function touch({ array }) {
  return array.data === undefined ? array[0] : array.data[0];
}

export const COLS = 3000;
export const ROWS = 3000;
export const PASSES = 9;

/** The CPU-bound job: several passes of transcendental functions per element, src → dst. */
export function compute(src, dst, from, to, passes) {
  for (let i = from; i < to; i++) {
    let v = src[i];
    for (let p = 0; p < passes; p++) v = Math.sin(v) * 0.9 + Math.cos(v) * 0.1;
    dst[i] = v;
  }
}

export function band({ input, output, start, end, passes }) {
  const cols = input.strides[0];
  compute(input.data, output.data, start * cols, end * cols, passes);
  return end - start;
}

// --- measuring helpers ---
const nowNs = () => process.hrtime.bigint();

async function microsPerOp(fn, n) {
  const start = nowNs();
  for (let i = 0; i < n; i++) await fn();
  return Number(nowNs() - start) / n / 1e3;
}

function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Interleaves contenders round by round so VM noise (bimodal on this machine) hits all of them alike. */
async function interleaved(contenders, { rounds, n }) {
  const samples = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(contenders)) samples[name].push(await microsPerOp(fn, n));
  }
  return Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, median(xs)]));
}

// INC-025: a pool measured cold reports spawn cost as task cost. Start every thread by running
// as many concurrent tasks as there are threads, then let the JIT settle with sequential ones.
async function warm(run) {
  for (let i = 0; i < 3; i++) await Promise.all(Array.from({ length: THREADS * 2 }, run));
  for (let i = 0; i < 300; i++) await run();
}

const us = (x) => `${x.toFixed(1)} µs`;
const ms = (x) => `${x.toFixed(1)} ms`;

/**
 * One contender at a time, each with only its own threads alive: with several pools started at
 * once, six threads share two cores and whichever pool is measured pays for the others' wake-ups
 * (the figures swung 0.3×–5× from round to round). Each phase warms up, then takes the median of
 * several rounds.
 */
async function phase(start, rounds = 9, n = 500) {
  const { run, stop } = await start();
  try {
    await warm(run);
    const xs = [];
    for (let r = 0; r < rounds; r++) xs.push(await microsPerOp(run, n));
    return median(xs);
  } finally {
    await stop();
  }
}

/**
 * Phases of the pools being compared, in alternating order, and the median of each pool's phases.
 * Round trips on this VM are bimodal (about 50-90 µs or 110-130 µs, for either pool), and the
 * pool measured first in a fresh process often gets the fast mode: a fixed order measured the
 * order, not the pools.
 */
async function alternating(starters, times = 3) {
  const names = Object.keys(starters);
  const xs = Object.fromEntries(names.map((n) => [n, []]));
  for (let t = 0; t < times; t++) {
    for (const n of t % 2 === 0 ? names : [...names].reverse()) xs[n].push(await phase(starters[n], 5));
  }
  return Object.fromEntries(names.map((n) => [n, median(xs[n])]));
}

async function dispatch() {
  const raw = await phase(async () => {
    const worker = new Worker(SELF, { workerData: { theusBenchRawPing: true } });
    const waiting = []; // replies come back in order, so a FIFO of resolvers matches them up
    worker.on('message', (m) => waiting.shift()(m));
    const run = () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        worker.postMessage(0);
      });
    return { run, stop: () => worker.terminate() };
  });
  const { piscina, pool } = await alternating({
    piscina: async () => {
      const p = new Piscina({ filename: SELF.href, maxThreads: THREADS, minThreads: THREADS, idleTimeout: 10_000 });
      return { run: () => p.run(0, { name: 'piscinaNoop' }), stop: () => p.destroy() };
    },
    pool: async () => {
      const p = new ParallelPool({ maxThreads: THREADS, minThreads: THREADS });
      return { run: () => p.run({ module: SELF, exportName: 'noop', payload: 0 }), stop: () => p.close() };
    },
  });
  const r = ratio(pool, piscina);
  return [
    row({ group: GROUP, name: 'dispatch round trip: raw worker_threads ping-pong', value: us(raw), opsPerSec: 1e6 / raw }),
    row({ group: GROUP, name: 'dispatch round trip: Piscina directly (2 threads)', value: us(piscina), opsPerSec: 1e6 / piscina, ratio: `${ratio(piscina, raw).toFixed(2)}x raw` }),
    row({
      group: GROUP,
      name: 'dispatch round trip: ParallelPool (2 threads)',
      value: us(pool),
      opsPerSec: 1e6 / pool,
      ratio: `${r.toFixed(2)}x Piscina`,
      target: '≤ 1.5× Piscina',
      met: r <= 1.5,
    }),
  ];
}

async function handOff() {
  const MiB = 1024 * 1024;
  const heavy = new HeavyAllocator({ capacityBytes: 300 * MiB });
  const small = heavy.alloc('small', [MiB / 4], 'float32');
  const large = heavy.alloc('large', [64 * MiB], 'float32');
  const plain = new Float32Array(64 * MiB); // 256 MiB, not shared: must be copied to reach a worker
  const pool = new ParallelPool({ maxThreads: 1, minThreads: 1 });
  try {
    const attachSmall = () => pool.run({ module: SELF, exportName: 'touch', payload: { array: small } });
    const attachLarge = () => pool.run({ module: SELF, exportName: 'touch', payload: { array: large } });
    await warm(attachSmall);
    await warm(attachLarge);
    const t = await interleaved({ small: attachSmall, large: attachLarge }, { rounds: 9, n: 400 });
    const cloneMs = [];
    for (let i = 0; i < 3; i++) {
      const start = nowNs();
      await pool.run({ module: SELF, exportName: 'touch', payload: { array: plain } });
      cloneMs.push(Number(nowNs() - start) / 1e6);
    }
    const clone = median(cloneMs);
    const sizeRatio = ratio(t.large, t.small);
    return [
      row({ group: GROUP, name: 'heavy hand-off (dispatch + attach): 1 MiB float32', value: us(t.small) }),
      row({
        group: GROUP,
        name: 'heavy hand-off (dispatch + attach): 256 MiB float32',
        value: us(t.large),
        ratio: `${sizeRatio.toFixed(2)}x the 1 MiB hand-off`,
        target: 'independent of size (≤ 2× the 1 MiB time)',
        met: sizeRatio <= 2,
      }),
      row({
        group: GROUP,
        name: 'structured-clone copy of 256 MiB to a worker (same task)',
        value: ms(clone),
        ratio: `${ratio(clone * 1e3, t.large).toFixed(0)}x the heavy hand-off`,
      }),
    ];
  } finally {
    await pool.close();
  }
}

async function speedUp() {
  const heavy = new HeavyAllocator({ capacityBytes: 128 * 1024 * 1024 });
  const input = heavy.alloc('input', [ROWS, COLS], 'float32');
  const output = heavy.alloc('output', [ROWS, COLS], 'float32');
  for (let i = 0; i < input.size; i++) input.data[i] = (i % 1000) / 1000;
  const expected = new Float32Array(input.size);
  const pool = new ParallelPool({ maxThreads: THREADS, minThreads: THREADS });
  const half = ROWS / 2;
  const parallel = () =>
    Promise.all([
      pool.run({ module: SELF, exportName: 'band', payload: { input, output, start: 0, end: half, passes: PASSES } }),
      pool.run({ module: SELF, exportName: 'band', payload: { input, output, start: half, end: ROWS, passes: PASSES } }),
    ]);
  try {
    // Warm-up: JIT both the main thread's and the workers' copies of compute().
    compute(input.data, expected, 0, input.size, 1);
    await Promise.all([
      pool.run({ module: SELF, exportName: 'band', payload: { input, output, start: 0, end: half, passes: 1 } }),
      pool.run({ module: SELF, exportName: 'band', payload: { input, output, start: half, end: ROWS, passes: 1 } }),
    ]);
    // Best of 5, interleaved: CPU-bound timings on a shared 2-core VM only ever get slower through
    // interference, so the minimum is the closest estimate of each variant's own cost.
    const seq = [];
    const par = [];
    for (let i = 0; i < 5; i++) {
      let start = nowNs();
      compute(input.data, expected, 0, input.size, PASSES);
      seq.push(Number(nowNs() - start) / 1e6);
      output.data.fill(0);
      start = nowNs();
      await parallel();
      par.push(Number(nowNs() - start) / 1e6);
    }
    let same = true;
    for (let i = 0; i < expected.length; i++) {
      if (expected[i] !== output.data[i]) {
        same = false;
        break;
      }
    }
    const s = Math.min(...seq);
    const p = Math.min(...par);
    const gain = ratio(s, p);
    return [
      row({ group: GROUP, name: `3000×3000 float32, ${PASSES} transcendental passes: sequential (main thread)`, value: ms(s) }),
      row({
        group: GROUP,
        name: `same job in 2 row bands on 2 workers${same ? '' : ' (RESULT MISMATCH)'}`,
        // A speed-up needs idle cores: the load average says how many other runnable processes competed.
        value: `${ms(p)} (load avg ${os.loadavg()[0].toFixed(1)})`,
        ratio: `${gain.toFixed(2)}x speed-up`,
        target: '≥ 1.7× on 2 cores',
        met: same && gain >= 1.7,
      }),
    ];
  } finally {
    await pool.close();
  }
}

export default async function () {
  return [...(await dispatch()), ...(await handOff()), ...(await speedUp())];
}
