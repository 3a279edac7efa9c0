// Builds the inspector page (Preact sources in inspector-page/) into dist/inspect/page/: one
// minified script, one stylesheet, one HTML file. Run by `npm run build`; nothing is built at
// the user's end and nothing is added to the package's runtime dependencies.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Writes index.html, app.js and app.css into `outDir` (default dist/inspect/page). */
export async function buildInspectorPage(outDir = join(root, 'dist', 'inspect', 'page'), { minify = true } = {}) {
  const src = join(root, 'inspector-page');
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(src, 'src', 'main.tsx')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify,
    legalComments: 'none',
    logLevel: 'warning',
    absWorkingDir: root,
  });
  await copyFile(join(src, 'src', 'app.css'), join(outDir, 'app.css'));
  await copyFile(join(src, 'index.html'), join(outDir, 'index.html'));
  return outDir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await buildInspectorPage(process.argv[2] ? resolve(process.argv[2]) : undefined);
  process.stderr.write(`inspector page built in ${out}\n`);
}
