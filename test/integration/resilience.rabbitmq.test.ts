/**
 * Over real RabbitMQ: every connection of the suite is cut mid-flight (through a proxy of its
 * own, so no one else's connection on the broker is touched), and every accepted request
 * is still answered exactly once; a gateway restarted with a backlog answers all of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Unmatched } from '../../adapters/amqp/client.ts';
import { AMQP_URL, describeRabbit, rabbitBroker } from '../helpers/broker.ts';
import { CAOBANG, createTestBus, DANCU, PERSON, type TestBus, VERIFY, verifyHandler } from '../helpers/bus.ts';
import { restartSuite } from '../helpers/restart-suite.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

function payloadOf(jws: string): { id: string; inReplyTo?: string } {
  return JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8'));
}

describeRabbit('resilience over RabbitMQ', () => {
  describe('every connection of the suite cut mid-flight', () => {
    let bus: TestBus;
    let proxy: TcpProxy;

    beforeAll(async () => {
      proxy = await startTcpProxy(AMQP_URL!);
      bus = await createTestBus(rabbitBroker(5, proxy.url));
    });

    afterAll(async () => {
      await bus?.stop();
      await proxy?.close();
    });

    it('answers every accepted request exactly once', async () => {
      await bus.provider(DANCU, {
        'citizen.verify/v1': async (m) => {
          await new Promise((r) => setTimeout(r, 5));
          return verifyHandler(m);
        },
      });
      const client = await bus.client(CAOBANG);
      const late: Unmatched[] = [];
      client.onUnmatched((u) => late.push(u));

      const total = 400;
      let answered = 0;
      const requests = Array.from({ length: total }, () => client.request(VERIFY, PERSON).then((r) => {
        answered += 1;
        return r;
      }));
      await expect.poll(() => answered, { timeout: 10_000, interval: 5 }).toBeGreaterThan(20);
      const before = answered;
      expect(proxy.dropAll()).toBeGreaterThan(2); // gateway, provider and client connections
      const replies = await Promise.all(requests);

      expect(before).toBeLessThan(total); // the connections really went down mid-flight
      expect(replies).toHaveLength(total);
      const outcomes = replies.map((r) => (r.status === 'ok' ? 'ok' : r.error.type));
      expect(outcomes.filter((o) => o !== 'ok')).toEqual([]);

      // Once: no second, different answer to any request reached the client.
      const answers = new Map<string, Set<string>>();
      for (const r of replies) answers.set(r.envelope.inReplyTo, new Set([r.envelope.id]));
      for (const u of late) {
        const p = payloadOf(u.jws);
        if (p.inReplyTo && answers.has(p.inReplyTo)) answers.get(p.inReplyTo)!.add(p.id);
      }
      expect([...answers.values()].filter((ids) => ids.size > 1)).toEqual([]);
      expect(answers.size).toBe(total);
      for (const id of answers.keys()) expect(bus.ledger.records.filter((r) => r.messageId === id && r.outcome === 'ok')).toHaveLength(1);
    });
  });

  describe('gateway restart', () => {
    restartSuite(() => rabbitBroker());
  });
});
