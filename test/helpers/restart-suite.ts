/** A gateway stopped and started again with requests waiting in its queue: every one answered. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrokerHandle } from './broker.ts';
import { CAOBANG, createTestBus, DANCU, PERSON, type TestBus, VERIFY, verifyHandler } from './bus.ts';


export function restartSuite(makeBroker: () => BrokerHandle): void {
  let bus: TestBus;

  beforeAll(async () => {
    bus = await createTestBus(makeBroker());
  });

  afterAll(async () => {
    await bus?.stop();
  });

  it('answers every request that waited in its queue while the gateway was down', async () => {
    await bus.provider(DANCU, { 'citizen.verify/v1': verifyHandler });
    const client = await bus.client(CAOBANG);
    expect((await client.request(VERIFY, PERSON)).status).toBe('ok');

    await bus.gateway.stop();
    await bus.gatewayTransport.close();
    const waiting = Array.from({ length: 50 }, () => client.request(VERIFY, PERSON));
    const probe = await bus.broker.connect('probe');
    await expect.poll(async () => (await probe.inspect(probe.names.ingress))?.messages).toBe(50);

    await bus.startGateway();
    const replies = await Promise.all(waiting);
    expect(replies.map((r) => r.status)).toEqual(Array(50).fill('ok'));
    const ids = replies.map((r) => r.envelope.inReplyTo);
    expect(new Set(ids).size).toBe(50);
    for (const id of ids) expect(bus.ledger.records.filter((r) => r.messageId === id)).toHaveLength(1);
  });
}
