import { describe, expect, it } from 'vitest';
import { TheusError, WorkflowSyntaxError } from '../../src/errors.js';
import { parseStateMachine, parseWorkflow, toMermaid } from '../../src/flux/index.js';

const WORKFLOW = `name: order flow
steps:
  - process: "p_init"
  - "p_validate"
  - flux: while
    condition: "domain['remaining'] > 0"
    do:
      - process: "p_next_item"
      - flux: if
        condition: "domain['remaining'] % 20 == 0"
        then:
          - process: "p_checkpoint"
        else: [p_skip]
  - flux: run
    steps: ["p_cleanup", "p_finalize"]
`;

const MACHINE = `name: worker
states:
  IDLE:
    events:
      CMD_START: PROCESSING
  PROCESSING:
    entry: [p_load, p_compute]
    events:
      EVT_CHAIN_DONE: DONE
      EVT_CHAIN_FAIL: ERROR
  ERROR: {}
  DONE:
    final: true
`;

/** Labels are entity-escaped; decode them back to compare with the names written in the definition. */
function decode(text: string): string {
  return text.replace(/#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)));
}

describe('toMermaid', () => {
  it('draws a workflow as a flowchart naming every step, with if/while as decisions', () => {
    const chart = toMermaid(WORKFLOW);
    const lines = chart.split('\n');
    expect(lines.slice(0, 4)).toEqual(['---', 'title: "order flow"', '---', 'flowchart TD']);
    const text = decode(chart);
    for (const name of ['p_init', 'p_validate', 'p_next_item', 'p_checkpoint', 'p_skip', 'p_cleanup', 'p_finalize']) expect(text).toContain(`["${name}"]`);
    expect(text).toMatch(/while\d+\{"while domain\['remaining'\] > 0"\}/);
    expect(text).toMatch(/if\d+\{"if domain\['remaining'\] % 20 == 0"\}/);
    expect(chart).toMatch(/while\d+ -->\|true\| p\d+/);
    expect(chart).toMatch(/while\d+ -->\|false\| run\d+|while\d+ -->\|false\| p\d+/);
    expect(chart).toMatch(/if\d+ -->\|true\| p\d+/);
    expect(chart).toMatch(/if\d+ -->\|false\| p\d+/);
    expect(chart).toContain('flux_start(["start"])');
    expect(chart).toMatch(/p\d+ --> flux_end/);
    expect(chart).toMatch(/subgraph run\d+\["run"\]/);
  });

  it('loops an empty while body back onto its decision and passes through an empty if', () => {
    const chart = toMermaid({ steps: [{ flux: 'while', condition: 'True', do: [] }, { flux: 'if', condition: 'False' }] });
    expect(chart).toMatch(/(while\d+) -->\|true\| \1/);
    expect(chart).toMatch(/if\d+ -->\|true\| flux_end/);
    expect(chart).toMatch(/if\d+ -->\|false\| flux_end/);
  });

  it('draws a state machine as a stateDiagram-v2 with every state, transition, initial and final', () => {
    const diagram = toMermaid(MACHINE);
    expect(diagram).toContain('stateDiagram-v2');
    for (const state of ['IDLE', 'PROCESSING', 'ERROR', 'DONE']) expect(diagram).toMatch(new RegExp(`state "${state}" as s\\d`));
    expect(diagram).toContain('[*] --> s0');
    expect(diagram).toContain('s0 --> s1 : CMD_START');
    expect(diagram).toContain('s1 --> s3 : EVT_CHAIN_DONE');
    expect(diagram).toContain('s1 --> s2 : EVT_CHAIN_FAIL');
    expect(diagram).toContain('s3 --> [*]');
    expect(diagram).toContain('s1 : entry: p_load, p_compute');
  });

  it('accepts parsed definitions and plain objects', () => {
    expect(toMermaid(parseWorkflow(WORKFLOW))).toBe(toMermaid(WORKFLOW));
    expect(toMermaid(parseStateMachine(MACHINE))).toBe(toMermaid(MACHINE));
    expect(toMermaid({ steps: ['a'] })).toContain('["a"]');
  });

  it('escapes labels so user text cannot break out of them', () => {
    const hostile = 'x"]\n  click A call alert()\n%% y[<b>]{z}|w|;#';
    const chart = toMermaid({ steps: [hostile, { flux: 'if', condition: "domain.a == '\"}'", then: ['b'] }] });
    for (const line of chart.split('\n')) expect(line).not.toMatch(/^\s*click|<b>|^%%/);
    expect(decode(chart)).toContain(hostile.replace(/\s+/g, ' '));
    const labelLines = chart.split('\n').filter((l) => l.includes('["') || l.includes('{"'));
    for (const line of labelLines) expect(line).toMatch(/^\s+\w+(\["[^"]*"\]|\{"[^"]*"\}|\(\["[^"]*"\]\))$/);
    const diagram = toMermaid({ initial: 'A b', states: { 'A b': { on: { 'go --> [*]': 'C"' } }, 'C"': { final: true } } });
    expect(diagram).toContain('state "A b" as s0');
    expect(diagram).toContain('state "C#34;" as s1');
    expect(diagram).toContain('s0 --> s1 : go --#62; #91;*#93;');
  });

  it('refuses what is not a definition with a typed error', () => {
    expect(() => toMermaid(null)).toThrow(TheusError);
    expect(() => toMermaid(42)).toThrow(TheusError);
    expect(() => toMermaid('steps: [a')).toThrow(WorkflowSyntaxError);
    expect(() => toMermaid({ states: { A: { on: { X: 'B' } } }, initial: 'A' })).toThrow(/unknown state 'B'/);
  });
});
