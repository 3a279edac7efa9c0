// Module hooks for dev-worker.mjs: resolve `./x.js` (or a file: URL to x.js) to x.ts when only the
// TypeScript source exists (NodeNext sources import their siblings by their future `.js` name), and transpile
// `.ts` files to JavaScript. Type-only constructs are erased; no type checking happens here.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
let ts;

function transpile(source, fileName) {
  ts ??= require('typescript');
  // TypeScript 7 (the native compiler) installs as `typescript` with no compiler API.
  if (typeof ts.transpileModule !== 'function') {
    throw new Error(
      `Running the TypeScript task module ${fileName} in a worker needs TypeScript's compiler API, from the 'typescript' package 5.x, to transpile it. ` +
        `The installed 'typescript' (${typeof ts.version === 'string' ? ts.version : 'unknown version'}) has none. Build the module to JavaScript first, or run: npm install -D typescript@5`,
    );
  }
  return ts.transpileModule(source, {
    fileName,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      inlineSourceMap: true,
    },
  }).outputText;
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    // Relative imports between sources, and file: URLs built with new URL('./x.js', import.meta.url)
    // in a .ts file (how a caller names a task module that only exists as x.ts before a build).
    const local = specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('file:');
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && local && specifier.endsWith('.js')) {
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
    throw error;
  }
}

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.endsWith('.ts')) {
    const fileName = fileURLToPath(url);
    const source = await readFile(fileName, 'utf8');
    return { format: 'module', source: transpile(source, fileName), shortCircuit: true };
  }
  return nextLoad(url, context);
}
