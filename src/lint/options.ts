import { invalidArgument } from '../errors.js';
import type { LintOptions } from './types.js';

export function validateOptions(options: LintOptions | undefined): LintOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw invalidArgument('Lint options must be an object such as { namespaces: [\'orders\'] }.');
  const namespaces = options.namespaces;
  if (namespaces !== undefined) {
    if (!Array.isArray(namespaces)) throw invalidArgument('options.namespaces must be an array of namespace names.');
    for (const name of namespaces) {
      if (typeof name !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(name) || ['__proto__', 'constructor', 'prototype'].includes(name)) {
        throw invalidArgument(`options.namespaces contains ${JSON.stringify(name)}, which is not a valid namespace name (use an identifier such as 'orders').`);
      }
    }
  }
  return options;
}
