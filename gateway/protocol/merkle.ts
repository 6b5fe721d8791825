/**
 * The hash tree of a batch of attestations (docs/protocol.md §2): SHA-256, with a leaf and an
 * inner node hashed under different prefixes (0x00, 0x01) so that neither can pass for the other,
 * as in RFC 9162's Merkle tree. A level's last node without a sibling moves up unchanged.
 */
import { createHash } from 'node:crypto';

/** One step of an inclusion proof: the sibling's hash, and whether it sits to the left. */
export interface ProofStep {
  readonly left: boolean;
  readonly hash: Buffer;
}

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);
/** Deeper than any batch (2^32 leaves): a longer proof is refused before it is walked. */
export const MAX_PROOF_STEPS = 32;
const STEP = /^[lr][A-Za-z0-9_-]{43}$/;

export function leafHash(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF).update(leaf).digest();
}

function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(NODE).update(left).update(right).digest();
}

/** The root of `leaves` (their hashes) and each leaf's inclusion proof, in the leaves' order. */
export function merkleTree(leaves: readonly Buffer[]): { root: Buffer; proofs: ProofStep[][] } {
  if (leaves.length === 0) throw new Error('a hash tree needs at least one leaf');
  const proofs: ProofStep[][] = leaves.map(() => []);
  // Which node of the current level each leaf is under.
  const position = leaves.map((_, i) => i);
  let level = [...leaves];
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? nodeHash(level[i]!, level[i + 1]!) : level[i]!);
    for (let leaf = 0; leaf < leaves.length; leaf++) {
      const at = position[leaf]!;
      const sibling = at ^ 1;
      if (sibling < level.length) proofs[leaf]!.push({ left: sibling < at, hash: level[sibling]! });
      position[leaf] = at >> 1;
    }
    level = next;
  }
  return { root: level[0]!, proofs };
}

/** The root a leaf's hash and its proof lead to. */
export function rootOf(leaf: Buffer, proof: readonly ProofStep[]): Buffer {
  return proof.reduce((hash, step) => (step.left ? nodeHash(step.hash, hash) : nodeHash(hash, step.hash)), leaf);
}

/** A proof as text: its steps joined by `.`, each `l` or `r` (the sibling's side) and the sibling's base64url hash. */
export function formatProof(proof: readonly ProofStep[]): string {
  return proof.map((step) => `${step.left ? 'l' : 'r'}${step.hash.toString('base64url')}`).join('.');
}

/** Reads a proof written by formatProof; undefined when it is not one. */
export function parseProof(text: string): ProofStep[] | undefined {
  if (text === '') return [];
  const steps = text.split('.');
  if (steps.length > MAX_PROOF_STEPS || !steps.every((s) => STEP.test(s))) return undefined;
  return steps.map((s) => ({ left: s[0] === 'l', hash: Buffer.from(s.slice(1), 'base64url') }));
}
