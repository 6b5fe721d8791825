import { describe, expect, it } from 'vitest';
import { Attester, verifyAttestation } from '../../gateway/protocol/attestation.ts';
import { sha256 } from '../../gateway/protocol/jws.ts';
import { generateSigningKey, importKey, keyRingOf, type KeyRing } from '../../gateway/protocol/keys.ts';
import { formatProof, leafHash, merkleTree, parseProof, rootOf } from '../../gateway/protocol/merkle.ts';

const GATEWAY = 'VN/GOV/LGSP/GATEWAY';
const NOW = Date.parse('2025-08-22T03:00:00Z');
const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`claims ${i}`)));

/** A key ring that counts its look-ups: one per root signature verified. */
function countingRing(ring: KeyRing): KeyRing & { lookups: number } {
  const counting = { lookups: 0, get: (kid: string) => (counting.lookups++, ring.get(kid)) };
  return counting;
}

async function gatewayKeys() {
  const gateway = await generateSigningKey(GATEWAY, 'g1');
  return { signing: gateway.signing, ring: keyRingOf([await importKey(GATEWAY, gateway.publicJwk)]) };
}

describe('the hash tree of a batch', () => {
  it.each([1, 2, 3, 4, 5, 7, 8, 9, 33])('leads every one of %i leaves to the root by its own proof, and no other leaf', (n) => {
    const tree = merkleTree(leaves(n));
    leaves(n).forEach((leaf, i) => {
      const proof = parseProof(formatProof(tree.proofs[i]!))!;
      expect(rootOf(leaf, proof).equals(tree.root)).toBe(true);
      if (n > 1) expect(rootOf(leaves(n)[(i + 1) % n]!, proof).equals(tree.root)).toBe(false);
    });
  });

  it('keeps a leaf and an inner node apart: two leaves joined are not their parent', () => {
    const [a, b] = leaves(2) as [Buffer, Buffer];
    expect(merkleTree([a, b]).root.equals(leafHash(Buffer.concat([a, b])))).toBe(false);
    expect(merkleTree([a]).root.equals(a)).toBe(true);
  });

  it('refuses a proof that is not one', () => {
    expect(parseProof('x' + 'A'.repeat(43))).toBeUndefined();
    expect(parseProof('l' + 'A'.repeat(42))).toBeUndefined();
    expect(parseProof(Array.from({ length: 33 }, () => 'l' + 'A'.repeat(43)).join('.'))).toBeUndefined();
    expect(parseProof('')).toEqual([]);
  });
});

describe('batched attestations', () => {
  it('signs the attestations of one event-loop turn once, and each verifies for its own message only', async () => {
    const { signing, ring } = await gatewayKeys();
    const attester = new Attester(signing, () => NOW);
    const messages = ['a.b.c', 'd.e.f', 'g.h.i', 'j.k.l', 'm.n.o'];
    const attestations = await Promise.all(messages.map((jws, i) => attester.attest(jws, `tx-${i}`, ['signature'], i === 2)));
    expect(new Set(attestations.map((a) => a.split('~')[0])).size).toBe(1);
    const counting = countingRing(ring);
    for (const [i, jws] of messages.entries()) {
      await expect(verifyAttestation(attestations[i]!, jws, counting, GATEWAY)).resolves.toEqual({
        tx: `tx-${i}`, sha256: sha256(jws), at: new Date(NOW).toISOString(), checks: ['signature'], ...(i === 2 && { redelivery: true }),
      });
      await expect(verifyAttestation(attestations[i]!, messages[(i + 1) % messages.length]!, ring, GATEWAY)).rejects.toMatchObject({ type: 'client.bad_signature' });
    }
    expect(counting.lookups).toBe(1); // the root's signature was verified once for the five
    const later = await attester.attest('a.b.c', 'tx-9', ['signature']);
    expect(later.split('~')[0]).not.toBe(attestations[0]!.split('~')[0]);
  });

  it('refuses claims moved to another message\'s proof, a changed flag, a changed path, another signer and a malformed text', async () => {
    const { signing, ring } = await gatewayKeys();
    const attester = new Attester(signing, () => NOW);
    const [first, second] = await Promise.all([attester.attest('a.b.c', 'tx-1', ['signature']), attester.attest('d.e.f', 'tx-2', ['signature'])]);
    const [root, claims, proof] = first!.split('~') as [string, string, string];
    const [, otherClaims] = second!.split('~') as [string, string, string];
    await expect(verifyAttestation(`${root}~${otherClaims}~${proof}`, 'd.e.f', ring, GATEWAY)).rejects.toMatchObject({ type: 'client.bad_signature' });
    const flagged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(claims, 'base64url').toString()), redelivery: true })).toString('base64url');
    await expect(verifyAttestation(`${root}~${flagged}~${proof}`, 'a.b.c', ring, GATEWAY)).rejects.toMatchObject({ type: 'client.bad_signature' });
    const otherSide = `${proof[0] === 'l' ? 'r' : 'l'}${proof.slice(1)}`;
    await expect(verifyAttestation(`${root}~${claims}~${otherSide}`, 'a.b.c', ring, GATEWAY)).rejects.toMatchObject({ type: 'client.bad_signature' });
    await expect(verifyAttestation(first!, 'a.b.c', ring, 'VN/GOV/OTHER/GATEWAY')).rejects.toMatchObject({ type: 'client.key_mismatch' });
    await expect(verifyAttestation(root, 'a.b.c', ring, GATEWAY)).rejects.toMatchObject({ type: 'client.malformed' });
    await expect(verifyAttestation(`${root}~${claims}~zz`, 'a.b.c', ring, GATEWAY)).rejects.toMatchObject({ type: 'client.malformed' });
  });

  it('refuses a root signed by another key, even for claims that hash to it', async () => {
    const { ring } = await gatewayKeys();
    const impostor = await generateSigningKey(GATEWAY, 'g1');
    const forged = await new Attester(impostor.signing, () => NOW).attest('a.b.c', 'tx-1', ['signature']);
    await expect(verifyAttestation(forged, 'a.b.c', ring, GATEWAY)).rejects.toMatchObject({ type: 'client.bad_signature' });
  });
});
