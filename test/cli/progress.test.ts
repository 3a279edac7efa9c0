import { describe, expect, it, vi } from 'vitest';
import { parseWorkflow } from '../../src/flux/index.js';
import { RunProgress, linearPlan } from '../../src/cli/run/progress.js';

/** Carriage return + erase line: how a terminal status line is redrawn. */
const CLEAR = '\r\x1b[2K';
const report = (name: string, version: number) => ({ name, path: 'steps[0]', version, durationMs: 1.25 });

describe('linearPlan', () => {
  it('lists the steps of a workflow without branches or loops, through flux: run', () => {
    const workflow = parseWorkflow({ steps: ['a', { process: 'b' }, { flux: 'run', steps: ['c', { flux: 'run', steps: ['d'] }] }] });
    expect(linearPlan(workflow.steps)).toEqual(['a', 'b', 'c', 'd']);
    expect(linearPlan(parseWorkflow({ steps: [] }).steps)).toEqual([]);
  });

  it('is undefined when the path depends on conditions', () => {
    expect(linearPlan(parseWorkflow({ steps: ['a', { flux: 'if', condition: 'True', then: ['b'] }] }).steps)).toBeUndefined();
    expect(linearPlan(parseWorkflow({ steps: [{ flux: 'run', steps: [{ flux: 'while', condition: 'False', do: ['b'] }] }] }).steps)).toBeUndefined();
  });
});

describe('RunProgress', () => {
  it('prints aligned plain lines when not on a terminal', () => {
    const out: string[] = [];
    const progress = new RunProgress({ write: (t) => out.push(t), tty: false, columns: 80 }, ['load', 'process'], ['load', 'process']);
    progress.step(report('load', 1));
    progress.step(report('process', 2));
    progress.finish();
    expect(out).toEqual(['  1/2  load     -> v1  (1.3 ms)\n', '  2/2  process  -> v2  (1.3 ms)\n']);
  });

  it('redraws one line on a terminal, ticks the elapsed time, and clears it at the end without leaving a timer', () => {
    vi.useFakeTimers();
    try {
      const out: string[] = [];
      const progress = new RunProgress({ write: (t) => out.push(t), tty: true, columns: 30 }, undefined, ['a']);
      expect(out).toHaveLength(1);
      expect(out[0]?.startsWith(CLEAR)).toBe(true);
      expect(out[0]?.slice(CLEAR.length)).toMatch(/^\| 0 steps done {2}\d+ ms$/);
      progress.step(report('a', 1));
      expect(out.at(-1)?.slice(CLEAR.length)).toMatch(/^\/ 1 step done, last a/);
      vi.advanceTimersByTime(250);
      expect(out.length).toBe(4);
      // Never wider than the terminal.
      for (const line of out) expect(line.length - CLEAR.length).toBeLessThanOrEqual(29);
      progress.finish();
      expect(out.at(-1)).toBe(CLEAR);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
