/**
 * A client's half of an exchange, whatever door it goes through (the bus, the HTTP ingress):
 * sign a request envelope, and verify the reply end to end — the provider's (or gateway's)
 * signature, the gateway's attestation of a provider's reply, and the binding to the request.
 */
import { randomUUID } from 'node:crypto';
import type { JsonObject, RequestEnvelope, ResponseEnvelope } from '../../gateway/protocol/envelope.ts';
import type { ErrorBody } from '../../gateway/protocol/errors.ts';
import { parseServiceId } from '../../gateway/protocol/ids.ts';
import { sha256, signJws, signJwsText } from '../../gateway/protocol/jws.ts';
import type { KeyRing, SigningKey } from '../../gateway/protocol/keys.ts';
import { VerificationError, verifyReceived } from './verify.ts';

export interface SendOptions {
  readonly userId?: string;
  readonly issue?: string;
  readonly id?: string;
}

interface ReplyBase {
  readonly envelope: ResponseEnvelope;
  readonly jws: string;
  /** The transaction id the gateway gave this exchange. */
  readonly tx: string | undefined;
  /** `gateway` when the gateway itself answered (a gateway error), else `provider`. */
  readonly signedBy: 'gateway' | 'provider';
  /** The gateway's attestation of a provider's reply (a JWS), as it arrived. */
  readonly attestation: string | undefined;
}

export type Reply = (ReplyBase & { readonly status: 'ok'; readonly body: JsonObject }) | (ReplyBase & { readonly status: 'error'; readonly error: ErrorBody });

/** A signed request or event, and the envelope it carries. */
export interface SignedMessage {
  readonly envelope: RequestEnvelope;
  readonly jws: string;
}

/** Builds and signs an envelope of `key`'s system. */
export async function signEnvelope(
  key: SigningKey, kind: 'request' | 'event', service: string, body: JsonObject, options: SendOptions = {}, now: number = Date.now(),
): Promise<SignedMessage> {
  const envelope = envelopeOf(key, kind, service, body, options, now);
  return { envelope, jws: await signJws(envelope, key) };
}

function envelopeOf(key: SigningKey, kind: 'request' | 'event', service: string, body: JsonObject, options: SendOptions, now: number): RequestEnvelope {
  return {
    v: 1, kind, id: options.id ?? randomUUID(), client: key.system, service, at: new Date(now).toISOString(),
    ...(options.userId !== undefined && { userId: options.userId }), ...(options.issue !== undefined && { issue: options.issue }), body,
  };
}

/**
 * Signs an envelope whose body is given as JSON text (a JSON object as JSON.stringify writes it):
 * the same bytes signEnvelope makes of that object, without the object — what a door signs a
 * large body as, read off its thread. The envelope returned holds `{}` in place of the body.
 */
export async function signEnvelopeText(
  key: SigningKey, kind: 'request' | 'event', service: string, bodyText: string, options: SendOptions = {}, now: number = Date.now(),
): Promise<SignedMessage> {
  const envelope = envelopeOf(key, kind, service, {}, options, now);
  const text = JSON.stringify(envelope);
  // The body is the envelope's last member: its `{}` is the text's end but one character.
  return { envelope, jws: await signJwsText(`${text.slice(0, -3)}${bodyText}}`, key) };
}

const NIL_ID = '00000000-0000-0000-0000-000000000000';

/** Whose keys a client trusts — the catalog's key ring and the gateway's system id — and who the client is. */
export interface Trust {
  readonly keys: KeyRing;
  readonly gateway: string;
  /** The client's own system: an answer is addressed to it. */
  readonly system: string;
}

/**
 * Verifies `jws` as the reply to `sent`: signed by the provider (with the gateway's attestation
 * of these very bytes) or by the gateway, a response, bound to the request.
 */
export async function verifyReply(sent: SignedMessage, jws: string, attestation: unknown, trust: Trust): Promise<Reply> {
  const provider = parseServiceId(sent.envelope.service)?.system ?? '';
  const { gateway, keys } = trust;
  const attested = typeof attestation === 'string' ? attestation : undefined;
  const verified = await verifyReceived(jws, keys, [provider, gateway], { attestation: attested, gateway });
  const signedBy = verified.signer === gateway ? 'gateway' : 'provider';
  let tx = verified.attestation?.tx;
  const envelope = verified.envelope;
  if (envelope.kind !== 'response') throw new VerificationError('the reply is not a response');
  // Bound by the hash of the very bytes sent, always: an error the gateway signed about someone
  // else's message (junk published under this request's id) is not the answer to this one.
  // Only a gateway error about bytes too broken to read may leave the id unnamed (the nil UUID).
  const named = envelope.inReplyTo === sent.envelope.id || (signedBy === 'gateway' && envelope.status === 'error' && envelope.inReplyTo === NIL_ID);
  if (!named || envelope.requestHash !== sha256(sent.jws) || envelope.client !== trust.system) {
    throw new VerificationError('the reply does not bind to the request');
  }
  if (envelope.status === 'error') tx ??= envelope.error.detail;
  // The gateway's receipt of an event names its transaction in its body.
  else if (signedBy === 'gateway' && typeof envelope.body.transaction === 'string') tx ??= envelope.body.transaction;
  const base = { envelope, jws, tx, signedBy, attestation: attested } as const;
  return envelope.status === 'ok' ? { ...base, status: 'ok', body: envelope.body } : { ...base, status: 'error', error: envelope.error };
}
