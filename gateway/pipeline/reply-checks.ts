/**
 * The checks on a provider's reply (docs/protocol.md §4): signed by the provider's key, a well-formed
 * response, bound to its request (`inReplyTo`, `requestHash`, client, service), and within
 * the response contract — a body that fits, or a business error the contract declares.
 */
import type { ServiceEntry } from '../catalog/catalog.ts';
import type { Catalog } from '../catalog/catalog.ts';
import { toViolations } from '../protocol/ajv.ts';
import { checkEnvelope, type ResponseEnvelope } from '../protocol/envelope.ts';
import { GatewayError, type Violation } from '../protocol/errors.ts';
import { keyFor, verifyJws, type DecodedJws } from '../protocol/jws.ts';

/** What the gateway remembers of a forwarded request to check its reply. */
export interface RequestBinding {
  readonly id: string;
  readonly client: string;
  readonly service: ServiceEntry;
  readonly requestHash: string;
  /** The client's `replyTo`, as it asked. */
  readonly replyTo?: string;
}

function badSignature(message: string, cause?: unknown): GatewayError {
  return new GatewayError('server.provider_bad_signature', message, { cause });
}

/** Signature by a key of the providing system; any failure is `server.provider_bad_signature`. */
export async function checkReplySignature(decoded: DecodedJws, catalog: Catalog, provider: string): Promise<void> {
  let key;
  try {
    key = keyFor(decoded, catalog.keys);
  } catch (cause) {
    throw badSignature(`The reply is signed with ${decoded.header.kid}, which is not in the catalog.`, cause);
  }
  if (key.system !== provider) throw badSignature(`The reply is signed with ${decoded.header.kid}, not a key of ${provider}.`);
  try {
    await verifyJws(decoded, key);
  } catch (cause) {
    throw badSignature('The reply signature does not verify.', cause);
  }
}

function contractViolation(message: string, violations: readonly Violation[], moreViolations = 0): GatewayError {
  return new GatewayError('server.provider_contract_violation', message, { violations, moreViolations });
}

/** Envelope, binding and response contract; any failure is `server.provider_contract_violation`. */
export function checkReplyContent(payload: unknown, request: RequestBinding): ResponseEnvelope {
  let envelope;
  try {
    envelope = checkEnvelope(payload);
  } catch (err) {
    throw contractViolation('The reply is not a well-formed response.', (err as GatewayError).violations ?? [], (err as GatewayError).moreViolations ?? 0);
  }
  if (envelope.kind !== 'response') throw contractViolation('The reply is not a response.', [{ pointer: '/kind', message: 'must be response' }]);
  const binding: Violation[] = [];
  if (envelope.inReplyTo !== request.id) binding.push({ pointer: '/inReplyTo', message: 'does not name the request' });
  if (envelope.requestHash !== request.requestHash) binding.push({ pointer: '/requestHash', message: 'is not the hash of the request' });
  if (envelope.client !== request.client) binding.push({ pointer: '/client', message: 'is not the requesting client' });
  if (envelope.service !== request.service.id) binding.push({ pointer: '/service', message: 'is not the requested service' });
  if (binding.length > 0) throw contractViolation('The reply does not bind to its request.', binding);

  const { contract } = request.service;
  if (envelope.status === 'ok') {
    const validate = contract.validateResponse!;
    if (!validate(envelope.body)) throw contractViolation(`The reply breaks the contract of ${envelope.service}.`, toViolations(validate.errors, '/body'));
  } else if (!contract.errors.some((e) => e.type === envelope.error.type)) {
    throw contractViolation(`The reply's error ${envelope.error.type} is not declared in the contract.`, [{ pointer: '/error/type', message: 'not a declared business error' }]);
  }
  return envelope;
}
