import { pathToFileURL } from 'node:url';
import { TheusError } from '../../errors.js';
import { DEFAULT_SCHEMA_ROOTS, composeStandardSchemas, describeSchema, isStandardSchema, schemaFromStandard, type JsonSchemaLike, type SchemaMap } from '../../schema/index.js';
import { CliUsageError } from '../errors.js';
import { readInputFile, resolvePath, pathKind } from '../files.js';
import { parseJson } from '../json.js';

const MODULE_EXTENSIONS = /\.(mjs|js|cjs|mts|ts|cts)$/i;
const FORBIDDEN_EXPORTS = new Set(['__proto__', 'constructor', 'prototype']);

/** `file.mjs#export` → the module path and the export name (`default` when there is no `#`). */
export function splitModuleSpec(spec: string): { file: string; exportName: string } {
  const hash = spec.lastIndexOf('#');
  if (hash < 0) return { file: spec, exportName: 'default' };
  const exportName = spec.slice(hash + 1);
  if (!/^[A-Za-z_$][\w$]*$/.test(exportName) || FORBIDDEN_EXPORTS.has(exportName)) {
    throw new CliUsageError(`--from '${spec}': '${exportName}' is not an export name (write module.mjs#exportName).`);
  }
  return { file: spec.slice(0, hash), exportName };
}

function isSchemaMap(value: unknown): value is SchemaMap {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const entries = Object.values(value);
  return entries.length > 0 && entries.every(isStandardSchema);
}

/**
 * What `theus schema gen` describes: an initial-state object (JSON file or module export), a Standard Schema
 * validator that exposes JSON Schema (Zod 4), or an engine `schema` option (pattern → validator).
 */
export function schemaOf(value: unknown, what: string): JsonSchemaLike {
  if (isStandardSchema(value)) {
    const described = schemaFromStandard(value);
    if (described === undefined) {
      throw new TheusError(
        'INVALID_ARGUMENT',
        `${what} is a ${value['~standard'].vendor} validator that does not expose JSON Schema; export the initial state object instead, or a validator from a library that does (Zod 4).`,
      );
    }
    return described;
  }
  // Namespaces are extra roots: accept whatever roots the map's patterns start with.
  if (isSchemaMap(value)) return composeStandardSchemas(value, { roots: [...DEFAULT_SCHEMA_ROOTS, ...Object.keys(value).map((p) => p.split('.')[0] as string)] });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TheusError('INVALID_ARGUMENT', `${what} must be the initial state object (such as { domain: {…}, global: {…} }) or a Standard Schema validator; got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}.`);
  }
  return describeSchema(value);
}

/** Reads `--from`: a `.json` file, or `module#export` imported from the working directory. */
export async function loadSchemaSource(spec: string, cwd: string): Promise<{ schema: JsonSchemaLike; display: string }> {
  if (!spec.includes('#') && !MODULE_EXTENSIONS.test(spec)) {
    const input = await readInputFile(cwd, spec, '--from file');
    return { schema: schemaOf(parseJson(input.text, input.display), input.display), display: input.display };
  }
  const { file, exportName } = splitModuleSpec(spec);
  const resolved = resolvePath(cwd, file);
  if ((await pathKind(resolved.absolute)) !== 'file') throw new CliUsageError(`--from module '${file}' does not exist (looked for ${resolved.absolute}).`, { path: file });
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(resolved.absolute).href)) as Record<string, unknown>;
  } catch (error) {
    const typescript = /\.[cm]?ts$/i.test(file) ? ' (Node.js 20 cannot import TypeScript by itself: point --from at the compiled .js, or run theus under a loader such as tsx)' : '';
    throw new TheusError('INVALID_ARGUMENT', `importing '${resolved.display}' failed: ${(error as Error).message}${typescript}`, { cause: error, path: file });
  }
  if (!Object.hasOwn(namespace, exportName)) {
    const names = Object.keys(namespace);
    throw new CliUsageError(`'${resolved.display}' has no export '${exportName}' (exports: ${names.length === 0 ? 'none' : names.join(', ')}).`, { path: file });
  }
  const display = `${resolved.display}#${exportName}`;
  return { schema: schemaOf(namespace[exportName], display), display };
}
