import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TheusError, WorkflowSyntaxError } from '../../src/errors.js';
import { parseWorkflow } from '../../src/flux/index.js';
import type { Step } from '../../src/flux/index.js';
import { ORIGINAL_WORKFLOW_EXAMPLE } from '../fixtures/reference-examples.js';

/** The shape of a parsed step list, without positions or compiled functions. */
function outline(steps: readonly Step[]): unknown[] {
  return steps.map((s) => {
    switch (s.kind) {
      case 'process':
        return s.args === undefined ? s.name : { process: s.name, args: s.args };
      case 'if':
        return { if: s.condition.source, then: outline(s.then), else: outline(s.else) };
      case 'while':
        return { while: s.condition.source, do: outline(s.do) };
      case 'run':
        return { run: outline(s.steps) };
    }
  });
}

function syntaxErrorOf(definition: unknown): WorkflowSyntaxError {
  try {
    parseWorkflow(definition);
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowSyntaxError);
    return error as WorkflowSyntaxError;
  }
  throw new Error('expected a WorkflowSyntaxError');
}

const ORIGINAL_EXAMPLE = ORIGINAL_WORKFLOW_EXAMPLE;

describe('parseWorkflow: structure', () => {
  it('reads the original example (REFERENCE §9.2) unchanged', () => {
    const workflow = parseWorkflow(ORIGINAL_EXAMPLE);
    expect(outline(workflow.steps)).toEqual([
      'p_init',
      'p_validate',
      {
        while: "domain['remaining'] > 0 and len(domain.get('log', [])) < 5",
        do: ['p_next_item', { if: "domain['remaining'] % 20 == 0", then: ['p_checkpoint'], else: [] }],
      },
      { run: ['p_cleanup', 'p_finalize'] },
    ]);
    expect(workflow.warnings).toEqual([]);
    expect(workflow.file).toBe('<inline>');
  });

  it('records file, line, column and path of every step', () => {
    const workflow = parseWorkflow(ORIGINAL_EXAMPLE);
    const loop = workflow.steps[2];
    expect(loop?.at).toMatchObject({ file: '<inline>', line: 4, column: 5, path: 'steps[2]' });
    expect(loop?.kind === 'while' && loop.do[1]?.at).toMatchObject({ line: 8, column: 9, path: 'steps[2].do[1]' });
  });

  it('nests at any depth: elif as an if inside else, while inside if inside while', () => {
    const workflow = parseWorkflow(`
steps:
  - flux: if
    condition: domain.x == 1
    then: [a]
    else:
      - flux: if
        condition: domain.x == 2
        then: [b]
        else:
          - flux: while
            condition: domain.n < 3
            do:
              - flux: if
                condition: True
                then:
                  - flux: run
                    steps: [c, {process: d, args: {k: 1}}]
`);
    expect(outline(workflow.steps)).toEqual([
      {
        if: 'domain.x == 1',
        then: ['a'],
        else: [{ if: 'domain.x == 2', then: ['b'], else: [{ while: 'domain.n < 3', do: [{ if: 'True', then: [{ run: ['c', { process: 'd', args: { k: 1 } }] }], else: [] }] }] }],
      },
    ]);
  });

  it('accepts name/description/version, a missing or empty steps list, and null blocks', () => {
    expect(parseWorkflow('name: empty\ndescription: nothing\nversion: 2').steps).toEqual([]);
    expect(parseWorkflow('steps: []').steps).toEqual([]);
    expect(parseWorkflow('steps:').steps).toEqual([]);
    const w = parseWorkflow({ name: 'n', steps: [{ flux: 'if', condition: 'True', then: null }] });
    expect(w.name).toBe('n');
    expect(outline(w.steps)).toEqual([{ if: 'True', then: [], else: [] }]);
  });

  it('collects the original [FLUX-WARN] cases as warnings instead of printing them', () => {
    const w = parseWorkflow(`steps:
  - flux: while
    condition: "False"
    do: []
  - flux: if
    condition: "True"
  - flux: run
    steps: []
`);
    expect(w.warnings).toHaveLength(3);
    expect(w.warnings[0]).toMatch(/^<inline>:2:5: steps\[0\]: 'flux: while' has an empty 'do' block/);
    expect(w.warnings[1]).toMatch(/neither 'then' nor 'else'/);
    expect(w.warnings[2]).toMatch(/empty 'steps' block/);
  });

  it('takes YAML booleans typed as conditions at their word (condition: True)', () => {
    const w = parseWorkflow('steps:\n  - flux: while\n    condition: True\n    do: [a]\n');
    expect(outline(w.steps)).toEqual([{ while: 'True', do: ['a'] }]);
    const o = parseWorkflow({ steps: [{ flux: 'while', condition: false, do: ['a'] }] });
    expect(outline(o.steps)).toEqual([{ while: 'false', do: ['a'] }]);
  });

  it('freezes step args and copies them away from the caller', () => {
    const args = { nested: { n: 1 } };
    const w = parseWorkflow({ steps: [{ process: 'p', args }] });
    const step = w.steps[0];
    expect(step?.kind === 'process' && step.args).toEqual({ nested: { n: 1 } });
    expect(step?.kind === 'process' && Object.isFrozen(step.args) && Object.isFrozen(step.args?.nested)).toBe(true);
    expect(Object.isFrozen(args)).toBe(false);
  });

  it('returns an already parsed workflow unchanged (parse once, run many)', () => {
    const w = parseWorkflow(ORIGINAL_EXAMPLE);
    expect(parseWorkflow(w)).toBe(w);
    expect(Object.isFrozen(w)).toBe(true);
    // a look-alike object is not trusted: it is validated like any definition
    expect(() => parseWorkflow({ ...w })).toThrow(WorkflowSyntaxError);
  });

  it('supports YAML anchors and aliases for reused blocks', () => {
    const w = parseWorkflow('steps:\n  - flux: run\n    steps: &common [a, b]\n  - flux: run\n    steps: *common\n');
    expect(outline(w.steps)).toEqual([{ run: ['a', 'b'] }, { run: ['a', 'b'] }]);
  });
});

