import { invalidArgument } from '../errors.js';
import { setOwn } from './describe-schema.js';
import type { JsonSchemaLike } from './json-schema.js';
import { parseSchemaPattern, DEFAULT_SCHEMA_ROOTS } from './schema-pattern.js';
import { isStandardSchema, type StandardSchemaV1 } from './standard-schema.js';
import type { SchemaMap, SchemaGateOptions } from './schema-gate.js';

/**
 * The JSON Schema a Standard Schema validator describes itself with, through the Standard JSON Schema extension
 * (`~standard.jsonSchema`, implemented by Zod 4) or a vendor `toJSONSchema()` method. Undefined when the library
 * exposes neither (Valibot needs its separate `@valibot/to-json-schema` package).
 */
export function schemaFromStandard(validator: StandardSchemaV1, options: { io?: 'input' | 'output' } = {}): JsonSchemaLike | undefined {
  if (!isStandardSchema(validator)) throw invalidArgument('schemaFromStandard expects a Standard Schema v1 validator.');
  const io = options.io ?? 'output';
  const converter = validator['~standard'].jsonSchema;
  const attempts: (() => unknown)[] = [];
  if (converter !== undefined && typeof converter[io] === 'function') {
    attempts.push(() => converter[io]({ target: 'draft-2020-12' }), () => converter[io]({ target: 'draft-07' }));
  }
  const own = (validator as unknown as { toJSONSchema?: unknown }).toJSONSchema;
  if (typeof own === 'function') attempts.push(() => (own as () => unknown).call(validator));
  for (const attempt of attempts) {
    try {
      const schema = attempt();
      if (schema !== null && typeof schema === 'object') {
        const { $schema: _dialect, ...rest } = schema as Record<string, unknown>;
        return rest as JsonSchemaLike;
      }
    } catch {
      // This target or method is unsupported by the library; try the next one.
    }
  }
  return undefined;
}

/**
 * One JSON Schema for the whole context, assembled from the engine's `schema` map: each pattern's validator
 * describes its node (`*` becomes `additionalProperties`), more specific patterns refine what shallower ones said,
 * and validators without a JSON Schema leave their node unconstrained (with a description saying so).
 */
export function composeStandardSchemas(schemas: SchemaMap, options: SchemaGateOptions = {}): JsonSchemaLike {
  if (schemas === null || typeof schemas !== 'object') throw invalidArgument('composeStandardSchemas expects the schema map of the engine option.');
  const roots = new Set(options.roots ?? DEFAULT_SCHEMA_ROOTS);
  const entries = Object.keys(schemas).map((pattern) => ({ pattern, segments: parseSchemaPattern(pattern, roots), validator: schemas[pattern] as StandardSchemaV1 }));
  entries.sort((a, b) => a.segments.length - b.segments.length);
  const root: JsonSchemaLike = { type: 'object', properties: {} };
  for (const { pattern, segments, validator } of entries) {
    if (!isStandardSchema(validator)) throw invalidArgument(`The schema for '${pattern}' is not a Standard Schema v1 validator.`, pattern);
    const described = schemaFromStandard(validator) ?? { description: `validated by ${validator['~standard'].vendor}; no JSON Schema available` };
    let node = root;
    segments.forEach((segment, i) => {
      const last = i === segments.length - 1;
      if (segment === '*') {
        const next = last ? described : typeof node.additionalProperties === 'object' ? node.additionalProperties : { type: 'object', properties: {} };
        node.type ??= 'object';
        node.additionalProperties = next as JsonSchemaLike;
        node = next as JsonSchemaLike;
        return;
      }
      node.type ??= 'object';
      const properties = (node.properties ??= {});
      const existing = Object.hasOwn(properties, segment) ? properties[segment] : undefined;
      const next = last ? described : typeof existing === 'object' ? existing : ({ type: 'object', properties: {} } as JsonSchemaLike);
      setOwn(properties, segment, next);
      if (last || existing === undefined) {
        const required = (node.required ??= []);
        if (!required.includes(segment)) required.push(segment);
      }
      node = next as JsonSchemaLike;
    });
  }
  return root;
}
