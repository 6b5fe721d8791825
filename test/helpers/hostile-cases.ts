/**
 * Generated hostile messages for the bus, after the trust findings: malformed JWS, algorithm
 * confusion, foreign and unknown keys, tampered payloads, keys given twice, ids reused with
 * another body, stale or future clocks, forbidden header parameters, oversized and deep input.
 * Each case says which gateway error types may answer it; none may be answered `ok`.
 */
import { randomUUID } from 'node:crypto';
import type { RequestEnvelope } from '../../gateway/protocol/envelope.ts';
import type { ErrorType } from '../../gateway/protocol/errors.ts';
import { generateSigningKey, type SigningKey } from '../../gateway/protocol/keys.ts';
import { seededRandom } from '../../mocks/data/random.ts';
import { CAOBANG, DIENBIEN, PERSON, VERIFY } from './bus.ts';
import { craft, craftText, envelope, tamper } from './craft.ts';

export interface HostileCase {
  readonly family: string;
  /** What is published, as text. */
  readonly jws: string;
  /** The envelope the sender claims (its id correlates the answer). */
  readonly envelope: RequestEnvelope;
  readonly expected: readonly ErrorType[];
}

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/**
 * `count` hostile cases signed (where signed) with `keys` of the fixture catalog; `used` are
 * envelopes already answered, whose ids the id-reuse cases take again with another body (one each).
 */
export async function hostileCases(count: number, keys: ReadonlyMap<string, SigningKey>, used: readonly RequestEnvelope[], seed = 2025): Promise<HostileCase[]> {
  let reused = 0;
  const rnd = seededRandom(seed);
  const own = keys.get(CAOBANG)!;
  const other = keys.get(DIENBIEN)!;
  const stranger = (await generateSigningKey(CAOBANG, 'unregistered')).signing;
  const header = (k: SigningKey, extra: Record<string, unknown> = {}) => ({ alg: k.alg, kid: k.kid, typ: 'lgsp+jws', ...extra });
  const families: Array<() => Promise<HostileCase>> = [
    async () => {
      const e = envelope();
      const junk = ['', 'x', '...', 'a.b', 'a.b.c.d', `${b64('{')}.${b64('{}')}.AA`, `${b64({ alg: 'EdDSA' })}.@@@.AA`, Buffer.from(Array.from({ length: 64 }, () => Math.floor(rnd() * 256))).toString('latin1')];
      return { family: 'malformed JWS', jws: junk[Math.floor(rnd() * junk.length)]!, envelope: e, expected: ['client.malformed', 'client.bad_algorithm'] };
    },
    async () => {
      const e = envelope();
      const algs = ['none', 'HS256', 'HS512', 'RS256', 'PS256', 'ES512', 'EdDSA256'];
      const alg = algs[Math.floor(rnd() * algs.length)]!;
      return { family: 'algorithm confusion', jws: `${b64({ alg, kid: own.kid, typ: 'lgsp+jws' })}.${b64(e)}.${alg === 'none' ? '' : 'AAAA'}`, envelope: e, expected: alg === 'none' ? ['client.bad_algorithm', 'client.malformed'] : ['client.bad_algorithm'] };
    },
    async () => {
      const e = envelope();
      return { family: 'HMAC keyed with public bytes', jws: await craft(e, { alg: 'HS256', kid: own.kid, typ: 'lgsp+jws' }, new TextEncoder().encode(own.kid)), envelope: e, expected: ['client.bad_algorithm'] };
    },
    async () => {
      const e = envelope();
      return { family: 'another system’s key', jws: await craft(e, header(other), other.key), envelope: e, expected: ['client.key_mismatch'] };
    },
    async () => {
      const e = envelope();
      return { family: 'unknown key', jws: await craft(e, header(stranger), stranger.key), envelope: e, expected: ['client.unknown_key'] };
    },
    async () => {
      const e = envelope();
      const fields = ['fullName', 'idNumber', 'dateOfBirth'] as const;
      const f = fields[Math.floor(rnd() * fields.length)]!;
      const forged = { ...e, body: { ...PERSON, [f]: `${PERSON[f]}x` } };
      return { family: 'tampered payload', jws: tamper(await craft(e, header(own), own.key), forged), envelope: e, expected: ['client.bad_signature'] };
    },
    async () => {
      const e = envelope();
      const text = JSON.stringify(e);
      const twice = rnd() < 0.5 ? `{"client":"${DIENBIEN}",${text.slice(1)}` : `{"body":{"idNumber":"001099000001"},${text.slice(1)}`;
      return { family: 'key given twice', jws: await craftText(twice, header(own), own.key), envelope: e, expected: ['client.malformed'] };
    },
    async () => {
      const e = envelope({ id: used[reused++ % used.length]!.id, body: { ...PERSON, fullName: `Người ${Math.floor(rnd() * 1e6)}` } });
      return { family: 'id reused with another body', jws: await craft(e, header(own), own.key), envelope: e, expected: ['client.replay'] };
    },
    async () => {
      const skew = (rnd() < 0.5 ? -1 : 1) * (301 + Math.floor(rnd() * 86_400)) * 1000;
      const e = envelope({ at: new Date(Date.now() + skew).toISOString() });
      return { family: 'clock outside the window', jws: await craft(e, header(own), own.key), envelope: e, expected: ['client.clock_skew'] };
    },
    async () => {
      const e = envelope();
      const extra = [{ jku: 'http://127.0.0.1/keys' }, { jwk: { kty: 'OKP' } }, { x5u: 'http://127.0.0.1/x' }, { crit: ['exp'] }][Math.floor(rnd() * 4)]!;
      // Refused before any signature is read, so none is needed (jose would not sign `crit` anyway).
      return { family: 'forbidden header parameter', jws: `${b64(header(own, extra))}.${b64(e)}.AAAA`, envelope: e, expected: ['client.malformed'] };
    },
    async () => {
      const e = envelope({ body: { ...PERSON, fullName: 'x'.repeat(100 + Math.floor(rnd() * 5000)) } });
      return { family: 'contract breach', jws: await craft(e, header(own), own.key), envelope: e, expected: ['client.contract_violation'] };
    },
    async () => {
      const e = envelope();
      const depth = 2000 + Math.floor(rnd() * 20_000);
      return { family: 'deep input', jws: `${b64(header(own))}.${b64('['.repeat(depth))}.AA`, envelope: e, expected: ['client.malformed'] };
    },
    async () => {
      const e = envelope({ client: 'VN/PROV/../MOTCUA', service: `${VERIFY}/../x` });
      return { family: 'identifier tricks', jws: await craft(e, header(own), own.key), envelope: e, expected: ['client.malformed', 'client.key_mismatch'] };
    },
  ];
  const cases: HostileCase[] = [];
  // Families in turn; the id-reuse family needs one answered envelope per case.
  for (let i = 0; i < count; i++) cases.push(await families[i % families.length]!());
  // A few oversized ones: each is over a mebibyte, so only a handful.
  for (let i = 0; i < 3; i++) {
    const e = envelope({ id: randomUUID() });
    cases.push({ family: 'oversized', jws: `${b64(header(own))}.${'A'.repeat(1024 * 1024 + 10)}.AA`, envelope: e, expected: ['client.too_large'] });
  }
  return cases;
}