describe('parseWorkflow: errors with exact positions', () => {
  it.each([
    ['steps:\n  - process: 42\n', 2, 14, /'process' must be a process name \(a string\), got number 42/],
    ['steps:\n  - process: ""\n', 2, 14, /a process name cannot be empty/],
    ['steps:\n  - flux: 3\n', 2, 11, /'flux' must be a string/],
    ['steps:\n  - flux: while\n    do: [a]\n', 2, 5, /'flux: while' requires a 'condition'/],
    ['steps:\n  - flux: while\n    condition: 5\n    do: [a]\n', 3, 16, /'condition' must be a string expression/],
    ['steps:\n  - flux: while\n    condition: x\n    do: [a]\n', 3, 16, /unknown name 'x'/],
    ['steps:\n  - flux: while\n    condition: "True"\n', 2, 5, /'flux: while' requires a 'do' block/],
    ['steps:\n  - flux: while\n    condition: "True"\n    do: a\n', 4, 9, /'do' must be a list of steps/],
    ['steps:\n  - flux: if\n    then: [a]\n', 2, 5, /'flux: if' requires a 'condition'/],
    ['steps:\n  - flux: run\n', 2, 5, /'flux: run' requires a 'steps' block/],
    ['steps:\n  - flux: foreach\n', 2, 11, /unknown flux type 'foreach'/],
    ['steps:\n  - flux: process\n', 2, 11, /unknown flux type 'process'/],
    ['steps:\n  - foo: bar\n', 2, 5, /unknown step format: a mapping step needs 'process' or 'flux' \(keys found: 'foo'\)/],
    ['steps:\n  - 42\n', 2, 5, /invalid step: expected a process name or a mapping/],
    ['steps:\n  - [a, b]\n', 2, 5, /invalid step/],
    ['steps:\n  - process: a\n    retries: 3\n', 3, 5, /unknown key 'retries' in a process step; allowed keys: process, args/],
    ['steps:\n  - flux: while\n    condition: "True"\n    do: [a]\n    else: [b]\n', 5, 5, /unknown key 'else' in a 'flux: while' step/],
    ['steps:\n  - process: a\n    flux: run\n', 3, 5, /both 'process' and 'flux'/],
    ['steps:\n  - process: a\n    args: [1]\n', 3, 11, /'args' must be a mapping/],
    ['steps:\n  - process: a\n    args:\n      __proto__: 1\n', 4, 7, /argument name '__proto__' is refused/],
    ['stepz: []\n', 1, 1, /unknown key 'stepz' at the top of a workflow; allowed keys: steps, name, description, version/],
    ['steps: a\n', 1, 8, /'steps' must be a list of steps/],
    ['- a\n- b\n', 1, 1, /a workflow must be a mapping with a 'steps' list, got a list/],
    ['nodes:\n  start: A\n', 1, 1, /legacy 'nodes' graphs/],
    ['states:\n  IDLE: {}\n', 1, 1, /it is a state machine/],
    ['name: [1]\nsteps: []\n', 1, 7, /'name' must be a string/],
    ['steps:\n  - a\n  b: [\n', 3, 1, /invalid YAML/],
    ['steps: [a, b\n', 2, 1, /invalid YAML/],
    ['steps:\n  - a\nsteps:\n  - b\n', 3, 1, /invalid YAML: Map keys must be unique/],
    ['', 1, 1, /a workflow must be a mapping/],
  ])('%j → %i:%i', (yaml, line, column, message) => {
    const error = syntaxErrorOf(yaml);
    expect(error.code).toBe('WORKFLOW_SYNTAX');
    expect([error.file, error.line, error.column]).toEqual(['<inline>', line, column]);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`<inline>:${line}:${column}: `)).toBe(true);
  });

  it.each([
    // [yaml line with the condition, expected column of the unknown name `nope`]
    ['    condition: domain.a and nope', 29],
    ['    condition: "domain.a and nope"', 30],
    ["    condition: 'domain.a and nope'", 30],
  ])('a condition error points into the YAML line: %s', (line, column) => {
    const error = syntaxErrorOf(`steps:\n  - flux: if\n${line}\n    then: [a]\n`);
    expect([error.line, error.column]).toEqual([3, column]);
    expect(error.message).toMatch(/unknown name 'nope'/);
  });

  it('maps block-literal conditions line by line', () => {
    const error = syntaxErrorOf('steps:\n  - flux: if\n    condition: |\n      domain.a and\n        nope\n    then: [a]\n');
    expect([error.line, error.column]).toEqual([5, 9]);
  });

  it('falls back to the scalar position for escaped or folded conditions, with the local position in the message', () => {
    const error = syntaxErrorOf('steps:\n  - flux: if\n    condition: "domain.a \\x41nd nope"\n    then: [a]\n');
    expect([error.line, error.column]).toEqual([3, 16]);
    expect(error.message).toMatch(/condition line 1, column 10/);
  });

  it('object definitions report the path instead of a line', () => {
    const error = syntaxErrorOf({ steps: ['a', { flux: 'while', do: [] }] });
    expect(error.file).toBe('<object>');
    expect(error.line).toBe(0);
    expect(error.message).toMatch(/steps\[1\]: 'flux: while' requires a 'condition'/);
    const cond = syntaxErrorOf({ steps: [{ flux: 'if', condition: 'domain.a and nope' }] });
    expect(cond.file).toBe('<object> steps[0].condition');
    expect([cond.line, cond.column]).toEqual([1, 14]);
  });

  it('object definitions with non-data values are refused', () => {
    expect(syntaxErrorOf({ steps: [() => 1] }).message).toMatch(/invalid step: .*a function/);
    expect(syntaxErrorOf({ steps: [{ process: 'p', args: { f: () => 1 } }] }).message).toMatch(/'args' must be plain data/);
    const cyclic: Record<string, unknown> = { flux: 'run' };
    cyclic.steps = [cyclic];
    expect(syntaxErrorOf({ steps: [cyclic] }).message).toMatch(/nests deeper than 64 levels/);
  });

  it('refuses absurd inputs at the entry point with a typed error', () => {
    for (const bad of [null, undefined, 42, true, ['steps']]) {
      expect(() => parseWorkflow(bad)).toThrow(TheusError);
      try {
        parseWorkflow(bad);
      } catch (error) {
        expect((error as TheusError).code).toBe('INVALID_ARGUMENT');
      }
    }
  });

  it('refuses a recursive alias instead of looping', () => {
    const error = syntaxErrorOf('steps: &s\n  - flux: run\n    steps: *s\n');
    expect(error.message).toMatch(/nest|alias/);
  });
});

describe('parseWorkflow: files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'theus-flux-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a .yaml path and reports errors against that file', async () => {
    const good = join(dir, 'good.yaml');
    await writeFile(good, ORIGINAL_EXAMPLE);
    expect(parseWorkflow(good).file).toBe(good);
    const bad = join(dir, 'bad.yml');
    await writeFile(bad, 'steps:\n  - flux: if\n    condition: "domain.x >"\n');
    const error = syntaxErrorOf(bad);
    expect([error.file, error.line, error.column]).toEqual([bad, 3, 27]);
    expect(error.message.startsWith(`${bad}:3:27: `)).toBe(true);
  });

  it('a missing file is an INVALID_ARGUMENT naming the path', () => {
    const missing = join(dir, 'missing.yaml');
    expect(() => parseWorkflow(missing)).toThrow(new RegExp(`workflow file not found: ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });
});
