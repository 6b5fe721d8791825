/**
 * Answers are bounded: a request that breaks its contract in many places is answered with the
 * first few violations and how many more — a large one (60,000 extra keys) with its first, the
 * gateway not looking for the rest — in an answer a small fraction of the request's size,
 * recorded as what was delivered; a hostile key is cut in the pointer that names it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError, MAX_VIOLATIONS } from '../../gateway/protocol/errors.ts';
import { LARGE_MESSAGE_BYTES } from '../../gateway/pipeline/lanes.ts';
import { sha256 } from '../../gateway/protocol/jws.ts';
import { embeddedBroker } from '../helpers/broker.ts';
import { createTestBus, DANCU, PERSON, VERIFY, verifyHandler, type TestBus } from '../helpers/bus.ts';

describe('bounded answers', () => {
  it(`lists at most ${MAX_VIOLATIONS} violations, counts the rest, and cuts a long pointer`, () => {
    const violations = Array.from({ length: 1000 }, (_, i) => ({ pointer: `/body/${'k'.repeat(i === 0 ? 5000 : 3)}${i}`, message: 'must NOT have additional properties' }));
    const body = new GatewayError('client.contract_violation', 'broken', { violations }).toBody('tx');
    expect(body.violations).toHaveLength(MAX_VIOLATIONS);
    expect(body.moreViolations).toBe(1000 - MAX_VIOLATIONS);
    expect(body.violations![0]!.pointer.length).toBeLessThanOrEqual(200);
    expect(new GatewayError('client.contract_violation', 'one', { violations: violations.slice(1, 2) }).toBody('tx')).not.toHaveProperty('moreViolations');
  });

  describe('on the bus', () => {
    let bus: TestBus;
    beforeAll(async () => {
      bus = await createTestBus(embeddedBroker());
      await bus.provider(DANCU, { 'citizen.verify/v1': verifyHandler });
    });
    afterAll(() => bus.stop());

    it(`lists the first ${MAX_VIOLATIONS} of a small request's many violations and counts the rest`, async () => {
      const client = await bus.client(undefined, { instance: 'many' });
      const many: Record<string, string> = { ...PERSON };
      for (let i = 0; i < 500; i++) many[`x${i}`] = 'y';
      const reply = await client.request(VERIFY, many);
      expect(reply.status === 'error' && { violations: reply.error.violations?.length, more: reply.error.moreViolations }).toEqual({ violations: MAX_VIOLATIONS, more: 500 - MAX_VIOLATIONS });
    });

    it('answers a request with 60,000 extra keys in a few kilobytes, as recorded, and keeps answering others', async () => {
      const client = await bus.client();
      const bomb: Record<string, string> = { ...PERSON };
      for (let i = 0; i < 60_000; i++) bomb[`x${i}`] = 'y';
      const { envelope, jws } = await client.sign('request', VERIFY, bomb);
      const reply = await client.sendSigned(jws, envelope);
      expect(reply.status).toBe('error');
      if (reply.status !== 'error') return;
      expect(reply.error.type).toBe('client.contract_violation');
      // Over LARGE_MESSAGE_BYTES, the gateway stops at the first violation: listing 60,000 costs more than it tells.
      expect(jws.length).toBeGreaterThan(LARGE_MESSAGE_BYTES);
      expect(reply.error.violations).toEqual([{ pointer: '/body/x0', message: 'must NOT have additional properties' }]);
      expect(reply.error.message).toMatch(/only its first violation is listed/);
      expect(reply.jws.length).toBeLessThan(jws.length / 20);
      const record = bus.ledger.records.find((r) => r.messageId === envelope.id)!;
      expect(record).toMatchObject({ outcome: 'client.contract_violation', responseHash: sha256(reply.jws) });
      expect((await client.request(VERIFY, PERSON)).status).toBe('ok');
    }, 60_000);

    it('keeps an honest request going while ten such bombs are answered (latency printed)', async () => {
      const attacker = await bus.client(undefined, { instance: 'attacker' });
      // The fixture catalog lets one province call the service: the honest caller is another instance of it.
      const honest = await bus.client(undefined, { instance: 'honest' });
      const timed = async () => {
        const t0 = performance.now();
        const r = await honest.request(VERIFY, PERSON);
        return { status: r.status, ms: performance.now() - t0 };
      };
      const bomb: Record<string, string> = { ...PERSON };
      for (let i = 0; i < 60_000; i++) bomb[`x${i}`] = 'y';
      // Signed beforehand: what is timed is the gateway's work on them, not the attacker's signing (one process here).
      const signed = await Promise.all(Array.from({ length: 10 }, () => attacker.sign('request', VERIFY, bomb)));
      const baseline = await timed();
      const bombs = Promise.all(signed.map(({ envelope, jws }) => attacker.sendSigned(jws, envelope)));
      const during = await timed();
      const answered = await bombs;
      expect(answered.map((r) => (r.status === 'error' ? r.error.type : r.status))).toEqual(Array(10).fill('client.contract_violation'));
      expect([baseline.status, during.status]).toEqual(['ok', 'ok']);
      console.log(`ten 60,000-key bombs: an honest request took ${baseline.ms.toFixed(0)} ms before and ${during.ms.toFixed(0)} ms while they were answered`);
    }, 120_000);
  });
});
