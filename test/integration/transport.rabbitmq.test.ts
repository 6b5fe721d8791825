import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery, Transport } from '../../gateway/transport/transport.ts';
import { AMQP_URL, describeRabbit, rabbitBroker, type BrokerHandle } from '../helpers/broker.ts';
import { transportConformance } from '../helpers/transport-conformance.ts';

describeRabbit('RabbitMQ transport conformance', () => {
  transportConformance((limit, bounds) => rabbitBroker(limit, undefined, bounds));
});

/**
 * What the broker ends on its own while the connection stays — a consumer cancelled because its
 * queue went, a channel closed for an error — is set up again: nothing stays dead until a restart.
 * The suite deletes only its own prefix's queue and exchange.
 */
describeRabbit('RabbitMQ transport, a consumer or channel ended by the broker', () => {
  const SYSTEM = 'VN/PROV/CAOBANG/MOTCUA';
  let broker: BrokerHandle;
  let transport: Transport;
  let admin: amqp.ChannelModel;
  beforeAll(async () => {
    broker = rabbitBroker();
    transport = await broker.connect('gateway');
    await transport.declare([SYSTEM]);
    admin = await amqp.connect(AMQP_URL!);
  });
  afterAll(async () => {
    await admin?.close();
    await broker?.cleanup([SYSTEM]);
  });

  it('consumes again when the broker cancels its consumer (the queue deleted), and gets what is published after', async () => {
    const inbox = transport.names.inbox(SYSTEM);
    const got: string[] = [];
    await transport.consume(inbox, (d: Delivery) => {
      got.push(d.body.toString());
      d.ack();
    }, { prefetch: 10 });
    const ch = await admin.createChannel();
    await ch.deleteQueue(inbox);
    await ch.close();
    // The transport reconnects, declares the queue again and consumes from it.
    await expect.poll(async () => (await transport.inspect(inbox))?.consumers, { timeout: 20_000 }).toBe(1);
    await transport.publish(inbox, Buffer.from('after'), { messageId: 'after' });
    await expect.poll(() => got, { timeout: 20_000 }).toEqual(['after']);
  }, 60_000);

  it('publishes again after the broker closed its publishing channel (an exchange deleted under it)', async () => {
    const { ingress } = transport.names;
    const ch = await admin.createChannel();
    await ch.deleteExchange(transport.names.entrance(ingress));
    await ch.close();
    await expect(transport.publish(ingress, Buffer.from('lost'), { messageId: 'lost' })).rejects.toMatchObject({ name: 'TransportError' });
    // A reconnect declares the exchange again; publishes are confirmed once more.
    await expect.poll(() => transport.publish(ingress, Buffer.from('again'), { messageId: 'again' }).then(() => 'confirmed', (e: Error) => e.message), { timeout: 20_000, interval: 500 }).toBe('confirmed');
  }, 60_000);
});
