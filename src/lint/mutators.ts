import type { Operation } from './zones.js';

/**
 * Methods that change their receiver in place (arrays, Map, Set), with the capability each needs. Maps rather than
 * object literals throughout: a method called `toString` must not find Object.prototype's.
 */
export const MUTATING_METHODS: ReadonlyMap<string, Operation> = new Map<string, Operation>([
  ['push', 'append'],
  ['unshift', 'append'],
  ['add', 'append'],
  ['pop', 'delete'],
  ['shift', 'delete'],
  ['splice', 'delete'],
  ['delete', 'delete'],
  ['clear', 'delete'],
  ['sort', 'update'],
  ['reverse', 'update'],
  ['fill', 'update'],
  ['copyWithin', 'update'],
  ['set', 'update'],
]);

/** `Object.assign(target, …)`-style calls that mutate their first argument. */
export const STATIC_MUTATORS: ReadonlyMap<string, Operation> = new Map<string, Operation>([
  ['Object.assign', 'update'],
  ['Object.defineProperty', 'update'],
  ['Object.defineProperties', 'update'],
  ['Object.setPrototypeOf', 'update'],
  ['Reflect.set', 'update'],
  ['Reflect.defineProperty', 'update'],
  ['Reflect.deleteProperty', 'delete'],
  ['Reflect.setPrototypeOf', 'update'],
]);

/** Array methods whose callback's first parameter is an element of the receiver. */
export const ELEMENT_CALLBACK_METHODS = new Set(['forEach', 'map', 'filter', 'find', 'findLast', 'findIndex', 'findLastIndex', 'some', 'every', 'flatMap']);

/** Methods that register a callback to be called later, by someone else. */
export const LISTENER_METHODS = new Set(['on', 'once', 'addListener', 'addEventListener', 'prependListener', 'prependOnceListener', 'subscribe']);
