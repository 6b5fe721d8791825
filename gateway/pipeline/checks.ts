/**
 * The checks on a message from a client (docs/protocol.md §4), in order: header, key, key owner,
 * signature, envelope, clock, service, access right, contract. Replay sits with the gateway,
 * which holds the state. Each check throws its GatewayError; none trusts a field before the
 * check that vouches for it.
 */
import type { Catalog, ServiceEntry } from '../catalog/catalog.ts';
import { toViolations } from '../protocol/ajv.ts';
import { checkEnvelope, type RequestEnvelope } from '../protocol/envelope.ts';
import { GatewayError } from '../protocol/errors.ts';
import { keyFor, verifyJws, type DecodedJws } from '../protocol/jws.ts';
import type { Publisher } from '../transport/broker-users.ts';

export const REQUEST_CHECKS = ['signature', 'envelope', 'clock', 'replay', 'service', 'access', 'contract'];
export const REPLY_CHECKS = ['signature', 'envelope', 'binding', 'contract'];

/** The client a decoded but unverified message claims to come from, if it names one. */
export function claimedClient(decoded: DecodedJws): string | undefined {
  const client = (decoded.payload as { client?: unknown }).client;
  return typeof client === 'string' ? client : undefined;
}

/** Header, key, key owner and signature: after this the payload is the client's own. */
export async function checkSignature(decoded: DecodedJws, catalog: Catalog): Promise<void> {
  const key = keyFor(decoded, catalog.keys);
  if (key.system !== claimedClient(decoded)) {
    throw new GatewayError('client.key_mismatch', `Key ${decoded.header.kid} does not belong to the client system.`);
  }
  await verifyJws(decoded, key);
}

/**
 * The broker's word against the signature's: a message published by a system's own broker user
 * must be that system's. A system may not relay another's signed messages as its own traffic
 * (a captured message, say). The gateway's user publishes for the HTTP doors; any other login
 * (a broker without per-system users) vouches for nobody.
 */
export function checkPublisher(publisher: Publisher | undefined, client: string): void {
  if (publisher?.kind === 'system' && publisher.system !== client) {
    throw new GatewayError('client.key_mismatch', `A message of ${client} was published by the broker user of ${publisher.system}: a system sends only its own messages.`);
  }
}

/** The time `at` within ±skew of now. */
export function checkClock(at: string, now: number, skewSeconds: number): void {
  const t = Date.parse(at);
  if (!Number.isFinite(t) || Math.abs(now - t) > skewSeconds * 1000) {
    throw new GatewayError('client.clock_skew', `The message time ${at} is more than ${skewSeconds} s from the gateway's clock.`);
  }
}

/** Service known, kind matching its mode, access right, and the request contract. */
export function checkService(envelope: RequestEnvelope, catalog: Catalog): ServiceEntry {
  const service = catalog.services.get(envelope.service);
  if (!service) throw new GatewayError('client.unknown_service', `No service ${envelope.service} in the catalog.`);
  const expected = service.mode === 'event' ? 'event' : 'request';
  if (envelope.kind !== expected) {
    throw new GatewayError('client.malformed', `${envelope.service} takes kind "${expected}", not "${envelope.kind}".`, {
      violations: [{ pointer: '/kind', message: `must be ${expected}` }],
    });
  }
  if (!catalog.canAccess(envelope.client, envelope.service)) {
    throw new GatewayError('client.access_denied', `${envelope.client} has no access right to ${envelope.service}.`);
  }
  return service;
}


/** The request body against the contract, and `userId` where the body carries personal data. */
export function checkRequestContract(envelope: RequestEnvelope, service: ServiceEntry, messageBytes = 0, bodyRead?: DecodedJws['bodyRead']): void {
  const { contract } = service;
  // A large message was read, and its body checked, off the gateway's thread (large-reader.ts),
  // stopping at its first violation: listing every one of a body of tens of thousands of keys
  // costs the gateway more than any answer is worth.
  if (bodyRead !== undefined && (bodyRead === 'unchecked' || bodyRead.service !== service.id)) {
    throw new GatewayError('server.internal', `The body of a large message to ${envelope.service} was not checked where it was read.`);
  }
  const first = bodyRead?.violation;
  if (first) {
    throw new GatewayError('client.contract_violation', `The request breaks the contract of ${envelope.service}; for a message of ${messageBytes} bytes only its first violation is listed.`, { violations: [first] });
  }
  const violations = bodyRead || contract.validateRequest(envelope.body) ? [] : toViolations(contract.validateRequest.errors, '/body');
  if (contract.personalData && envelope.userId === undefined) {
    violations.push({ pointer: '/userId', message: 'required: the body carries personal data' });
  }
  if (violations.length > 0) {
    throw new GatewayError('client.contract_violation', `The request breaks the contract of ${envelope.service}.`, { violations });
  }
}

/** What the caller adds to the checks: who published, where the broker knows, and the replay step. */
export interface DoorSteps {
  /** The broker user who published the message, where the broker vouches for one. */
  readonly publisher?: Publisher;
  /**
   * The replay step, between the clock and the service: claims the message's id (or
   * throws `client.replay`); false for a copy of a message already handled, which then goes no further.
   */
  replay(envelope: RequestEnvelope): boolean | Promise<boolean>;
}

/**
 * Every check on a client's message, in the protocol's order (docs/protocol.md §4): header, key,
 * key owner, signature, publisher, envelope, clock, replay (the caller's step), service, access
 * right, contract. Run once per message, by the gateway: every HTTP door hands its messages to it.
 * Resolves with the checked envelope and its service, or undefined for a duplicate.
 */
export async function checkClientMessage(
  decoded: DecodedJws, catalog: Catalog, now: number, skewSeconds: number, door: DoorSteps,
): Promise<{ envelope: RequestEnvelope; service: ServiceEntry } | undefined> {
  await checkSignature(decoded, catalog);
  checkPublisher(door.publisher, claimedClient(decoded)!);
  const envelope = checkEnvelope(decoded.payload);
  if (envelope.kind === 'response') throw new GatewayError('client.malformed', 'Expected a request or an event.', { violations: [{ pointer: '/kind', message: 'must be request or event' }] });
  checkClock(envelope.at, now, skewSeconds);
  if (!(await door.replay(envelope))) return undefined;
  const service = checkService(envelope, catalog);
  checkRequestContract(envelope, service, decoded.jws.length, decoded.bodyRead);
  return { envelope, service };
}
