// The live stream's batches decode to exactly what the `events` query returns for the same records,
// whatever mix of commits (repeating or not), execution ids and other records they hold.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RecordRing } from '../../src/inspect/record-ring.js';
import { decodeBatch } from '../../src/inspect/stream-batch.js';
import { BatchEncoder, streamRec } from '../../src/inspect/wire.js';
import type { CommitEvent } from '../../src/engine/channels.js';

const ENGINE = '4b1d3c2a-0000-4000-8000-000000000001';
const paths = [['domain', 'n'], ['domain', 'items', 0], ['domain', 'a.b'], Array.from({ length: 40 }, (_, i) => `k${i}`)];

const step = fc.record({
  kind: fc.constantFrom('repeat', 'repeat', 'repeat', 'commit', 'signal', 'other-engine'),
  gap: fc.integer({ min: 0, max: 3 }),
  process: fc.constantFrom('inc', 'dec', null),
  path: fc.integer({ min: 0, max: paths.length - 1 }),
  ops: fc.integer({ min: 0, max: 10 }),
  exec: fc.constantFrom('engine', 'engine', 'foreign', 'none'),
  signals: fc.boolean(),
  outbox: fc.integer({ min: 0, max: 1 }),
});

type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function fill(ring: RecordRing, steps: Step[]): void {
  let version = 10;
  let execution = 100;
  let at = 1_700_000_000_000;
  for (const s of steps) {
    at += s.gap;
    if (s.kind === 'signal') {
      ring.push({ kind: 'signal', engineId: ENGINE, at, topic: 't', payload: { v: version }, version });
      continue;
    }
    version++;
    execution++;
    const path = paths[s.path]!;
    const n = s.kind === 'repeat' ? 1 : s.ops;
    const ops = Array.from({ length: n }, (_, i) => ({ op: (['add', 'replace', 'remove'] as const)[i % 3]!, path: i === 0 ? [...path] : [...path, i], value: i }));
    const e: CommitEvent = {
      engineId: s.kind === 'other-engine' ? 'other' : ENGINE,
      version,
      baseVersion: s.gap === 3 ? version - 2 : version - 1,
      process: s.kind === 'repeat' ? 'inc' : s.process,
      route: s.process === null && s.kind !== 'repeat' ? 'edit' : 'execute',
      executionId: s.kind === 'repeat' || s.exec === 'engine' ? `${ENGINE}:${execution}` : s.exec === 'foreign' ? `job-${execution}` : null,
      ops,
      signals: s.signals && s.kind !== 'repeat' ? [{ topic: 'done', payload: 1 }] : [],
      outbox: s.kind === 'repeat' ? 0 : s.outbox,
      at,
    };
    ring.pushCommit(e);
  }
}

describe('the live stream batches', () => {
  it('decode to the records the events query returns', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.integer({ min: 0, max: 10 }), (steps, skip) => {
        const ring = new RecordRing(100);
        fill(ring, steps);
        const from = Math.min(skip, ring.next);
        const enc = new BatchEncoder();
        for (let seq = from; seq < ring.next; seq++) ring.encode(seq, enc);
        const decoded = decodeBatch(JSON.parse(enc.json()));
        const expected = [...ring.since(from)].map(([seq, rec]) => streamRec(seq, rec));
        expect(decoded).toEqual(JSON.parse(JSON.stringify(expected)));
      }),
    );
  });

  it('sends a commit that repeats the one before as a single number', () => {
    const ring = new RecordRing(10);
    fill(ring, Array.from({ length: 5 }, (): Step => ({ kind: 'repeat', gap: 1, process: 'inc', path: 0, ops: 1, exec: 'engine', signals: false, outbox: 0 })));
    const enc = new BatchEncoder();
    for (let seq = 0; seq < ring.next; seq++) ring.encode(seq, enc);
    const batch = JSON.parse(enc.json());
    expect(batch.r.slice(1)).toEqual([1, 1, 1, 1]);
    expect(decodeBatch(batch).map((r) => r.executionId)).toEqual([101, 102, 103, 104, 105].map((n) => `${ENGINE}:${n}`));
  });
});
