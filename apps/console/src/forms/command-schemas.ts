// The command forms are generated from the JSON Schemas the API validates with, read from the
// OpenAPI document the server builds from them (/docs-json): no second copy in the console.

export type JsonSchema = Record<string, any>;

export interface CommandCatalogue {
  types: string[];
  schema(type: string): JsonSchema;
}

let document: Promise<any> | undefined;

function openApi(): Promise<any> {
  document ??= fetch('/docs-json', { headers: { accept: 'application/json' } }).then((r) => {
    if (!r.ok) throw new Error(`/docs-json answered ${r.status}`);
    return r.json();
  });
  return document;
}

export async function commandCatalogue(kind: 'agreement' | 'process'): Promise<CommandCatalogue> {
  const schemas: Record<string, JsonSchema> = (await openApi()).components.schemas;
  const resolve = (s: JsonSchema): JsonSchema => (s?.$ref ? resolve(schemas[String(s.$ref).split('/').pop()!]) : s);
  const types = (schemas[`${kind}-command`]?.oneOf ?? []).map((ref: JsonSchema) => String(ref.$ref).split('/').pop()!);
  return { types, schema: (type) => resolve(schemas[type]) };
}

/** Field paths as the API names them in `details` ("data.signatories[0].id" or ".0."): one form. */
export const normalisePath = (field: string) => field.replace(/\[(\d+)\]/g, '.$1').replace(/^\//, '').replace(/\//g, '.');

/** What a schema node is drawn as. */
export function widgetOf(schema: JsonSchema): 'const' | 'select' | 'date' | 'text' | 'textarea' | 'number' | 'checkbox' | 'object' | 'array' | 'json' {
  if (schema.const !== undefined) return 'const';
  const variants: JsonSchema[] | undefined = schema.anyOf ?? schema.oneOf;
  if (schema.enum || variants?.every((v) => v.const !== undefined)) return 'select';
  if (variants) return variants.every((v) => v.type === 'string') ? 'text' : 'json';
  switch (schema.type) {
    case 'string':
      if (schema.format === 'business-time') return 'date';
      // Long free text (a description, a quote) gets a text area; a URL or an id stays one line.
      return (schema.maxLength ?? 0) >= 1000 && !schema.format && !schema.pattern?.startsWith('^') ? 'textarea' : 'text';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'checkbox';
    case 'object':
      return schema.properties ? 'object' : 'json';
    case 'array':
      return 'array';
    default:
      return 'json';
  }
}

export function optionsOf(schema: JsonSchema): string[] {
  return (schema.enum ?? (schema.anyOf ?? schema.oneOf).map((v: JsonSchema) => v.const)).map(String);
}

/** The body to send: empty text, empty lists and empty optional objects left out. */
export function prune(value: unknown): unknown {
  if (value === '' || value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(prune).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => [k, prune(v)] as const)
      .filter(([, v]) => v !== undefined);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  return value;
}

export function humanise(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
