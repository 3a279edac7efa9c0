/**
 * The live stream's wire form, read by the page and the tests. One `recs` event carries a whole
 * batch: `{ t: strings, r: items }`. A commit, by far the most frequent item, is a tuple whose
 * repeated strings (engine, process, route) are indexes into `t`: commits come by the tens of
 * thousands a second, and writing out every field name of every one cost the process more CPU
 * than the commit itself.
 *
 * Commit tuple: [seq, at, version, baseVersion, engine, process (-1: null), route, execution (a
 * number n: the id `<engineId>:<n>`; else the id or null), ops (flat: opCode, path, opCode, path…),
 * opsTotal, signal topics (0: none), outbox].
 * A number item d is a commit that repeats the previous item (a commit): sequence, version, base
 * version and execution number one more, `at` d milliseconds later, everything else the same.
 * Every other record is sent as an object, as the `events` query returns it.
 * Kept free of imports: the page bundles it.
 */
export const OP_NAMES = ['add', 'replace', 'remove'] as const;

export interface StreamBatch {
  readonly t: readonly string[];
  readonly r: readonly unknown[];
}

export type StreamRecord = { seq: number; kind: string; engineId: string; at: number; [k: string]: any };

/** The records of a batch, each in the form the `events` query returns. */
export function decodeBatch(batch: StreamBatch): StreamRecord[] {
  const out: StreamRecord[] = [];
  let prev: StreamRecord | undefined; // the previous item, when a commit
  let prevExecution = -1;
  for (const item of batch.r) {
    if (typeof item === 'number') {
      if (prev === undefined) continue;
      prevExecution = prevExecution < 0 ? -1 : prevExecution + 1;
      prev = {
        ...prev,
        seq: prev.seq + 1,
        at: prev.at + item,
        version: prev.version + 1,
        baseVersion: prev.baseVersion + 1,
        executionId: prevExecution < 0 ? null : `${prev.engineId}:${prevExecution}`,
      };
      out.push(prev);
      continue;
    }
    if (!Array.isArray(item)) {
      prev = undefined;
      out.push(item as StreamRecord);
      continue;
    }
    const flat = item[8] as unknown[];
    const ops: { op: string; path: unknown[] }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) ops.push({ op: OP_NAMES[flat[i] as number] ?? 'replace', path: flat[i + 1] as unknown[] });
    const engineId = batch.t[item[4]] ?? '';
    prevExecution = typeof item[7] === 'number' ? item[7] : -1;
    prev = {
      seq: item[0],
      kind: 'commit',
      engineId,
      at: item[1],
      version: item[2],
      baseVersion: item[3],
      process: item[5] < 0 ? null : (batch.t[item[5]] ?? null),
      route: batch.t[item[6]] ?? 'execute',
      executionId: typeof item[7] === 'number' ? `${engineId}:${item[7]}` : item[7],
      ops,
      opsTotal: item[9],
      signals: item[10] === 0 ? [] : item[10],
      outbox: item[11],
    };
    out.push(prev);
  }
  return out;
}
