import { describe, expect, it } from 'vitest';
import ts from 'typescript';
import { z } from 'zod';
import * as v from 'valibot';
import {
  composeStandardSchemas,
  describeSchema,
  schemaFromStandard,
  schemaFromYaml,
  schemaToTypeScript,
  schemaToYaml,
} from '../../src/schema/index.js';
import type { JsonSchemaLike } from '../../src/schema/index.js';
import { TheusError } from '../../src/errors.js';

/** Type-checks `source` (strict) in memory and returns the diagnostics' messages. */
function typeCheck(source: string): string[] {
  const file = '/virtual/generated.ts';
  const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts'], types: [], skipLibCheck: true };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) => (name === file ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const STATE = {
  domain: {
    status: 'open',
    count: 3,
    ratio: 0.5,
    active: true,
    note: null,
    tags: ['a', 'b'],
    mixed: [1, 'x', 2.5],
    orders: [
      { id: 1, total: 10 },
      { id: 2, total: 12.5, coupon: 'X' },
    ],
    'weird key': 1,
    accounts: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`acc${i}`, { owner: `u${i}`, balance: i }])),
  },
  global: { version: '1.0', started: new Date(0), samples: new Float64Array(3), ids: new Set([1, 2]) },
};

describe('describeSchema', () => {
  const schema = describeSchema(STATE);
  const domain = schema.properties?.domain as JsonSchemaLike;
  const props = domain.properties as Record<string, JsonSchemaLike>;

  it('infers scalar types, required keys and nested objects', () => {
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(['domain', 'global']);
    expect(props.status).toEqual({ type: 'string' });
    expect(props.count).toEqual({ type: 'integer' });
    expect(props.ratio).toEqual({ type: 'number' });
    expect(props.active).toEqual({ type: 'boolean' });
    expect(props.note).toEqual({ type: 'null' });
  });

  it('merges array items: same shapes merge (optional keys not required), mixed types become anyOf', () => {
    expect(props.tags).toEqual({ type: 'array', items: { type: 'string' } });
    expect(props.mixed).toEqual({ type: 'array', items: { anyOf: [{ type: 'number' }, { type: 'string' }] } });
    expect(props.orders).toEqual({
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'integer' }, total: { type: 'number' }, coupon: { type: 'string' } }, required: ['id', 'total'] },
    });
  });

  it('describes large homogeneous objects as records', () => {
    expect(props.accounts).toEqual({
      type: 'object',
      additionalProperties: { type: 'object', properties: { owner: { type: 'string' }, balance: { type: 'integer' } }, required: ['owner', 'balance'] },
    });
    expect((describeSchema(STATE, { recordThreshold: 1000 }).properties?.domain as JsonSchemaLike).properties?.accounts).toHaveProperty('properties.acc29');
  });

  it('handles dates, typed arrays, sets, maps, cycles, undefined and bigint', () => {
    const g = (schema.properties?.global as JsonSchemaLike).properties as Record<string, JsonSchemaLike>;
    expect(g.started).toEqual({ type: 'string', format: 'date-time' });
    expect(g.samples).toEqual({ type: 'array', items: { type: 'number' }, format: 'Float64Array' });
    expect(g.ids).toEqual({ type: 'array', uniqueItems: true, items: { type: 'integer' } });
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(describeSchema(cyclic)).toEqual({ type: 'object', properties: { a: { type: 'integer' }, self: {} }, required: ['a', 'self'] });
    expect(describeSchema({ gone: undefined, big: 1n, m: new Map([['k', true]]) })).toEqual({
      type: 'object',
      properties: { gone: {}, big: { type: 'integer', format: 'bigint' }, m: { type: 'object', additionalProperties: { type: 'boolean' } } },
      required: ['big', 'm'],
    });
  });

  it('records current scalar values as defaults on request, and keeps a __proto__ data key as a plain property', () => {
    expect(describeSchema({ version: '1.0', n: 2 }, { defaults: true })).toEqual({
      type: 'object',
      properties: { version: { type: 'string', default: '1.0' }, n: { type: 'integer', default: 2 } },
      required: ['version', 'n'],
    });
    const hostile = describeSchema(JSON.parse('{"__proto__": 1}'));
    expect(Object.getPrototypeOf(hostile.properties)).toBe(Object.prototype);
    expect(Object.keys(hostile.properties ?? {})).toEqual(['__proto__']);
  });

  it('refuses bad options', () => {
    expect(() => describeSchema({}, { recordThreshold: -1 })).toThrow(TheusError);
    expect(() => describeSchema({}, null as never)).toThrow(TheusError);
  });
});

