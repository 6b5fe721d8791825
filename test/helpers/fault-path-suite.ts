/**
 * The message path under replays and faults, pinned once and run over each transport: the ledger
 * owning "seen this message" across restarts, a request forwarded again after a gateway dies,
 * junk on the responses queue, and a backlog waiting for its provider after a restart.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayClient } from '../../adapters/amqp/client.ts';
import { NO_REPLY, type HandlerResult, type ServiceProvider } from '../../adapters/amqp/provider.ts';
import { sha256, signJws } from '../../gateway/protocol/jws.ts';
import type { BrokerHandle } from './broker.ts';
import { CAOBANG, createTestBus, DANCU, PERSON, type TestBus, VERIFY, verifyHandler } from './bus.ts';
import { expectGatewayError } from './gateway-error.ts';

export function faultPathSuite(makeBroker: () => BrokerHandle): void {
  let bus: TestBus;
  let client: GatewayClient;
  let lookups = 0;
  let dancu: ServiceProvider;

  beforeAll(async () => {
    bus = await createTestBus(makeBroker());
    dancu = await bus.provider(DANCU, {
      'citizen.verify/v1': verifyHandler,
      'citizen.lookup/v1': () => {
        lookups += 1;
        return { body: { fullName: 'Nông Văn A' } };
      },
    });
    client = await bus.client(CAOBANG);
  });

  afterAll(async () => {
    await bus?.stop();
  });

  describe('the ledger owns “seen this message”', () => {
    it('refuses a new body under an id it answered, after the gateway restarts, and records the refusal (client.replay)', async () => {
      const first = await client.sign('request', VERIFY, PERSON, { id: randomUUID() });
      expect((await client.sendSigned(first.jws, first.envelope)).status).toBe('ok');
      // A restart forgets everything in memory, as the end of the clock window does: only the ledger remembers.
      await bus.gateway.stop();
      await bus.startGateway();
      const before = lookups;
      const second = await client.sign('request', `${DANCU}/citizen.lookup/v1`, { idNumber: '004190000001', purpose: 'hồ sơ' }, { id: first.envelope.id, userId: 'CB-0042' });
      const reply = await client.sendSigned(second.jws, second.envelope);
      await expectGatewayError(bus, reply, 'client.replay');
      if (reply.status === 'error') expect(reply.error.message).toContain(bus.ledger.records.find((r) => r.messageId === first.envelope.id && r.outcome === 'ok')!.tx);
      expect(lookups).toBe(before); // the personal record was never looked up
      expect(bus.ledger.records.filter((r) => r.messageId === first.envelope.id).map((r) => r.outcome).sort()).toEqual(['client.replay', 'ok']);
    });
  });

  describe('after a fault', () => {
    it('forwards a request again under the same transaction, marked as a redelivery, and answers the client once', async () => {
      const seen: Array<{ tx?: string; redelivery: boolean }> = [];
      let release!: () => void;
      const slow = new Promise<void>((r) => (release = r));
      await dancu.pause(); // this test's provider alone serves the population database
      const provider = await bus.provider(DANCU, {
        'citizen.verify/v1': async (m) => {
          seen.push({ tx: m.tx, redelivery: m.redelivery });
          if (seen.length === 1) await slow; // the first delivery is in hand when the gateway dies
          return verifyHandler(m);
        },
      });
      const victim = await bus.client(CAOBANG, { instance: 'fault', timeoutMs: 20_000 });
      const answer = victim.request(VERIFY, PERSON);
      await expect.poll(() => seen.length).toBe(1);
      // The gateway dies: its connection drops, and the request it held goes back to the ingress queue.
      await bus.gatewayTransport.close();
      await bus.startGateway();
      await expect.poll(() => seen.length).toBe(2);
      release();
      const reply = await answer;
      expect(reply.status).toBe('ok');
      expect(seen[1]).toEqual({ tx: seen[0]!.tx, redelivery: true });
      expect(seen[0]!.redelivery).toBe(false);
      await expect.poll(() => bus.ledger.records.filter((r) => r.tx === seen[0]!.tx).map((r) => r.outcome)).toEqual(['ok']);
      expect(reply.tx).toBe(seen[0]!.tx);
      await provider.stop();
      await dancu.resume();
    });
  });

  describe('the responses queue', () => {
    it('does not let junk under a pending transaction end it: the provider’s own reply still answers', async () => {
      const raw = await bus.broker.connect('junk publisher');
      await dancu.pause(); // this test's provider alone serves the population database
      const provider = await bus.provider(DANCU, {
        'citizen.verify/v1': async (m) => {
          // Someone able to publish to the responses queue sends junk under this very transaction first.
          await raw.publish(raw.names.responses, Buffer.from('junk'), { correlationId: m.tx, type: 'response' });
          await raw.publish(raw.names.responses, Buffer.from(await client.sign('request', VERIFY, PERSON).then((x) => x.jws)), { correlationId: m.tx, type: 'response' });
          await new Promise((r) => setTimeout(r, 100));
          return verifyHandler(m);
        },
      });
      const reply = await client.request(VERIFY, PERSON);
      expect(reply.status).toBe('ok');
      expect(reply.signedBy).toBe('provider');
      await provider.stop();
      await dancu.resume();
    });
  });

  describe('a reply that lost its correlation', () => {
    it('is set aside and named at the deadline: a signed reply without the request\'s correlationId', async () => {
      const raw = await bus.broker.connect('forgetful provider');
      await dancu.pause(); // this test's provider alone serves the population database
      const { envelope, jws } = await client.sign('request', VERIFY, PERSON);
      const provider = await bus.provider(DANCU, {
        'citizen.verify/v1': async (): Promise<HandlerResult> => {
          // A provider in another language, replying properly signed but without copying correlationId.
          const reply = {
            v: 1, kind: 'response', id: randomUUID(), client: CAOBANG, service: VERIFY, at: new Date().toISOString(),
            inReplyTo: envelope.id, requestHash: sha256(jws), status: 'ok', body: { match: true, differences: [] },
          };
          await raw.publish(raw.names.responses, Buffer.from(await signJws(reply, bus.keys.get(DANCU)!)), { type: 'response', contentType: 'application/jose' });
          return NO_REPLY;
        },
      });
      const answer = await client.sendSigned(jws, envelope);
      expect(answer).toMatchObject({ status: 'error', signedBy: 'gateway', error: { type: 'server.provider_timeout' } });
      expect(answer.status === 'error' && answer.error.message).toMatch(/the reply has no correlationId/);
      await provider.stop();
      await dancu.resume();
    });
  });

  describe('after a gateway restart', () => {
    it('gives a backlog a grace period for its provider to come back, instead of failing it as unavailable', async () => {
      await bus.gateway.stop();
      await dancu.pause(); // the provider is down too while the gateway is away
      const victim = await bus.client(CAOBANG, { instance: 'backlog', timeoutMs: 20_000 });
      const answers = Array.from({ length: 5 }, () => victim.request(VERIFY, PERSON));
      await expect.poll(async () => (await bus.gatewayTransport.inspect(bus.gatewayTransport.names.ingress))?.messages ?? 0).toBeGreaterThanOrEqual(5);
      await bus.startGateway(); // the gateway is back first; its providers a moment later
      setTimeout(() => void dancu.resume(), 300);
      const replies = await Promise.all(answers);
      expect(replies.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    });
  });
}
