import { TheusError } from '../errors.js';

export type Linter = typeof import('./linter.js');

/** The message users see when the optional peer dependency is absent. */
export const TYPESCRIPT_MISSING =
  "The POP linter needs the 'typescript' package (an optional peer dependency of theus), which is not installed. Run: npm install -D typescript";

/**
 * True for the error Node raises when `typescript` itself cannot be resolved (not for a broken module inside it),
 * also when a loader or bundler wrapped it (looked up a few levels of `cause`).
 */
export function isMissingTypeScript(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && typeof message === 'string' && /['"]typescript['"]/.test(message)) return true;
    current = cause;
  }
  return false;
}

/**
 * Why the installed `typescript` cannot serve the linter, or undefined when it can. TypeScript 7
 * (the native compiler) installs as `typescript` too, but its package offers no compiler API: the
 * linter would otherwise fail on its first parse with a bare TypeError.
 */
export function typescriptApiProblem(imported: unknown): string | undefined {
  const api = (imported as { default?: unknown } | null)?.default ?? imported;
  if (typeof (api as { createSourceFile?: unknown } | null)?.createSourceFile === 'function') return undefined;
  const version = (api as { version?: unknown } | null)?.version;
  return (
    `The POP linter needs TypeScript's compiler API, from the 'typescript' package 5.x. The installed 'typescript' (${typeof version === 'string' ? version : 'unknown version'}) ` +
    'has none: TypeScript 7, the native compiler, does not offer it. Run: npm install -D typescript@5'
  );
}

let loading: Promise<Linter> | undefined;

/**
 * Loads the linter, and with it TypeScript's parser (about 9 MB of JavaScript), on first use: `import 'theus'` and
 * every CLI command other than `check` and `audit gen-spec` work without `typescript` installed.
 */
export function loadLinter(): Promise<Linter> {
  loading ??= import('typescript')
    .then((ts) => {
      const problem = typescriptApiProblem(ts);
      if (problem !== undefined) throw new TheusError('MISSING_DEPENDENCY', problem);
      return import('./linter.js');
    })
    .catch((error: unknown) => {
      loading = undefined;
      if (isMissingTypeScript(error)) throw new TheusError('MISSING_DEPENDENCY', TYPESCRIPT_MISSING, { cause: error });
      throw error;
    });
  return loading;
}
