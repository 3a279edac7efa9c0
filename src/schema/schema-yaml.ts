import { TheusError, invalidArgument } from '../errors.js';
import { JSON_SCHEMA_TYPES, type JsonSchemaLike, type JsonSchemaType } from './json-schema.js';
import { setOwn } from './describe-schema.js';
import { formatLocation } from '../source/location.js';
import { parsePositionedYaml, yamlLibrary } from '../source/positioned-yaml.js';

const HOSTILE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 64;

/** Renders a schema as YAML (the file `theus schema gen` writes), with an optional comment header. */
export function schemaToYaml(schema: JsonSchemaLike, options: { header?: string } = {}): string {
  checkSchema(schema, 'schema', 0);
  const header = options.header === undefined ? '' : `${options.header.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n')}\n`;
  return header + yamlLibrary().stringify(schema, { aliasDuplicateObjects: false });
}

/**
 * Reads a schema YAML file's text: JSON Schema keywords (what {@link schemaToYaml} writes), or the original's
 * `context:` format (`context: { domain: { user: { type: string, default: x, required: true } } }` with types
 * string, integer, float, boolean, list, dict), which is converted. Errors carry the line and column.
 */
export function schemaFromYaml(text: string, options: { file?: string } = {}): JsonSchemaLike {
  if (typeof text !== 'string') throw invalidArgument('schemaFromYaml expects YAML text.');
  const parsed = parsePositionedYaml(text);
  const where = (at: { line: number; column: number } | undefined): string => formatLocation({ file: options.file, line: at?.line ?? 1, column: at?.column ?? 1 });
  if (!parsed.ok) throw invalidArgument(`${where(parsed.problem.at)}: invalid schema YAML: ${parsed.problem.message}`);
  let value: unknown;
  try {
    value = parsed.root === null ? null : parsed.root.toJS();
  } catch (error) {
    throw new TheusError('INVALID_ARGUMENT', `${where(undefined)}: ${(error as Error).message}`, { cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidArgument(`${where(parsed.root?.at)}: a schema file must contain a mapping.`);
  const record = value as Record<string, unknown>;
  const schema = Object.hasOwn(record, 'context') && Object.keys(record).length === 1 ? fromContextFormat(record.context) : (record as JsonSchemaLike);
  checkSchema(schema, 'schema', 0);
  return schema;
}

const LEGACY_TYPES: Readonly<Record<string, JsonSchemaType>> = { string: 'string', str: 'string', integer: 'integer', int: 'integer', float: 'number', number: 'number', boolean: 'boolean', bool: 'boolean', list: 'array', dict: 'object' };

function fromContextFormat(context: unknown): JsonSchemaLike {
  if (context === null || typeof context !== 'object' || Array.isArray(context)) throw invalidArgument("schema YAML: 'context' must map sections (global, domain, namespaces) to fields.");
  const properties: Record<string, JsonSchemaLike> = {};
  for (const [section, fields] of Object.entries(context as Record<string, unknown>)) {
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw invalidArgument(`schema YAML: context.${section} must map field names to { type, default?, required? }.`);
    const sectionProps: Record<string, JsonSchemaLike> = {};
    const required: string[] = [];
    for (const [name, spec] of Object.entries(fields as Record<string, unknown>)) {
      const at = `context.${section}.${name}`;
      if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw invalidArgument(`schema YAML: ${at} must be a mapping { type, default?, required? }.`);
      const { type = 'string', default: fallback, required: isRequired = true, ...unknown } = spec as Record<string, unknown>;
      const extra = Object.keys(unknown)[0];
      if (extra !== undefined) throw invalidArgument(`schema YAML: unknown key '${extra}' in ${at} (allowed: type, default, required).`);
      if (typeof type !== 'string' || !Object.hasOwn(LEGACY_TYPES, type)) throw invalidArgument(`schema YAML: ${at}.type must be one of ${Object.keys(LEGACY_TYPES).join(', ')}.`);
      if (typeof isRequired !== 'boolean') throw invalidArgument(`schema YAML: ${at}.required must be true or false.`);
      setOwn(sectionProps, name, fallback === undefined ? { type: LEGACY_TYPES[type] as JsonSchemaType } : { type: LEGACY_TYPES[type] as JsonSchemaType, default: fallback });
      if (isRequired) required.push(name);
    }
    setOwn(properties, section, required.length > 0 ? { type: 'object', properties: sectionProps, required } : { type: 'object', properties: sectionProps });
  }
  return { type: 'object', properties, required: Object.keys(properties) };
}

/** Structural check of the keywords we interpret, so generators never meet a malformed or hostile schema. */
export function checkSchema(schema: unknown, at: string, depth: number): asserts schema is JsonSchemaLike | boolean {
  if (typeof schema === 'boolean') return;
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw invalidArgument(`${at} must be a schema object or a boolean.`, at);
  if (depth > MAX_DEPTH) throw invalidArgument(`${at}: the schema nests deeper than ${MAX_DEPTH} levels.`, at);
  const s = schema as JsonSchemaLike;
  if (Object.hasOwn(s, '__proto__')) throw invalidArgument(`${at}: '__proto__' is not allowed as a keyword.`, at);
  for (const type of s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type]) {
    if (typeof type !== 'string' || !JSON_SCHEMA_TYPES.has(type)) throw invalidArgument(`${at}.type: '${String(type)}' is not a JSON Schema type (${[...JSON_SCHEMA_TYPES].join(', ')}).`, at);
  }
  if (s.properties !== undefined) {
    if (s.properties === null || typeof s.properties !== 'object' || Array.isArray(s.properties)) throw invalidArgument(`${at}.properties must be a mapping.`, at);
    for (const key of Object.keys(s.properties)) {
      if (HOSTILE_KEYS.has(key)) throw invalidArgument(`${at}.properties: '${key}' is not allowed as a property name.`, at);
      checkSchema(s.properties[key], `${at}.properties.${key}`, depth + 1);
    }
  }
  if (s.required !== undefined && (!Array.isArray(s.required) || s.required.some((k) => typeof k !== 'string'))) throw invalidArgument(`${at}.required must be a list of property names.`, at);
  if (s.items !== undefined) checkSchema(s.items, `${at}.items`, depth + 1);
  if (s.additionalProperties !== undefined) checkSchema(s.additionalProperties, `${at}.additionalProperties`, depth + 1);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = s[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw invalidArgument(`${at}.${key} must be a list of schemas.`, at);
    list.forEach((option, i) => checkSchema(option, `${at}.${key}[${i}]`, depth + 1));
  }
  if (s.enum !== undefined && !Array.isArray(s.enum)) throw invalidArgument(`${at}.enum must be a list.`, at);
  if (s.description !== undefined && typeof s.description !== 'string') throw invalidArgument(`${at}.description must be a string.`, at);
}
