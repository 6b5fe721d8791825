/**
 * The two ways a request body arrives (docs/protocol.md §7): credential mode, a JSON object the ingress
 * signs; signed mode, the client's own JWS, whose headers and path must agree with it, handed to
 * the gateway as it came for the gateway's checks.
 */
import type { Request } from 'express';
import { isEnvelopeTag, TAG_CHARACTERS, TAG_MAX_LENGTH, type JsonObject, type RequestEnvelope } from '../../gateway/protocol/envelope.ts';
import { GatewayError, type Violation } from '../../gateway/protocol/errors.ts';
import { DuplicateKeyError, parseStrictJson } from '../../gateway/protocol/json.ts';
import type { DecodedJws } from '../../gateway/protocol/jws.ts';
import type { CanonicalObject } from '../../gateway/pipeline/large-read.ts';
import { singleHeader } from './request-line.ts';

export function malformed(message: string, violations?: Violation[]): GatewayError {
  return new GatewayError('client.malformed', message, violations ? { violations } : undefined);
}

const repeatedKey = (pointer: string) => malformed('The body repeats a key; each key may appear once.', [{ pointer, message: 'appears more than once' }]);

/** A credential-mode body: a JSON object. */
export function parseCredentialBody(body: Buffer): JsonObject {
  let parsed: unknown;
  try {
    parsed = parseStrictJson(body.toString('utf8'));
  } catch (err) {
    if (err instanceof DuplicateKeyError) throw repeatedKey(err.pointer);
    throw malformed('The body is not JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw malformed('The body must be a JSON object.');
  return parsed as JsonObject;
}

/** A large credential-mode body as read off the door's thread: its canonical text, or the refusal parseCredentialBody makes. */
export function credentialBodyText(read: CanonicalObject): string {
  if (read.ok) return read.text;
  if (read.why === 'repeated key') throw repeatedKey(read.pointer);
  throw malformed(read.why === 'not JSON' ? 'The body is not JSON.' : 'The body must be a JSON object.');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Credential mode: the headers that become envelope fields, checked at the door against the
 * envelope's own rules (docs/protocol.md §2), each refusal naming its header — so that nothing
 * over-long or ill-formed reaches a signature, a queue property or a log line.
 */
export function checkHeaderIds(values: { id?: string; userId?: string; issue?: string }): void {
  const violations: Violation[] = [];
  if (values.id !== undefined && !UUID.test(values.id)) violations.push({ pointer: '/headers/X-Road-Id', message: 'must be a UUID (36 characters)' });
  for (const [field, header] of [['userId', 'X-Road-UserId'], ['issue', 'X-Road-Issue']] as const) {
    const value = values[field];
    if (value !== undefined && !isEnvelopeTag(value)) violations.push({ pointer: `/headers/${header}`, message: `must be 1 to ${TAG_MAX_LENGTH} characters of ${TAG_CHARACTERS}` });
  }
  if (violations.length > 0) throw malformed('A header that becomes part of the signed request is not well formed.', violations);
}

/** Headers that must agree with the signed envelope, by its field. */
const AGREEING_HEADERS = { id: 'X-Road-Id', userId: 'X-Road-UserId', issue: 'X-Road-Issue' } as const;

/** In signed mode the headers and the path must say what the JWS says. */
function checkAgreement(req: Request, payload: Record<string, unknown>, client: string, service: string): void {
  const violations: Violation[] = [];
  if (payload.client !== client) violations.push({ pointer: '/client', message: 'does not match X-Road-Client' });
  if (payload.service !== service) violations.push({ pointer: '/service', message: 'does not match the service in the path' });
  for (const [field, header] of Object.entries(AGREEING_HEADERS)) {
    const value = singleHeader(req, header);
    if (value !== undefined && payload[field] !== value) violations.push({ pointer: `/${field}`, message: `does not match ${header}` });
  }
  if (violations.length > 0) throw malformed('The headers do not agree with the signed request.', violations);
}

/**
 * A signed-mode body, as the door reads it (decoded; a large one off its thread, body aside): a JWS of `client` for `service`, whose headers and path
 * agree with it, with the id and kind the door needs to match the gateway's answer to it. Nothing
 * more: its signature and every other check are the gateway's, made once (docs/protocol.md §7).
 */
export function readSignedRequest(req: Request, decoded: DecodedJws, client: string, service: string): { envelope: RequestEnvelope; jws: string } {
  const { jws } = decoded;
  const payload = decoded.payload as Record<string, unknown> | null;
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw malformed('The JWS payload is not a JSON object.');
  checkAgreement(req, payload, client, service);
  const violations: Violation[] = [];
  if (typeof payload.id !== 'string' || !UUID.test(payload.id)) violations.push({ pointer: '/id', message: 'must be a UUID' });
  if (payload.kind !== 'request' && payload.kind !== 'event') violations.push({ pointer: '/kind', message: 'must be request or event' });
  if (violations.length > 0) throw malformed('The signed request does not say which message it is.', violations);
  // Unverified until the gateway says otherwise: only its id, kind, client and service are read.
  return { envelope: payload as unknown as RequestEnvelope, jws };
}
