import type { Draft } from '../draft.js';
import { inheritedMember } from '../safe-members.js';
import { WideBuilder, WideRecord } from '../wide.js';
import { DRAFT_TO_JSON, hostile } from './shared.js';

/**
 * Wide-record drafts: objects with more than WIDE_MIN_KEYS keys, held in a persistent trie. The
 * draft looks like a plain object; a write updates a transient builder, never the base record.
 */

type Src = WideRecord | WideBuilder;

export function wideGet(d: Draft, prop: PropertyKey, receiver: unknown): unknown {
  if (typeof prop === 'symbol') return inheritedMember(Object.prototype, prop, receiver);
  const key = prop as string;
  if (key === '__proto__' || key === 'prototype') throw hostile(key, d.path());
  const child = d.childAt(key);
  if (child) {
    if (d.scope.trackReads) d.notePresence(key);
    return child.proxy;
  }
  const src = d.current as Src;
  const leaf = src.leaf(key);
  if (leaf === undefined) {
    if (key === 'toJSON' || key === 'toDict') return DRAFT_TO_JSON;
    if (d.scope.trackReads) d.notePresence(key);
    return inheritedMember(Object.prototype, key, receiver);
  }
  if (!d.canRead(key)) return undefined;
  const v = leaf.v;
  // The children were looked up above: an object value needs a new child draft.
  return typeof v === 'object' && v !== null ? d.newChild(key, v) : d.childFor(key, v);
}

export function wideSet(d: Draft, key: string, value: unknown): boolean {
  const src = d.current as Src;
  const leaf = src.leaf(key);
  d.checkWrite(key, leaf !== undefined ? 'update' : 'add');
  const v = d.incoming(key, value);
  if (leaf !== undefined && d.keeps(key, leaf.v, v)) return true;
  d.markChanged();
  d.dropChild(key);
  (d.copy as WideBuilder).set(key, v);
  d.touchKey(key);
  return true;
}

export function wideDelete(d: Draft, key: string): boolean {
  if (!(d.current as Src).has(key)) return true;
  d.checkWrite(key, 'delete');
  d.markChanged();
  (d.copy as WideBuilder).delete(key);
  d.touchKey(key);
  d.dropChild(key);
  return true;
}

/** Like a plain object (and the committed wide view): inherited names such as 'toString' are `in` it. */
export function wideHas(d: Draft, key: PropertyKey): boolean {
  return (typeof key === 'string' && (d.current as Src).has(key)) || key in Object.prototype;
}

export function wideKeys(d: Draft): readonly string[] {
  const src = d.current as Src;
  return src instanceof WideRecord ? src.keys() : src.build().keys();
}

export function wideDescriptor(d: Draft, target: object, key: PropertyKey): PropertyDescriptor | undefined {
  if (typeof key !== 'string' || !(d.current as Src).has(key)) return undefined;
  return { value: d.get(target, key, d.proxy), writable: true, enumerable: true, configurable: true };
}
