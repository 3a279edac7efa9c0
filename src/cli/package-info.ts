import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * The version in theus's own package.json. This file sits two levels below the package root both as source
 * (`src/cli/`) and compiled (`dist/cli/`), so one relative URL serves tests and the installed binary.
 */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    cached = typeof manifest.version === 'string' ? manifest.version : '0.0.0-unknown';
  } catch {
    // A damaged install should still answer --version and load the ESLint plugin rather than crash.
    cached = '0.0.0-unknown';
  }
  return cached;
}
