import { Ajv2020, type Options } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ErrorObject } from 'ajv';
import type { Violation } from './errors.ts';

/** A fresh JSON Schema 2020-12 validator factory in strict mode, with the standard formats. */
export function createAjv(options: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, ...options });
  addFormats.default(ajv);
  return ajv;
}

/** Turns ajv errors into violations whose pointers start at `base` (e.g. `/body`). */
export function toViolations(errors: readonly ErrorObject[] | null | undefined, base = ''): Violation[] {
  if (!errors) return [];
  return errors.map((e) => {
    let pointer = base + e.instancePath;
    if (e.keyword === 'required') pointer += `/${escapePointer(String(e.params.missingProperty))}`;
    if (e.keyword === 'additionalProperties') pointer += `/${escapePointer(String(e.params.additionalProperty))}`;
    return { pointer: pointer || '/', message: e.message ?? e.keyword };
  });
}

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
