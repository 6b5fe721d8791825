/**
 * End-to-end checks a system makes on what it receives: the sender's signature with a key of
 * the expected system, a well-formed envelope, and the gateway's attestation over the exact bytes.
 */
import { verifyAttestation, type Attestation } from '../../gateway/protocol/attestation.ts';
import { checkEnvelope, type Envelope } from '../../gateway/protocol/envelope.ts';
import { decodeJws, keyFor, verifyJws } from '../../gateway/protocol/jws.ts';
import type { KeyRing } from '../../gateway/protocol/keys.ts';
import { publisherOf } from '../../gateway/transport/broker-users.ts';
import type { Delivery, Transport } from '../../gateway/transport/transport.ts';
import { LgspError } from '../../gateway/protocol/errors.ts';

/** A received message that failed its end-to-end checks. */
export class VerificationError extends LgspError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('VERIFICATION_FAILED', message, options);
  }
}

/**
 * Throws unless the gateway's broker user published `delivery`, where the broker vouches for its
 * publisher (per-system users, docs/protocol.md §5). Everything a system receives comes from the
 * gateway: a message another system's user managed to put in its queue is not to be trusted.
 */
export function checkFromGateway(transport: Transport, delivery: Delivery): void {
  const publisher = publisherOf(transport.names.prefix, delivery.props.userId);
  if (publisher?.kind === 'system') throw new VerificationError(`published by the broker user of ${publisher.system}, not by the gateway`);
}

export interface Verified {
  readonly envelope: Envelope;
  /** The system whose key signed the message. */
  readonly signer: string;
  readonly attestation?: Attestation;
}

/**
 * Verifies `jws` as signed by one of `signers`, and — when `attested` is given — the gateway's
 * attestation of it (a message the gateway signed itself needs none).
 * @example const { envelope } = await verifyReceived(jws, keys, ['VN/GOV/BCA/DANCU'], { attestation, gateway })
 */
export async function verifyReceived(
  jws: string,
  keys: KeyRing,
  signers: readonly string[],
  attested?: { attestation: string | undefined; gateway: string },
): Promise<Verified> {
  try {
    const decoded = decodeJws(jws);
    const key = keyFor(decoded, keys);
    if (!signers.includes(key.system)) throw new VerificationError(`signed by ${key.system}, expected ${signers.join(' or ')}`);
    await verifyJws(decoded, key);
    const envelope = checkEnvelope(decoded.payload);
    let attestation: Attestation | undefined;
    if (attested && key.system !== attested.gateway) {
      if (!attested.attestation) throw new VerificationError('the gateway attestation is missing');
      attestation = await verifyAttestation(attested.attestation, jws, keys, attested.gateway);
    }
    return { envelope, signer: key.system, attestation };
  } catch (err) {
    if (err instanceof VerificationError) throw err;
    throw new VerificationError(`the message does not verify: ${(err as Error).message}`, { cause: err });
  }
}
