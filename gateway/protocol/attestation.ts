/**
 * The gateway's attestation (docs/protocol.md §2): the gateway's word, under its key, that it
 * checked these very bytes in this transaction — `{tx, sha256, at, checks}` and `redelivery`. It
 * travels beside the untouched message so a recipient can check both.
 *
 * The gateway signs the attestations of one event-loop turn together: their claims are the leaves
 * of a hash tree, and it signs the tree's root once. Each message carries the signed root, its own
 * claims and the path from them to the root:
 *
 *   <root JWS> ~ <claims, base64url JSON> ~ <inclusion proof>
 */
import { GatewayError } from './errors.ts';
import { decodeJws, keyFor, sha256, signJws, verifyJws } from './jws.ts';
import { parseStrictJson } from './json.ts';
import type { KeyRing, SigningKey } from './keys.ts';
import { formatProof, leafHash, merkleTree, parseProof, rootOf } from './merkle.ts';

/** The `typ` of the JWS over a batch's root. */
export const ATTESTATION_TYP = 'lgsp-attestation-root+jws';

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

/** What the gateway signs for a batch: the root of its claims' hash tree, and when. */
interface SignedRoot {
  root: string;
  at: string;
}

interface Waiting {
  readonly claims: Buffer;
  readonly resolve: (attestation: string) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Attests messages for the gateway, signing once per event-loop turn whatever was attested in it.
 * @example const attestation = await attester.attest(jws, tx, REQUEST_CHECKS)
 */
export class Attester {
  private batch: Waiting[] = [];

  constructor(private readonly key: SigningKey, private readonly now: () => number) {}

  /** The attestation of `jws` in transaction `tx`, once this turn's batch is signed. */
  attest(jws: string, tx: string, checks: string[], redelivery = false): Promise<string> {
    const claims: Attestation = { tx, sha256: sha256(jws), at: new Date(this.now()).toISOString(), checks, ...(redelivery && { redelivery: true }) };
    return new Promise((resolve, reject) => {
      if (this.batch.length === 0) setImmediate(() => void this.sign());
      this.batch.push({ claims: Buffer.from(JSON.stringify(claims)), resolve, reject });
    });
  }

  private async sign(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    try {
      const { root, proofs } = merkleTree(batch.map((w) => leafHash(w.claims)));
      const signed: SignedRoot = { root: root.toString('base64url'), at: new Date(this.now()).toISOString() };
      const jws = await signJws(signed, this.key, ATTESTATION_TYP);
      batch.forEach((w, i) => w.resolve(`${jws}~${w.claims.toString('base64url')}~${formatProof(proofs[i]!)}`));
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }
}

const ATTESTATION = /^([A-Za-z0-9_.-]+)~([A-Za-z0-9_-]+)~([A-Za-z0-9_.-]*)$/;
/** Roots verified lately, per key ring: the messages of one batch arrive together, and their root is verified once. */
const verifiedRoots = new WeakMap<KeyRing, Map<string, Promise<{ system: string; root: string }>>>();
const REMEMBERED_ROOTS = 1024;

function malformed(message: string): GatewayError {
  return new GatewayError('client.malformed', message);
}

async function verifyRoot(jws: string, ring: KeyRing): Promise<{ system: string; root: string }> {
  const decoded = decodeJws(jws, ATTESTATION_TYP);
  const key = keyFor(decoded, ring);
  await verifyJws(decoded, key);
  const { root } = decoded.payload as Partial<SignedRoot>;
  if (typeof root !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(root)) throw malformed('The attestation\'s signed root is not a SHA-256 hash.');
  return { system: key.system, root };
}

/** The signed root's system and root hash, verified once per ring while it is remembered. */
function verifiedRoot(jws: string, ring: KeyRing): Promise<{ system: string; root: string }> {
  let roots = verifiedRoots.get(ring);
  if (!roots) verifiedRoots.set(ring, (roots = new Map()));
  let verified = roots.get(jws);
  if (!verified) {
    if (roots.size >= REMEMBERED_ROOTS) roots.delete(roots.keys().next().value!);
    verified = verifyRoot(jws, ring);
    roots.set(jws, verified);
    verified.catch(() => roots.delete(jws));
  }
  return verified;
}

function readClaims(bytes: Buffer): Attestation {
  let claims: unknown;
  try {
    claims = parseStrictJson(bytes.toString('utf8'));
  } catch {
    throw malformed('The attestation\'s claims are not a JSON object.');
  }
  const c = claims as Partial<Attestation> | null;
  if (typeof c !== 'object' || c === null || typeof c.tx !== 'string' || typeof c.sha256 !== 'string' || typeof c.at !== 'string'
    || !Array.isArray(c.checks) || (c.redelivery !== undefined && typeof c.redelivery !== 'boolean')) {
    throw malformed('The attestation\'s claims must have tx, sha256, at and checks.');
  }
  return c as Attestation;
}

/**
 * Verifies an attestation: its root signed by a key of `gateway`, its claims in that root's tree,
 * and about exactly `jws`. Throws a GatewayError otherwise; returns the claims.
 */
export async function verifyAttestation(attestation: string, jws: string, ring: KeyRing, gateway: string): Promise<Attestation> {
  const parts = ATTESTATION.exec(attestation);
  if (!parts) throw malformed('The attestation is not "<root JWS>~<claims>~<proof>".');
  const [, signed, claimsPart, proofPart] = parts as unknown as [string, string, string, string];
  const proof = parseProof(proofPart);
  if (!proof) throw malformed('The attestation\'s inclusion proof is not one.');
  const { system, root } = await verifiedRoot(signed, ring);
  if (system !== gateway) throw new GatewayError('client.key_mismatch', 'The attestation is not signed by the gateway.');
  const claimBytes = Buffer.from(claimsPart, 'base64url');
  if (rootOf(leafHash(claimBytes), proof).toString('base64url') !== root) {
    throw new GatewayError('client.bad_signature', 'The attestation\'s claims are not in the batch the gateway signed.');
  }
  const claims = readClaims(claimBytes);
  if (claims.sha256 !== sha256(jws)) throw new GatewayError('client.bad_signature', 'The attestation is about another message.');
  return claims;
}