describe('schema YAML', () => {
  it('round-trips describe → YAML → parse', () => {
    const schema = describeSchema({ domain: { a: 1, list: [{ x: 'y' }] }, global: { v: '1' } }, { defaults: true });
    const text = schemaToYaml(schema, { header: 'Generated by theus schema gen\nDo not edit by hand' });
    expect(text.startsWith('# Generated by theus schema gen\n# Do not edit by hand\n')).toBe(true);
    expect(schemaFromYaml(text)).toEqual(schema);
  });

  it("reads the original's context: format", () => {
    const schema = schemaFromYaml(`
context:
  global: { version: { type: string, default: "1.0" } }
  domain: { user: { type: string }, tags: { type: list, required: false } }
  inventory: { stock: { type: integer, default: 100 }, price: { type: float } }
`);
    expect(schema).toEqual({
      type: 'object',
      required: ['global', 'domain', 'inventory'],
      properties: {
        global: { type: 'object', properties: { version: { type: 'string', default: '1.0' } }, required: ['version'] },
        domain: { type: 'object', properties: { user: { type: 'string' }, tags: { type: 'array' } }, required: ['user'] },
        inventory: { type: 'object', properties: { stock: { type: 'integer', default: 100 }, price: { type: 'number' } }, required: ['stock', 'price'] },
      },
    });
  });

  it.each([
    ['invalid YAML', 'type: [object\n', /schema\.yaml:\d+:\d+: invalid schema YAML/],
    ['not a mapping', '- 1\n', /must contain a mapping/],
    ['unknown type', 'type: strng\n', /'strng' is not a JSON Schema type/],
    ['properties not a mapping', 'type: object\nproperties: [a]\n', /properties must be a mapping/],
    ['hostile property name', 'type: object\nproperties:\n  constructor: { type: string }\n', /not allowed as a property name/],
    ['a __proto__ keyword', '__proto__: { type: string }\n', /'__proto__' is not allowed as a keyword/],
    ['required not names', 'type: object\nrequired: [1]\n', /required must be a list/],
    ['legacy unknown key', 'context:\n  domain: { a: { type: string, typo: 1 } }\n', /unknown key 'typo'/],
    ['legacy bad type', 'context:\n  domain: { a: { type: decimal } }\n', /type must be one of/],
    ['alias bomb', 'a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n', /alias/i],
  ])('refuses %s', (_name, text, message) => {
    try {
      schemaFromYaml(text, { file: 'schema.yaml' });
      expect.unreachable();
    } catch (error) {
      expect((error as TheusError).code).toBe('INVALID_ARGUMENT');
      expect((error as Error).message).toMatch(message);
    }
  });
});

