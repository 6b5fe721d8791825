import { Ajv2020, type Options } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ErrorObject } from 'ajv';
import type { Violation } from './errors.ts';

/** A date and time as the national portal's adapter writes it: 14 digits, yyyyMMddHHmmss, a real time. */
function isCompactDateTime(text: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
}

/**
 * A fresh JSON Schema 2020-12 validator factory in strict mode, with the standard formats and
 * the national portal's date format. Its formats are named by what they expect
 * (`yyyyMMddHHmmss`), and a violation says so with an example (formatInWords), at every door.
 */
export function createAjv(options: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, ...options });
  addFormats.default(ajv);
  ajv.addFormat('yyyyMMddHHmmss', { type: 'string', validate: isCompactDateTime });
  ajv.addFormat('yyyyMMddHHmmss or empty', { type: 'string', validate: (t: string) => t === '' || isCompactDateTime(t) });
  // The population database's: a date of birth, a year, and its two kinds of id.
  ajv.addFormat('yyyyMMdd', { type: 'string', validate: (t: string) => /^\d{8}$/.test(t) && isCompactDateTime(`${t}000000`) });
  ajv.addFormat('yyyy', { type: 'string', validate: (t: string) => /^(19|20)\d{2}$/.test(t) });
  ajv.addFormat('12-digit personal id', { type: 'string', validate: (t: string) => /^\d{12}$/.test(t) });
  ajv.addFormat('9-digit ID card number', { type: 'string', validate: (t: string) => /^\d{9}$/.test(t) });
  return ajv;
}

/**
 * Contracts compile in strict mode, but may say "exactly one of these fields" the plain way —
 * `oneOf: [{ required: [a] }, { required: [b] }]` — with the fields defined beside the `oneOf`.
 */
export const CONTRACT_AJV = { strictRequired: false } as const;

/** Turns ajv errors into violations whose pointers start at `base` (e.g. `/body`). */
export function toViolations(errors: readonly ErrorObject[] | null | undefined, base = ''): Violation[] {
  if (!errors) return [];
  return errors.map((e) => {
    let pointer = base + e.instancePath;
    if (e.keyword === 'required') pointer += `/${escapePointer(String(e.params.missingProperty))}`;
    if (e.keyword === 'additionalProperties') pointer += `/${escapePointer(String(e.params.additionalProperty))}`;
    const message = e.keyword === 'format' ? formatInWords(String(e.params.format)) : e.message ?? e.keyword;
    return { pointer: pointer || '/', message };
  });
}

/**
 * What each format expects, with an example: the one wording every door says it in (the real-API
 * doors put the Vietnamese before it, adapters/http/in-words.ts).
 */
const FORMAT_WORDS: Readonly<Record<string, string>> = {
  'date-time': 'must be a date and time such as 2025-11-24T02:00:00Z',
  date: 'must be a date such as 2025-11-24',
  yyyyMMddHHmmss: 'must be in the format yyyyMMddHHmmss, such as 20251124090000',
  'yyyyMMddHHmmss or empty': 'must be in the format yyyyMMddHHmmss or empty, such as 20251124090000',
  yyyyMMdd: 'must be in the format yyyyMMdd, such as 19900514',
  yyyy: 'must be in the format yyyy, such as 1990',
  '12-digit personal id': 'must be the 12-digit personal id, such as 004190000123; a 9-digit old ID card number goes in SoCMND',
  '9-digit ID card number': 'must be the 9-digit ID card number, such as 085123456; a 12-digit personal id goes in SoDinhDanh',
  email: 'must be an email address such as vanthu@caobang.gov.vn',
  uri: 'must be a URI such as https://dichvucong.gov.vn/',
};

/** A format rule in words, with an example where one is known. */
export function formatInWords(format: string): string {
  return FORMAT_WORDS[format] ?? `must be in the format ${format}`;
}

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
