/**
 * Keys: a system's signing key, and the ring of public keys a verifier trusts. Keys are
 * imported once into node KeyObjects and reused for every message.
 */
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

/** Keys are WebCrypto keys, as jose makes them. */
export type KeyObject = CryptoKey;
import { parseKeyId } from './ids.ts';

export const ALGORITHMS = ['EdDSA', 'ES256'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export function isAllowedAlgorithm(alg: unknown): alg is Algorithm {
  return alg === 'EdDSA' || alg === 'ES256';
}

/** A private key a system signs with; `kid` is `<system>#<keyName>`. */
export interface SigningKey {
  readonly kid: string;
  readonly system: string;
  readonly alg: Algorithm;
  readonly key: KeyObject;
}

/** A public key the verifier trusts, bound to the system that owns it. */
export interface PublicKey {
  readonly kid: string;
  readonly system: string;
  readonly alg: Algorithm;
  readonly key: KeyObject;
}

/** Looks up public keys by `kid`. */
export interface KeyRing {
  get(kid: string): PublicKey | undefined;
}

/** A generated key pair in both forms: usable keys and their JWKs (private one for `LGSP_HOME`). */
export interface GeneratedKey {
  signing: SigningKey;
  publicJwk: JWK;
  privateJwk: JWK;
}

function algOfJwk(jwk: JWK): Algorithm | undefined {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  return undefined;
}

/**
 * Generates a key pair for `system` named `name`.
 * @example const { signing, publicJwk } = await generateSigningKey('VN/GOV/BCA/DANCU', 'k1')
 */
export async function generateSigningKey(system: string, name: string, alg: Algorithm = 'EdDSA'): Promise<GeneratedKey> {
  const pair = await generateKeyPair(alg, { crv: alg === 'EdDSA' ? 'Ed25519' : undefined, extractable: true });
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: name, alg, use: 'sig' };
  const privateJwk = { ...(await exportJWK(pair.privateKey)), kid: name, alg, use: 'sig' };
  return { signing: { kid: `${system}#${name}`, system, alg, key: pair.privateKey }, publicJwk, privateJwk };
}

/** Imports a JWK as `system`'s key; the JWK's `kid` is the key name. Throws a plain Error on a bad key. */
export async function importKey(system: string, jwk: JWK): Promise<PublicKey> {
  const alg = algOfJwk(jwk);
  if (!alg) throw new Error(`key ${String(jwk.kid)}: only Ed25519 (EdDSA) and P-256 (ES256) keys are accepted`);
  if (jwk.alg !== undefined && jwk.alg !== alg) throw new Error(`key ${String(jwk.kid)}: alg ${jwk.alg} does not match the curve`);
  const kid = `${system}#${String(jwk.kid)}`;
  if (!parseKeyId(kid)) throw new Error(`key ${String(jwk.kid)}: the key name must match [A-Za-z0-9._-]{1,64}`);
  const key = await importJWK({ ...jwk, alg }, alg);
  if (key instanceof Uint8Array) throw new Error(`key ${String(jwk.kid)}: not an asymmetric key`);
  return { kid, system, alg, key };
}

/** Imports a private JWK as `system`'s signing key. */
export async function importSigningKey(system: string, jwk: JWK): Promise<SigningKey> {
  if (!jwk.d) throw new Error(`key ${String(jwk.kid)}: not a private key`);
  const { kid, alg, key } = await importKey(system, jwk);
  return { kid, system, alg, key };
}

/** A key ring over a fixed list of keys. */
export function keyRingOf(keys: Iterable<PublicKey>): KeyRing {
  const byKid = new Map<string, PublicKey>();
  for (const k of keys) byKid.set(k.kid, k);
  return { get: (kid) => byKid.get(kid) };
}