describe('schemaToTypeScript', () => {
  it('generates declarations a described state type-checks against (describe → yaml → parse → types)', () => {
    const value = { domain: { status: 'open', count: 3, tags: ['a'], orders: [{ id: 1, total: 2.5 }], 'weird key': null }, global: { version: '1.0' } };
    const schema = schemaFromYaml(schemaToYaml(describeSchema(value)));
    const code = schemaToTypeScript(schema, 'AppContext');
    expect(code).toContain('export interface AppContext {');
    expect(code).toContain('export interface AppContextDomain {');
    expect(code).toContain('"weird key": null;');
    expect(typeCheck(`${code}\nexport const ok: AppContext = ${JSON.stringify(value)};\n`)).toEqual([]);
    const wrong = typeCheck(`${code}\nexport const bad: AppContext = ${JSON.stringify({ ...value, domain: { ...value.domain, count: 'three' } })};\n`);
    expect(wrong.join('\n')).toMatch(/Type 'string' is not assignable to type 'number'/);
  });

  it('generates types from a Zod schema through schemaFromStandard', () => {
    const zodSchema = z.object({
      name: z.string().describe('Display name */ with a comment closer'),
      role: z.enum(['admin', 'user']),
      age: z.number().int().optional(),
      tags: z.array(z.string()),
      meta: z.record(z.string(), z.number()),
      either: z.union([z.string(), z.null()]),
      exact: z.literal(7),
    });
    const json = schemaFromStandard(zodSchema);
    expect(json).toMatchObject({ type: 'object', required: expect.arrayContaining(['name', 'role', 'tags']) });
    expect(json).not.toHaveProperty('$schema');
    const code = schemaToTypeScript(json as JsonSchemaLike, 'User');
    expect(code).toContain('/** Display name *\\/ with a comment closer */');
    const sample = { name: 'a', role: 'admin', tags: [], meta: { x: 1 }, either: null, exact: 7 };
    expect(typeCheck(`${code}\nexport const u: User = ${JSON.stringify(sample)};\n`)).toEqual([]);
    expect(typeCheck(`${code}\nexport const u: User = ${JSON.stringify({ ...sample, role: 'root' })};\n`).length).toBeGreaterThan(0);
  });

  it('covers unions, enums, nullable, booleans and non-object roots', () => {
    const code = schemaToTypeScript({ anyOf: [{ type: 'string' }, { type: 'array', items: { enum: [1, 'two', null] } }, { const: true }] }, 'Value');
    expect(code).toContain('export type Value = string | Array<1 | "two" | null> | true;');
    expect(schemaToTypeScript(true as never, 'Anything')).toContain('export type Anything = unknown;');
    expect(schemaToTypeScript({ type: 'object', additionalProperties: false }, 'Empty')).toContain('export type Empty = Record<string, never>;');
    const mixed = schemaToTypeScript({ type: 'object', properties: { a: { type: 'string', nullable: true } }, additionalProperties: { type: 'number' } }, 'Mixed');
    expect(typeCheck(mixed)).toEqual([]);
    expect(mixed).toContain('[key: string]: unknown;');
  });

  it.each([['1abc'], ['has space'], ['class'], [''], [3]])('refuses the root name %s', (name) => {
    expect(() => schemaToTypeScript({ type: 'string' }, name as string)).toThrow(TheusError);
  });

  it('refuses malformed schemas', () => {
    expect(() => schemaToTypeScript({ type: 'strin' as never }, 'T')).toThrow(/not a JSON Schema type/);
    expect(() => schemaToTypeScript({ anyOf: 'x' as never }, 'T')).toThrow(/must be a list/);
  });
});

describe('schemaFromStandard and composeStandardSchemas', () => {
  it('returns undefined for libraries without a JSON Schema converter (Valibot) and refuses non-validators', () => {
    expect(schemaFromStandard(v.object({ a: v.string() }))).toBeUndefined();
    expect(() => schemaFromStandard({} as never)).toThrow(TheusError);
  });

  it('assembles one context schema from the engine schema map', () => {
    const schema = composeStandardSchemas({
      domain: z.object({ status: z.string() }),
      'domain.accounts.*': z.object({ balance: z.number() }),
      global: v.object({ currency: v.string() }),
    });
    expect(schema.required).toEqual(['domain', 'global']);
    const domain = schema.properties?.domain as JsonSchemaLike;
    expect(domain.properties?.status).toEqual({ type: 'string' });
    expect((domain.properties?.accounts as JsonSchemaLike).additionalProperties).toMatchObject({ type: 'object', properties: { balance: { type: 'number' } } });
    expect(schema.properties?.global).toEqual({ description: 'validated by valibot; no JSON Schema available' });
    const code = schemaToTypeScript(schema, 'Ctx');
    expect(typeCheck(`${code}\nexport const c: Ctx = { domain: { status: 's', accounts: { a: { balance: 1 } } }, global: 1 };\n`)).toEqual([]);
  });
});
