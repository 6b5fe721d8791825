/**
 * Several gateway instances on one bus: each forwards with its own responses queue as `replyTo`,
 * the provider SDK replies there, and so every reply reaches the instance that waits for it.
 * (test/integration/fault-processes kills one of two instances under load on RabbitMQ.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLedger } from '../../gateway/ledger/ledger.ts';
import { createGateway, type Gateway } from '../../gateway/pipeline/gateway.ts';
import { queueNames } from '../../gateway/transport/topology.ts';
import { embeddedBroker } from '../helpers/broker.ts';
import { CAOBANG, createTestBus, DANCU, GATEWAY, PERSON, VERIFY, verifyHandler, type TestBus } from '../helpers/bus.ts';

describe('the responses queue of a gateway instance', () => {
  const names = queueNames('lgsp');

  it('is what a replyTo naming it gives; anything else gives the shared responses queue', () => {
    expect(names.responsesFor(names.responsesOf('gw-a'))).toBe('lgsp.ingress.responses#gw-a');
    expect(names.routingKey('lgsp.ingress.responses#gw-a')).toBe('gw-a');
    expect(names.entrance('lgsp.ingress.responses#gw-a')).toBe('lgsp.to-responses');
    // A forwarded request cannot steer a provider's reply anywhere else: not into an inbox, a reply queue, the default exchange.
    for (const other of [undefined, '', 'lgsp.in.VN/GOV/BCA/DANCU', 'lgsp.reply.VN/PROV/CAOBANG/MOTCUA', 'lgsp.ingress.responses#', 'lgsp.ingress.responses#a/b', 'other.ingress.responses#gw-a']) {
      expect(names.responsesFor(other), String(other)).toBe('lgsp.ingress.responses');
    }
    expect(names.routingKey('lgsp.ingress.responses')).toBe('');
  });
});

describe('two gateway instances on one embedded bus', () => {
  let bus: TestBus;
  let second: Gateway;
  const secondLedger = new MemoryLedger();

  beforeAll(async () => {
    bus = await createTestBus(embeddedBroker(), { instance: 'gw-a' });
    second = createGateway({ transport: await bus.broker.connect('gateway b'), catalog: bus.catalog, key: bus.keys.get(GATEWAY)!, ledger: secondLedger, config: { instance: 'gw-b' } });
    await second.start();
    await bus.provider(DANCU, { 'citizen.verify/v1': verifyHandler });
  });

  afterAll(async () => {
    await second.stop();
    await bus.stop();
  });

  it('answers every request once, each instance finishing what it forwarded', async () => {
    const client = await bus.client(CAOBANG, { timeoutMs: 5000 });
    const replies = await Promise.all(Array.from({ length: 60 }, () => client.request(VERIFY, PERSON)));
    expect(replies.map((r) => (r.status === 'ok' ? 'ok' : r.error.type))).toEqual(replies.map(() => 'ok'));
    const a = bus.ledger.records.filter((r) => r.client === CAOBANG);
    const b = secondLedger.records.filter((r) => r.client === CAOBANG);
    // Both instances took requests, and each recorded its own as answered: none timed out waiting for a reply the other took.
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect(a.length + b.length).toBe(60);
    expect([...a, ...b].every((r) => r.outcome === 'ok' && r.instance === (a.includes(r) ? 'gw-a' : 'gw-b'))).toBe(true);
  });
});
