import { describe, expect, it } from 'vitest';
import { Attester, verifyAttestation } from '../../gateway/protocol/attestation.ts';
import { GatewayError } from '../../gateway/protocol/errors.ts';
import { decodeJws, keyFor, lowS, sha256, signJws, verifyJws } from '../../gateway/protocol/jws.ts';
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

  it('signs ES256 in low-S form only, while a high-S twin still verifies (its bytes differ: a replay, see the message path)', async () => {
    const order = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const { signing, publicJwk } = await generateSigningKey(SYSTEM, 'k1', 'ES256');
    const ring = keyRingOf([await importKey(SYSTEM, publicJwk)]);
    const sOf = (j: string) => BigInt(`0x${Buffer.from(j.split('.')[2]!, 'base64url').subarray(32).toString('hex')}`);
    const signed = await Promise.all(Array.from({ length: 40 }, () => signJws({ hello: 1 }, signing)));
    expect(signed.every((j) => sOf(j) <= order / 2n)).toBe(true);
    const [h, p, sig] = signed[0]!.split('.') as [string, string, string];
    const bytes = Buffer.from(sig, 'base64url');
    const twin = `${h}.${p}.${Buffer.concat([bytes.subarray(0, 32), Buffer.from((order - sOf(signed[0]!)).toString(16).padStart(64, '0'), 'hex')]).toString('base64url')}`;
    await expect(verifyJws(decodeJws(twin), keyFor(decodeJws(twin), ring))).resolves.toBeUndefined();
    expect(lowS(twin)).toBe(signed[0]);
  });

  it.each(['EdDSA', 'ES256'] as const)('refuses a %s signature whose last base64url character is not canonical: other bytes, the same signature (client.malformed)', async (alg) => {
    const { signing } = await generateSigningKey(SYSTEM, 'k1', alg);
    const jws = await signJws({ hello: 'xin chào' }, signing);
    const [h, p, sig] = jws.split('.') as [string, string, string];
    // 64 bytes are 86 characters whose last carries 2 unused bits: set one, the bytes stay the same.
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = `${sig.slice(0, -1)}${ALPHABET[ALPHABET.indexOf(sig.at(-1)!) | 1]}`;
    expect(Buffer.from(twin, 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
    expect(twin).not.toBe(sig);
    expect(typeOf(() => decodeJws(`${h}.${p}.${twin}`))).toBe('client.malformed');
    expect(typeOf(() => decodeJws(jws))).toBeUndefined();
  });

  it('refuses a key given twice in the payload or the header, naming it (client.malformed)', () => {
    const h = header({ alg: 'EdDSA', kid: `${SYSTEM}#k1`, typ: 'lgsp+jws' });
    const twice = Buffer.from('{"client":"VN/PROV/A/B","client":"VN/PROV/C/D"}').toString('base64url');
    let err: GatewayError | undefined;
    try {
      decodeJws(`${h}.${twice}.AA`);
    } catch (e) {
      err = e as GatewayError;
    }
    expect(err).toMatchObject({ type: 'client.malformed' });
    expect(err?.violations).toEqual([{ pointer: '/client', message: 'appears more than once' }]);
    const headerTwice = Buffer.from(`{"alg":"EdDSA","kid":"${SYSTEM}#k1","typ":"lgsp+jws","alg":"none"}`).toString('base64url');
    expect(typeOf(() => decodeJws(`${headerTwice}.e30.AA`))).toBe('client.malformed');
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
    const attestation = await new Attester(gateway.signing, () => Date.parse('2025-08-22T03:00:00Z')).attest('a.b.c', 'tx-1', ['signature']);
    await expect(verifyAttestation(attestation, 'a.b.c', ring, GATEWAY)).resolves.toMatchObject({ tx: 'tx-1', sha256: sha256('a.b.c'), checks: ['signature'] });
    await expect(verifyAttestation(attestation, 'a.b.d', ring, GATEWAY)).rejects.toMatchObject({ type: 'client.bad_signature' });
    await expect(verifyAttestation(attestation, 'a.b.c', ring, 'VN/GOV/OTHER/GATEWAY')).rejects.toMatchObject({ type: 'client.key_mismatch' });
  });
});
