/** The JSON Schema keywords Theus reads and writes; other keywords pass through untouched. */
export type JsonSchemaType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

export interface JsonSchemaLike {
  type?: JsonSchemaType | JsonSchemaType[];
  properties?: Record<string, JsonSchemaLike | boolean>;
  required?: string[];
  additionalProperties?: JsonSchemaLike | boolean;
  items?: JsonSchemaLike | boolean;
  anyOf?: (JsonSchemaLike | boolean)[];
  oneOf?: (JsonSchemaLike | boolean)[];
  allOf?: (JsonSchemaLike | boolean)[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  format?: string;
  title?: string;
  description?: string;
  uniqueItems?: boolean;
  [keyword: string]: unknown;
}

export const JSON_SCHEMA_TYPES: ReadonlySet<string> = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);

export function typesOf(schema: JsonSchemaLike): JsonSchemaType[] {
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}
