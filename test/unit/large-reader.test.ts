/**
 * The large-message reader (gateway/pipeline/large-reader.ts): a JWS read on its thread comes back
 * as the gateway's thread would read it — the envelope as signed, its body a stand-in with the
 * body's first violation, or the very error decodeJws refuses it with — and a reader without its
 * thread (stopped) reads on the gateway's thread with the same results.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../gateway/protocol/errors.ts';
import { decodeJws, signJws } from '../../gateway/protocol/jws.ts';
import { generateSigningKey, type SigningKey } from '../../gateway/protocol/keys.ts';
import { LargeReader } from '../../gateway/pipeline/large-reader.ts';
import { signEnvelope, signEnvelopeText } from '../../adapters/amqp/reply.ts';

const SERVICE = 'VN/GOV/BCA/DANCU/citizen.verify/v1';
const SCHEMA = { type: 'object', required: ['idNumber'], properties: { idNumber: { type: 'string', pattern: '^\\d{12}$' } }, additionalProperties: false };
const log = pino({ level: 'silent' });

describe('the large-message reader', () => {
  let key: SigningKey;
  let onThread: LargeReader;
  let withoutThread: LargeReader;
  beforeAll(async () => {
    key = (await generateSigningKey('VN/PROV/CAOBANG/MOTCUA', 'k1', 'EdDSA')).signing;
    onThread = new LargeReader({ [SERVICE]: SCHEMA }, log);
    withoutThread = new LargeReader({ [SERVICE]: SCHEMA }, log);
    await withoutThread.stop(); // a stopped reader starts no thread: it reads where it is called
  });
  afterAll(() => onThread.stop());

  it('reads on a thread of its own once it has read, and on the caller\'s once stopped', async () => {
    await onThread.read('not a jws').catch(() => undefined);
    expect([onThread.threaded, withoutThread.threaded]).toEqual([true, false]);
  });

  const envelope = (body: unknown, service = SERVICE) => ({ v: 1, kind: 'request', id: 'a7c0e5c2-0000-4000-8000-000000000001', client: 'VN/PROV/CAOBANG/MOTCUA', service, at: '2026-12-02T00:00:00Z', body });
  const big = (extra: number) => {
    const body: Record<string, string> = { idNumber: '004190000001' };
    for (let i = 0; i < extra; i++) body[`x${i}`] = 'y';
    return body;
  };

  for (const [where, reader] of [['on its thread', () => onThread], ['without its thread', () => withoutThread]] as const) {
    describe(where, () => {
      it('hands back the envelope as signed, its body a stand-in with no violation', async () => {
        const jws = await signJws(envelope({ idNumber: '004190000001' }), key);
        const read = await reader().read(jws);
        expect(read.header).toEqual(decodeJws(jws).header);
        expect(read.payload).toEqual({ ...envelope({}) });
        expect(read.bodyRead).toEqual({ service: SERVICE, violation: null });
      });

      it("names a body's first violation only, of 60,000", async () => {
        const read = await reader().read(await signJws(envelope(big(60_000)), key));
        expect(read.bodyRead).toEqual({ service: SERVICE, violation: { pointer: '/body/x0', message: 'must NOT have additional properties' } });
      });

      it('leaves a body of an unknown service unchecked', async () => {
        const read = await reader().read(await signJws(envelope(big(3), 'VN/GOV/NOBODY/x.y/v1'), key));
        expect(read.bodyRead).toBe('unchecked');
      });

      it('refuses what decodeJws refuses, with the same error', async () => {
        const signed = await signJws(envelope({}), key);
        const [h, , s] = signed.split('.');
        const repeated = `${h}.${Buffer.from('{"v":1,"body":{"a":1,"a":2}}').toString('base64url')}.${s}`;
        for (const text of ['not a jws', `${h}.${Buffer.from('[1]').toString('base64url')}.${s}`, repeated]) {
          const expected = (() => {
            try {
              decodeJws(text);
            } catch (err) {
              return err as GatewayError;
            }
            throw new Error('decodeJws took it');
          })();
          const got = await reader().read(text).then(() => undefined, (err: unknown) => err);
          expect(got).toBeInstanceOf(GatewayError);
          expect({ type: (got as GatewayError).type, message: (got as GatewayError).message, violations: (got as GatewayError).violations })
            .toEqual({ type: expected.type, message: expected.message, violations: expected.violations });
        }
      });
    });
  }

  it("signs a body given as canonical text into the very bytes signEnvelope makes of the object", async () => {
    const body = { idNumber: '004190000001', nested: { a: [1, 'hai', null] } };
    const read = await onThread.canonicalObject(`{ "idNumber" : "004190000001", "nested": {"a": [1, "hai", null]} }`);
    expect(read).toEqual({ ok: true, text: JSON.stringify(body) });
    const options = { id: 'a7c0e5c2-0000-4000-8000-000000000009', userId: 'CB-1' };
    const now = Date.parse('2026-12-02T00:00:00Z');
    const fromText = await signEnvelopeText(key, 'request', SERVICE, read.ok ? read.text : '', options, now);
    expect(fromText.jws).toBe((await signEnvelope(key, 'request', SERVICE, body, options, now)).jws);
    expect(await onThread.canonicalObject('{"a":1,"a":2}')).toEqual({ ok: false, why: 'repeated key', pointer: '/a' });
    expect(await onThread.canonicalObject('[1]')).toEqual({ ok: false, why: 'not an object' });
  });
});
