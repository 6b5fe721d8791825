/**
 * The gateway's attestation (docs/protocol.md §2): a JWS by the gateway's key over the transaction
 * id, the SHA-256 of the forwarded JWS, the time and the checks passed. It travels beside
 * the untouched message so a recipient can check both.
 */
import { GatewayError } from './errors.ts';
import { decodeJws, keyFor, sha256, signJws, verifyJws } from './jws.ts';
import type { KeyRing, SigningKey } from './keys.ts';

export const ATTESTATION_TYP = 'lgsp-attestation+jws';

export interface Attestation {
  tx: string;
  sha256: string;
  at: string;
  checks: string[];
  /**
   * True when the gateway forwards this message again after a fault (its first forward may have
   * reached the provider): the same transaction, a new attestation. Signed, so nobody can add it.
   */
  redelivery?: boolean;
}

/** Signs an attestation for `jws` in transaction `tx`. */
export function attest(jws: string, tx: string, checks: string[], key: SigningKey, now: Date, redelivery = false): Promise<string> {
  const claims: Attestation = { tx, sha256: sha256(jws), at: now.toISOString(), checks, ...(redelivery && { redelivery: true }) };
  return signJws(claims, key, ATTESTATION_TYP);
}

/**
 * Verifies an attestation: signed by a key of `gateway`, and about exactly `jws`.
 * Throws a GatewayError otherwise; returns the claims.
 */
export async function verifyAttestation(attestation: string, jws: string, ring: KeyRing, gateway: string): Promise<Attestation> {
  const decoded = decodeJws(attestation, ATTESTATION_TYP);
  const key = keyFor(decoded, ring);
  if (key.system !== gateway) throw new GatewayError('client.key_mismatch', 'The attestation is not signed by the gateway.');
  await verifyJws(decoded, key);
  const claims = decoded.payload as Attestation;
  if (claims.sha256 !== sha256(jws)) throw new GatewayError('client.bad_signature', 'The attestation is about another message.');
  return claims;
}
