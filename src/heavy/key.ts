import { invalidArgument } from '../errors.js';
import { describe } from './describe.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_KEY_LENGTH = 256;
// A heavy key becomes one segment of a context path (`heavy.<key>`), so characters that a path
// parser treats as structure (dots, brackets, wildcards) or that are invisible are refused.
const STRUCTURAL_CHARACTERS = /[.[\]*\s\p{Cc}]/u;

/** Validates a heavy-zone key and returns it; throws `INVALID_ARGUMENT` naming `argument` otherwise. */
export function validateHeavyKey(key: unknown, argument = 'key'): string {
  if (typeof key !== 'string') {
    throw invalidArgument(`${argument} must be a string; got ${describe(key)}`, argument);
  }
  if (key.length === 0) {
    throw invalidArgument(`${argument} must not be empty`, argument);
  }
  if (key.length > MAX_KEY_LENGTH) {
    throw invalidArgument(`${argument} is ${key.length} characters long; at most ${MAX_KEY_LENGTH} are allowed`, argument);
  }
  if (FORBIDDEN_KEYS.has(key)) {
    throw invalidArgument(`${argument} ${JSON.stringify(key)} is reserved (it would reach Object.prototype); choose another name`, argument);
  }
  if (STRUCTURAL_CHARACTERS.test(key)) {
    throw invalidArgument(
      `${argument} ${describe(key)} contains a dot, bracket, '*', whitespace or control character; heavy keys are single path segments`,
      argument,
    );
  }
  return key;
}
