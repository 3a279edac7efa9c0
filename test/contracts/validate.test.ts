import { describe, expect, it } from 'vitest';
import { ContractViolationError, TheusEngine, process, type ContractSpec } from '../../src/index.js';
import { validateContract, BUILTIN_ROOTS } from '../../src/contracts/validate.js';
import { expectCode, thrown, throwsCode } from '../engine/helpers.js';

const noop = () => undefined;
const ROOTS = new Set<string>([...BUILTIN_ROOTS, 'analytics']);

function define(spec: Record<string, unknown>) {
  return process({ name: 'p', ...spec } as ContractSpec, noop);
}

/** Registers on a fresh engine, asserting a ContractViolationError; returns it. */
function refused(spec: Record<string, unknown>): ContractViolationError {
  const engine = new TheusEngine({ domain: {} });
  const err = throwsCode(() => engine.register(define(spec)), 'CONTRACT_VIOLATION', ContractViolationError);
  expect(engine.processes()).toEqual([]);
  return err;
}

describe('contract validation at register', () => {
  const badPaths: [string, unknown, string | undefined][] = [
    ['unknown root', 'dom.x', 'dom.x'],
    ['unknown root (arbitrary top-level key)', 'last_echo', 'last_echo'],
    ['empty path', '', ''],
    ['empty segment', 'domain..x', 'domain..x'],
    ['trailing dot', 'domain.x.', 'domain.x.'],
    ['__proto__ segment', 'domain.__proto__.x', 'domain.__proto__.x'],
    ['constructor segment', 'domain.constructor', 'domain.constructor'],
    ['prototype segment', 'domain.a.prototype', 'domain.a.prototype'],
    ['whitespace in a segment', 'domain.a b', 'domain.a b'],
    ['quoted bracket', "domain['x']", "domain['x']"],
    ['wildcard glued to a name', 'domain.acc*', 'domain.acc*'],
    ['a number instead of a string', 42, undefined],
    ['null', null, undefined],
  ];
  for (const [label, path, named] of badPaths) {
    it.each(['inputs', 'outputs'])(`refuses ${label} in %s`, (key) => {
      const err = refused({ [key]: [path] });
      if (named !== undefined) {
        expect(err.path).toBe(named);
        if (named.length > 0) expect(err.message).toContain(named);
      }
    });
  }

  it('refuses a path longer than 1024 characters and a list of more than 1000 paths', () => {
    refused({ inputs: [`domain.${'a'.repeat(1100)}`] });
    refused({ inputs: Array.from({ length: 1001 }, (_, i) => `domain.k${i}`) });
  });

  it('refuses inputs/outputs that are not arrays', () => {
    refused({ inputs: 'domain.x' });
    refused({ outputs: { 0: 'domain.x' } });
  });

  it('refuses an unknown contract key, naming it', () => {
    const err = refused({ input: ['domain.x'] });
    expect(err.message).toContain("'input'");
    refused({ parallell: true });
  });

  it('refuses a bad semantic, errors, sideEffects and parallel', () => {
    refused({ semantic: 'impure' });
    refused({ semantic: 'PURE' });
    refused({ errors: 'RangeError' });
    refused({ errors: [1] });
    refused({ sideEffects: [null] });
    refused({ parallel: 'yes' });
  });

  it('refuses a duplicate name and keeps the first registration', () => {
    const engine = new TheusEngine({ domain: {} });
    const a = process({ name: 'dup', outputs: ['domain.a'] }, noop);
    const b = process({ name: 'dup', outputs: ['domain.b'] }, noop);
    engine.register(a);
    const err = throwsCode(() => engine.register(b), 'CONTRACT_VIOLATION', ContractViolationError);
    expect(err.message).toContain('dup');
    expect(engine.contractOf('dup')!.outputs.map((o) => o.text)).toEqual(['domain.a']);
    // The very same definition twice is a duplicate too.
    throwsCode(() => engine.register(a), 'CONTRACT_VIOLATION');
  });

  it('refuses an empty, hostile or whitespace process name', () => {
    for (const name of ['', '__proto__', 'constructor', 'has space', 'nul\0', 'x'.repeat(201)]) {
      const engine = new TheusEngine({ domain: {} });
      throwsCode(() => engine.register(process({ name }, noop)), 'CONTRACT_VIOLATION');
    }
  });

  it('pure: refuses signal/meta inputs and signal/meta/heavy outputs, naming the path', () => {
    for (const input of ['signal.ping', 'signal', 'meta.cfg', 'domain.sig_x', 'domain.cmd_go', 'domain.meta_cfg']) {
      expect(refused({ semantic: 'pure', inputs: [input] }).path).toBe(input);
    }
    for (const output of ['signal.ping', 'meta.cfg', 'heavy.m', 'domain.heavy_img', 'domain.meta_x']) {
      expect(refused({ semantic: 'pure', outputs: [output] }).path).toBe(output);
    }
  });

  it('refuses const_ outputs for every semantic, naming the path', () => {
    for (const semantic of ['effect', 'guide', 'pure']) {
      expect(refused({ semantic, outputs: ['domain.const_k'] }).path).toBe('domain.const_k');
      expect(refused({ semantic, outputs: ['global.cfg.const_limit.x'] }).path).toBe('global.cfg.const_limit.x');
    }
  });

  it('accepts the valid forms: bare roots, nested paths, wildcards, brackets, every root', () => {
    const engine = new TheusEngine({ domain: {} });
    engine.register(
      process(
        {
          name: 'ok',
          inputs: ['domain', 'global.cfg', 'heavy.m', 'domain.accounts.*', 'domain.items[0]', 'domain.items[*].x', 'domain.const_k'],
          outputs: ['domain.a.b.c', 'signal.ping', 'meta.cfg', 'heavy.img', 'domain.log_x'],
          semantic: 'effect',
          errors: ['RangeError'],
          sideEffects: ['http'],
          parallel: false,
        },
        noop,
      ),
    );
    const c = engine.contractOf('ok')!;
    expect(c.inputs.map((p) => p.segments)).toContainEqual(['domain', 'items', '0']);
    expect(c.inputs.map((p) => p.segments)).toContainEqual(['domain', 'items', '*', 'x']);
    expect(c.semantic).toBe('effect');
    expect(c.errors).toEqual(['RangeError']);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('defaults: semantic effect, empty lists, not parallel; duplicate paths collapse', () => {
    const c = validateContract(process({ name: 'd', inputs: ['domain.a', 'domain.a'] }, noop), ROOTS);
    expect(c).toMatchObject({ name: 'd', semantic: 'effect', outputs: [], errors: [], sideEffects: [], parallel: false });
    expect(c.inputs).toHaveLength(1);
  });

  it('accepts namespace roots only on an engine that configures them', () => {
    const spec = { name: 'ns', inputs: ['analytics.hits'], outputs: ['analytics.hits'] };
    refused(spec);
    const engine = new TheusEngine({}, { namespaces: { analytics: { initial: { hits: 0 } } } });
    engine.register(process(spec, noop));
    expect(engine.processes()).toEqual(['ns']);
  });

  it('register refuses anything that is not a process (INVALID_ARGUMENT)', () => {
    const engine = new TheusEngine();
    for (const bad of [() => 1, {}, null, undefined, 'transfer', 42]) {
      throwsCode(() => engine.register(bad as never), 'INVALID_ARGUMENT');
    }
    // A function that merely copies the brand-less shape of a process is not one.
    const fake = Object.assign(() => 1, { processName: 'fake', spec: {}, fn: () => 1 });
    throwsCode(() => engine.register(fake as never), 'INVALID_ARGUMENT');
  });

  it('the contract is copied at definition: mutating the spec object later changes nothing', () => {
    const spec = { name: 'frozen', outputs: ['domain.a'] as string[] };
    const def = process(spec, noop);
    spec.outputs.push('domain.b');
    (spec as { name: string }).name = 'renamed';
    expect(def.processName).toBe('frozen');
    expect(def.spec.outputs).toEqual(['domain.a']);
    const engine = new TheusEngine({ domain: {} }).register(def);
    expect(engine.contractOf('frozen')!.outputs.map((o) => o.text)).toEqual(['domain.a']);
    expect(Object.isFrozen(def.spec)).toBe(true);
    expect(thrown(() => ((def.spec as { name: string }).name = 'x'))).toBeInstanceOf(TypeError);
  });
});

describe('errors thrown at contract validation', () => {
  it('are ContractViolationErrors with code CONTRACT_VIOLATION and say what to change', () => {
    const err = expectCode(thrown(() => validateContract(define({ outputs: ['nowhere.x'] }), ROOTS)), 'CONTRACT_VIOLATION', ContractViolationError);
    expect(err.message).toMatch(/unknown root 'nowhere'/);
    expect(err.message).toContain('domain');
  });
});
