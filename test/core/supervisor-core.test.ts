import { describe, expect, it } from 'vitest';
import { SupervisorCore } from '../../src/core/index.js';
import { theusError } from './support.js';

describe('SupervisorCore', () => {
  it('read returns the very object written (identity, no copy)', () => {
    const core = new SupervisorCore();
    const obj = { nested: { list: [1] } };
    core.write('k', obj);
    expect(core.read('k')).toBe(obj);
    (core.read<typeof obj>('k')!).nested.list.push(2);
    expect(obj.nested.list).toEqual([1, 2]);
    expect(Object.isFrozen(obj)).toBe(false);
  });

  it('a new key starts at version 0 and each overwrite adds 1', () => {
    const core = new SupervisorCore();
    expect(core.write('a', 1)).toBe(0);
    expect(core.getVersion('a')).toBe(0);
    expect(core.write('a', 2)).toBe(1);
    expect(core.write('a', 2)).toBe(2);
    expect(core.getVersion('a')).toBe(2);
    expect(core.write('b', null)).toBe(0);
    expect(core.getVersion('a')).toBe(2);
    expect(core.read('a')).toBe(2);
  });

  it('keys, has, size, and remove', () => {
    const core = new SupervisorCore();
    core.write('x', 1);
    core.write('y', undefined);
    expect(core.keys()).toEqual(['x', 'y']);
    expect(core.has('y')).toBe(true);
    expect(core.read('y')).toBeUndefined();
    expect(core.size).toBe(2);
    expect(core.remove('x')).toBe(true);
    expect(core.remove('x')).toBe(false);
    expect(core.has('x')).toBe(false);
    expect(core.getVersion('x')).toBeUndefined();
    expect(core.read('x')).toBeUndefined();
    expect(core.keys()).toEqual(['y']);
    // a removed key starts over at version 0
    expect(core.write('x', 3)).toBe(0);
  });

  it('unknown keys read as undefined', () => {
    const core = new SupervisorCore();
    expect(core.read('missing')).toBeUndefined();
    expect(core.getVersion('missing')).toBeUndefined();
    expect(core.has('missing')).toBe(false);
  });

  it('refuses empty, non-string and hostile keys, leaving the store unchanged', () => {
    const core = new SupervisorCore();
    core.write('ok', 1);
    for (const bad of ['', 1, null, undefined, {}, Symbol('s')]) {
      theusError(() => core.write(bad as any, 1), 'INVALID_ARGUMENT');
      theusError(() => core.read(bad as any), 'INVALID_ARGUMENT');
    }
    for (const hostile of ['__proto__', 'constructor', 'prototype']) {
      theusError(() => core.write(hostile, { polluted: 1 }), 'INVALID_PATH', hostile);
      theusError(() => core.has(hostile), 'INVALID_PATH');
      theusError(() => core.getVersion(hostile), 'INVALID_PATH');
      theusError(() => core.remove(hostile), 'INVALID_PATH');
    }
    expect(core.keys()).toEqual(['ok']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('has no enumerable internals to reach the heap through', () => {
    const core = new SupervisorCore();
    core.write('k', { secret: 1 });
    expect(Object.keys(core)).toEqual([]);
    expect(JSON.stringify(core)).toBe('{}');
  });
});
