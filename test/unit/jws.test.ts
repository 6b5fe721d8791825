import { describe, expect, it } from 'vitest';
import { attest, verifyAttestation } from '../../gateway/protocol/attestation.ts';
import { GatewayError } from '../../gateway/protocol/errors.ts';
import { decodeJws, keyFor, sha256, signJws, verifyJws } from '../../gateway/protocol/jws.ts';
import { generateSigningKey, keyRingOf, type PublicKey } from '../../gateway/protocol/keys.ts';
import { importKey } from '../../gateway/protocol/keys.ts';

const SYSTEM = 'VN/PROV/CAOBANG/MOTCUA';
const GATEWAY = 'VN/GOV/LGSP/GATEWAY';

function header(h: object): string {
  return Buffer.from(JSON.stringify(h)).toString('base64url');
}

function typeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as GatewayError).type;
  }
  return undefined;
}

describe('JWS', () => {
  it.each(['EdDSA', 'ES256'] as const)('signs and verifies with %s', async (alg) => {
    const { signing, publicJwk } = await generateSigningKey(SYSTEM, 'k1', alg);
    const ring = keyRingOf([await importKey(SYSTEM, publicJwk)]);
    const jws = await signJws({ hello: 'xin chào' }, signing);
    const decoded = decodeJws(jws);
    expect(decoded.header).toMatchObject({ alg, kid: `${SYSTEM}#k1`, typ: 'lgsp+jws' });
    await expect(verifyJws(decoded, keyFor(decoded, ring))).resolves.toBeUndefined();
    expect(decoded.payload).toEqual({ hello: 'xin chào' });
  });

  it.each([
    ['none', { alg: 'none', kid: `${SYSTEM}#k1`, typ: 'lgsp+jws' }],
    ['HS256', { alg: 'HS256', kid: `${SYSTEM}#k1`, typ: 'lgsp+jws' }],
    ['RS256', { alg: 'RS256', kid: `${SYSTEM}#k1`, typ: 'lgsp+jws' }],
  ])('refuses alg %s (client.bad_algorithm)', (_, h) => {
    expect(typeOf(() => decodeJws(`${header(h)}.e30.AA`))).toBe('client.bad_algorithm');
  });

  it.each(['jku', 'jwk', 'x5u', 'x5c', 'crit'])('refuses a header that carries %s (client.malformed)', (name) => {
    const h = { alg: 'EdDSA', kid: `${SYSTEM}#k1`, typ: 'lgsp+jws', [name]: name === 'crit' ? ['exp'] : 'http://127.0.0.1/' };
    expect(typeOf(() => decodeJws(`${header(h)}.e30.AA`))).toBe('client.malformed');
  });

  it.each([
    ['not three parts', 'a.b'],
    ['a JSON payload that is not an object', `${header({ alg: 'EdDSA', kid: `${SYSTEM}#k1`, typ: 'lgsp+jws' })}.${Buffer.from('[1]').toString('base64url')}.AA`],
    ['a wrong typ', `${header({ alg: 'EdDSA', kid: `${SYSTEM}#k1`, typ: 'JWT' })}.e30.AA`],
    ['a kid that names no system', `${header({ alg: 'EdDSA', kid: 'k1', typ: 'lgsp+jws' })}.e30.AA`],
  ])('refuses %s (client.malformed)', (_, jws) => {
    expect(typeOf(() => decodeJws(jws))).toBe('client.malformed');
  });

  it('refuses a key that signs with another algorithm than the header says (client.unknown_key)', async () => {
    const { publicJwk } = await generateSigningKey(SYSTEM, 'k1', 'ES256');
    const ring = keyRingOf([await importKey(SYSTEM, publicJwk)]);
    const decoded = decodeJws(`${header({ alg: 'EdDSA', kid: `${SYSTEM}#k1`, typ: 'lgsp+jws' })}.e30.AA`);
    expect(typeOf(() => keyFor(decoded, ring))).toBe('client.unknown_key');
  });

  it('attests the exact bytes of a message, and nothing else', async () => {
    const gateway = await generateSigningKey(GATEWAY, 'g1');
    const ring = keyRingOf([(await importKey(GATEWAY, gateway.publicJwk)) as PublicKey]);
    const attestation = await attest('a.b.c', 'tx-1', ['signature'], gateway.signing, new Date('2025-08-22T03:00:00Z'));
    await expect(verifyAttestation(attestation, 'a.b.c', ring, GATEWAY)).resolves.toMatchObject({ tx: 'tx-1', sha256: sha256('a.b.c'), checks: ['signature'] });
    await expect(verifyAttestation(attestation, 'a.b.d', ring, GATEWAY)).rejects.toMatchObject({ type: 'client.bad_signature' });
    await expect(verifyAttestation(attestation, 'a.b.c', ring, 'VN/GOV/OTHER/GATEWAY')).rejects.toMatchObject({ type: 'client.key_mismatch' });
  });
});
