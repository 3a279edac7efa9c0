import { isHostileKey } from '../contracts/grammar.js';

/** The longest process name `register()` accepts. */
const MAX_NAME_LENGTH = 200;

/** Why `register()` would refuse this process name, or undefined when it is usable. */
export function processNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'is empty';
  if (name.length > MAX_NAME_LENGTH) return `is longer than ${MAX_NAME_LENGTH} characters`;
  if (isHostileKey(name)) return 'would reach the prototype chain (__proto__, constructor and prototype are refused)';
  if (/[\s\0]/.test(name)) return 'contains whitespace';
  return undefined;
}
