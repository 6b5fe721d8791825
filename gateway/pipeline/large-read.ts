/**
 * What the large-message reader's thread does (large-reader.ts): decodes a JWS strictly and
 * looks for its body's first violation of the request schema of the service it names, and hands
 * back the envelope with a stand-in for the body. A module of its own, without the thread, so
 * that the gateway's thread can do the same when the reader's thread is not there.
 */
import { CONTRACT_AJV, createAjv, toViolations } from '../protocol/ajv.ts';
import { GatewayError, type ErrorType, type Violation } from '../protocol/errors.ts';
import { DuplicateKeyError, parseStrictJson } from '../protocol/json.ts';
import { decodeJws, type BodyCheck, type DecodedJws } from '../protocol/jws.ts';

/** A service's request schema, by service id: what the reader checks bodies against. */
export type RequestSchemas = Readonly<Record<string, object>>;

/** A read, as the reader's thread posts it back: plain data only. */
export type LargeReadResult =
  | { readonly ok: true; readonly header: DecodedJws['header']; readonly payload: Record<string, unknown>; readonly bodyCheck?: BodyCheck }
  | { readonly ok: false; readonly type: ErrorType; readonly message: string; readonly violations?: readonly Violation[] };

/** The body's place in the payload, once it has been checked where it was read: its JSON type only. */
function standIn(body: unknown): unknown {
  if (Array.isArray(body)) return [];
  return body !== null && typeof body === 'object' ? {} : body;
}

/** Validators that stop at a body's first violation, compiled on first use, per service. */
export function firstViolations(schemas: RequestSchemas): (service: string, body: unknown) => BodyCheck | undefined {
  // The contracts' own options, but stopping at the first error.
  const ajv = createAjv({ ...CONTRACT_AJV, allErrors: false });
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
  return (service, body) => {
    const schema = schemas[service];
    if (!schema) return undefined;
    let validate = compiled.get(service);
    if (!validate) compiled.set(service, (validate = ajv.compile(schema)));
    return { service, violation: validate(body) ? null : toViolations(validate.errors, '/body')[0] ?? null };
  };
}

/**
 * Reads one large JWS: decoded strictly, its body checked and replaced by a stand-in. A body
 * whose service has no schema here (an unknown service: refused before its contract) is
 * replaced all the same; nothing of it is needed.
 */
export function readLarge(text: string, check: ReturnType<typeof firstViolations>): LargeReadResult {
  let decoded: DecodedJws;
  try {
    decoded = decodeJws(text);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    return { ok: false, type: err.type, message: err.message, ...(err.violations && { violations: err.violations }) };
  }
  const { body, ...rest } = decoded.payload as Record<string, unknown>;
  if (!Object.hasOwn(decoded.payload as object, 'body')) return { ok: true, header: decoded.header, payload: rest };
  const bodyCheck = typeof rest.service === 'string' ? check(rest.service, body) : undefined;
  return { ok: true, header: decoded.header, payload: { ...rest, body: standIn(body) }, ...(bodyCheck && { bodyCheck }) };
}

/** A read turned back into what the pipeline takes: a decoded JWS, or the error it was refused with. */
export function decodedOf(text: string, result: LargeReadResult): DecodedJws {
  if (!result.ok) throw new GatewayError(result.type, result.message, result.violations && { violations: result.violations });
  return { jws: text, header: result.header, payload: result.payload, bodyRead: result.bodyCheck ?? 'unchecked' };
}

/** A JSON object's text as JSON.stringify writes it, read strictly; or why it is not one. */
export type CanonicalObject =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly why: 'not JSON' | 'not an object' } | { readonly ok: false; readonly why: 'repeated key'; readonly pointer: string };

/**
 * Reads `text` strictly as a JSON object and writes it back as JSON.stringify would: what a door
 * signs a large credential-mode body as, without the object ever reaching the gateway's thread.
 */
export function canonicalObject(text: string): CanonicalObject {
  let value: unknown;
  try {
    value = parseStrictJson(text);
  } catch (err) {
    return err instanceof DuplicateKeyError ? { ok: false, why: 'repeated key', pointer: err.pointer } : { ok: false, why: 'not JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, why: 'not an object' };
  return { ok: true, text: JSON.stringify(value) };
}
