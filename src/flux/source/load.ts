import { readFileSync } from 'node:fs';
import { TheusError, invalidArgument } from '../../errors.js';
import type { SourceNode } from './node.js';
import { sourceFromObject } from './object.js';
import { sourceFromYaml } from './yaml.js';

/** A one-line string naming a `.yaml`, `.yml` or `.json` file is a path; any other string is YAML text. */
export function looksLikePath(text: string): boolean {
  return !text.includes('\n') && /\.(ya?ml|json)$/i.test(text.trim());
}

/**
 * Turns what a user hands to `parseWorkflow`/`orchestrate`/`toMermaid` into a positioned tree:
 * a path (read synchronously, once), YAML text, or a plain object.
 */
export function loadSource(input: unknown, what: string): SourceNode {
  if (typeof input === 'string') {
    if (!looksLikePath(input)) return sourceFromYaml(input);
    const file = input.trim();
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new TheusError('INVALID_ARGUMENT', code === 'ENOENT' ? `${what} file not found: ${file}` : `cannot read ${what} file ${file}: ${(error as Error).message}`, {
        path: file,
        cause: error,
      });
    }
    return sourceFromYaml(text, file);
  }
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) return sourceFromObject(input);
  throw invalidArgument(`A ${what} must be a YAML file path, YAML text or a plain object, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}.`);
}
