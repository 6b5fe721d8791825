/**
 * The schema rules every contract must keep (docs/protocol.md §3): `additionalProperties: false` on
 * every object, `maxLength` on every string, `maxItems` on every array. A schema that
 * leaves any of them open is refused at load, with the pointer of the place.
 */

type Schema = Record<string, unknown>;

const SUBSCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SUBSCHEMA_ONE = ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems'];

function typesOf(schema: Schema): string[] {
  const t = schema.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  if ('properties' in schema) return ['object'];
  return [];
}

function isBounded(schema: Schema): boolean {
  return 'enum' in schema || 'const' in schema;
}

/** Lists each place in `schema` that breaks the rules, as [pointer, problem]. */
export function schemaRuleBreaks(schema: unknown, pointer = ''): Array<[string, string]> {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return [];
  const s = schema as Schema;
  const breaks: Array<[string, string]> = [];
  const types = typesOf(s);
  if (types.includes('object') && s.additionalProperties !== false && !isBounded(s)) {
    breaks.push([pointer, 'an object schema must set additionalProperties: false']);
  }
  if (types.includes('string') && typeof s.maxLength !== 'number' && !isBounded(s)) {
    breaks.push([pointer, 'a string schema must set maxLength']);
  }
  if (types.includes('array') && typeof s.maxItems !== 'number' && !isBounded(s)) {
    breaks.push([pointer, 'an array schema must set maxItems']);
  }
  for (const key of SUBSCHEMA_MAPS) {
    const map = s[key];
    if (map && typeof map === 'object') {
      for (const [name, sub] of Object.entries(map)) breaks.push(...schemaRuleBreaks(sub, `${pointer}/${key}/${name}`));
    }
  }
  for (const key of SUBSCHEMA_LISTS) {
    const list = s[key];
    if (Array.isArray(list)) list.forEach((sub, i) => breaks.push(...schemaRuleBreaks(sub, `${pointer}/${key}/${i}`)));
  }
  for (const key of SUBSCHEMA_ONE) {
    if (key in s) breaks.push(...schemaRuleBreaks(s[key], `${pointer}/${key}`));
  }
  return breaks;
}
