/**
 * Signed messages: a JWS in compact serialization (docs/protocol.md §2), made and checked with jose.
 * Only EdDSA and ES256; no header that points at keys elsewhere is ever followed.
 */
import { CompactSign, compactVerify } from 'jose';
import { createHash } from 'node:crypto';
import { GatewayError, type Violation } from './errors.ts';
import { DuplicateKeyError, parseStrictJson } from './json.ts';
import { isAllowedAlgorithm, type KeyRing, type PublicKey, type SigningKey } from './keys.ts';
import { parseKeyId } from './ids.ts';

export const MESSAGE_TYP = 'lgsp+jws';
const FORBIDDEN_HEADERS = ['jku', 'jwk', 'x5u', 'x5c', 'crit', 'b64', 'zip'];
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface ProtectedHeader {
  alg: string;
  kid: string;
  typ: string;
}

/** A body checked where it was read: its first violation of `service`'s request schema, or null for none. */
export interface BodyCheck {
  readonly service: string;
  readonly violation: Violation | null;
}

/** A JWS split and decoded, not yet verified. */
export interface DecodedJws {
  readonly jws: string;
  readonly header: ProtectedHeader;
  readonly payload: unknown;
  /**
   * Set when the message was read off the gateway's thread (pipeline/large-reader.ts): the
   * payload's body is then a stand-in of its JSON type, and this is its check against the
   * request schema of the service it names ('unchecked': no such service here).
   */
  readonly bodyRead?: BodyCheck | 'unchecked';
}

const encoder = new TextEncoder();

/** base64url SHA-256 of a string's UTF-8 bytes (the `requestHash`, the attestation digest). */
export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('base64url');
}

/**
 * Signs `payload` as a compact JWS.
 * @example const jws = await signJws(envelope, key)
 */
export async function signJws(payload: unknown, key: SigningKey, typ = MESSAGE_TYP): Promise<string> {
  return signJwsText(JSON.stringify(payload), key, typ);
}

/** Signs a payload already written as JSON text (as JSON.stringify writes it) as a compact JWS. */
export async function signJwsText(payload: string, key: SigningKey, typ = MESSAGE_TYP): Promise<string> {
  const jws = await new CompactSign(encoder.encode(payload))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ })
    .sign(key.key);
  return key.alg === 'ES256' ? lowS(jws) : jws;
}

/** A JWS part's JSON, read strictly; undefined when it is not JSON, a GatewayError when a key repeats. */
function decodeJson(part: string, which: 'header' | 'payload'): unknown {
  try {
    return parseStrictJson(Buffer.from(part, 'base64url').toString('utf8'));
  } catch (err) {
    if (err instanceof DuplicateKeyError) {
      throw new GatewayError('client.malformed', `The JWS ${which} repeats a key; each key may appear once.`, {
        violations: [{ pointer: which === 'payload' ? err.pointer : `/header${err.pointer}`, message: 'appears more than once' }],
      });
    }
    return undefined;
  }
}

/**
 * Splits and decodes a compact JWS without verifying it. Throws `client.malformed` when
 * it is not one, `client.bad_algorithm` for any algorithm but EdDSA and ES256.
 */
export function decodeJws(jws: string, typ = MESSAGE_TYP): DecodedJws {
  if (!COMPACT.test(jws)) throw new GatewayError('client.malformed', 'The message is not a compact JWS.');
  const [h, p, sig] = jws.split('.') as [string, string, string];
  // One signature, one spelling: a last character with stray low bits decodes to the same
  // signature, which would make other bytes (another transaction) of the same signed message.
  if (Buffer.from(sig, 'base64url').toString('base64url') !== sig) {
    throw new GatewayError('client.malformed', 'The JWS signature is not in canonical base64url (RFC 4648 §3.5: its padding bits must be zero).');
  }
  const header = decodeJson(h, 'header') as Record<string, unknown> | undefined;
  if (!header || typeof header !== 'object' || Array.isArray(header)) {
    throw new GatewayError('client.malformed', 'The JWS header is not a JSON object.');
  }
  if (!isAllowedAlgorithm(header.alg)) {
    throw new GatewayError('client.bad_algorithm', `Algorithm ${JSON.stringify(String(header.alg)).slice(0, 40)} is not allowed; use EdDSA or ES256.`);
  }
  const refused = FORBIDDEN_HEADERS.find((name) => Object.hasOwn(header, name));
  if (refused) throw new GatewayError('client.malformed', `The JWS header parameter "${refused}" is refused.`);
  if (header.typ !== typ) throw new GatewayError('client.malformed', `The JWS typ must be "${typ}".`);
  if (typeof header.kid !== 'string' || !parseKeyId(header.kid)) {
    throw new GatewayError('client.malformed', 'The JWS kid must be "<system>#<keyName>".');
  }
  const payload = decodeJson(p, 'payload');
  if (payload === undefined || payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new GatewayError('client.malformed', 'The JWS payload is not a JSON object.');
  }
  return { jws, header: header as unknown as ProtectedHeader, payload };
}

/** Finds the key a decoded JWS names; throws `client.unknown_key` when the ring lacks it. */
export function keyFor(decoded: DecodedJws, ring: KeyRing): PublicKey {
  const key = ring.get(decoded.header.kid);
  if (!key || key.alg !== decoded.header.alg) throw new GatewayError('client.unknown_key', `Key ${decoded.header.kid} is not in the catalog.`);
  return key;
}

/** The order of P-256's group: an ES256 signature (r, s) has a twin (r, n - s) that verifies as well. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/**
 * An ES256 JWS in low-S form (s ≤ n/2). What this project signs is always in that form, so a
 * message has one signature; a twin with the other S is other bytes, which the replay check
 * refuses under a used id (`client.replay`). Both forms verify: common libraries emit either.
 */
export function lowS(jws: string): string {
  const [h, p, sig] = jws.split('.') as [string, string, string];
  const bytes = Buffer.from(sig, 'base64url');
  if (bytes.length !== 64) return jws;
  const s = BigInt(`0x${bytes.subarray(32).toString('hex')}`);
  if (s <= P256_ORDER / 2n) return jws;
  const flipped = Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex');
  return `${h}.${p}.${Buffer.concat([bytes.subarray(0, 32), flipped]).toString('base64url')}`;
}

/** Verifies the signature with `key`; throws `client.bad_signature` when it does not verify. */
export async function verifyJws(decoded: DecodedJws, key: PublicKey): Promise<void> {
  try {
    await compactVerify(decoded.jws, key.key, { algorithms: [key.alg] });
  } catch (cause) {
    throw new GatewayError('client.bad_signature', undefined, { cause });
  }
}
