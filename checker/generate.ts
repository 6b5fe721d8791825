/**
 * Requests generated from a service's request schema, after Specmatic's generative tests: from a
 * valid example, one field changed at a time to a value at an edge the contract allows — a string
 * at its longest and shortest, each enum value, a number at its bounds — and the example with only
 * its required fields. Each case is valid by the contract (it is checked here), so the provider
 * must answer it: an answer or a business error it declares, in its contract, in time.
 *
 * Requests the contract forbids are not generated for a provider: the gateway refuses them
 * before any provider sees them (its own tests pin that), so they cannot test the provider.
 */
import type { ContractExample, ServiceEntry } from '../gateway/catalog/catalog.ts';

export interface GeneratedCase {
  readonly name: string;
  readonly request: Record<string, unknown>;
  readonly userId?: string;
}

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
}

/** A string of `n` characters, Vietnamese letters included, so that length is counted in characters. */
const textOf = (n: number) => 'Nguyễn Thị Ánh '.repeat(Math.ceil(n / 15)).slice(0, n);

function withValue(body: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  if (value === undefined) delete at[path.at(-1)!];
  else at[path.at(-1)!] = value;
  return copy;
}

/** The edge values of one property, each with a name. */
function edges(name: string, schema: Schema, current: unknown): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  if (schema.enum) for (const v of schema.enum) if (v !== current) out.push([`${name} = ${JSON.stringify(v)}`, v]);
  const free = schema.type === 'string' && !schema.pattern && !schema.format && !schema.enum && schema.const === undefined;
  if (free && schema.maxLength) out.push([`${name} at its longest (${schema.maxLength} characters)`, textOf(schema.maxLength)]);
  if (free && (schema.minLength ?? 0) > 0 && schema.minLength !== schema.maxLength) out.push([`${name} at its shortest (${schema.minLength} characters)`, textOf(schema.minLength!)]);
  if ((schema.type === 'integer' || schema.type === 'number') && schema.minimum !== undefined && schema.minimum !== current) out.push([`${name} at its minimum (${schema.minimum})`, schema.minimum]);
  if ((schema.type === 'integer' || schema.type === 'number') && schema.maximum !== undefined && schema.maximum !== current) out.push([`${name} at its maximum (${schema.maximum})`, schema.maximum]);
  return out;
}

function walk(schema: Schema, body: Record<string, unknown>, path: string[], emit: (name: string, path: string[], value: unknown) => void): void {
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    const here = [...path, key];
    const current = body[key];
    if (sub.type === 'object' && current && typeof current === 'object') {
      walk(sub, current as Record<string, unknown>, here, emit);
      continue;
    }
    if (current === undefined && !(schema.required ?? []).includes(key)) continue;
    for (const [name, value] of edges(here.join('.'), sub, current)) emit(name, here, value);
  }
}

/** The example a case starts from: the first valid one answered without a business error. */
export function baseExample(service: ServiceEntry): ContractExample | undefined {
  const valid = service.contract.examples.valid;
  return valid.find((e) => !e.error) ?? valid[0];
}

/** The generated cases of `service`, each valid by its request contract. */
export function generatedCases(service: ServiceEntry): GeneratedCase[] {
  const base = baseExample(service);
  if (!base) return [];
  const schema = service.contract.requestSchema as Schema;
  const cases: GeneratedCase[] = [];
  const add = (name: string, request: Record<string, unknown>) => {
    if (service.contract.validateRequest(request) && !cases.some((c) => c.name === name)) cases.push({ name, request, ...(base.userId && { userId: base.userId }) });
  };
  const required = new Set(schema.required ?? []);
  if (Object.keys(base.request).some((k) => !required.has(k))) {
    add('only the required fields', Object.fromEntries(Object.entries(base.request).filter(([k]) => required.has(k))));
  }
  walk(schema, base.request, [], (name, path, value) => add(name, withValue(base.request, path, value)));
  return cases;
}
