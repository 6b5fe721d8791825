import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery, Transport } from '../../gateway/transport/transport.ts';
import { connectRabbit } from '../../gateway/transport/rabbitmq.ts';
import { AMQP_URL, describeRabbit, rabbitBroker, type BrokerHandle } from '../helpers/broker.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
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

/**
 * amqplib's recovery can stall for good: when a reconnect's setup fails and the broker's
 * `close-ok` to the connection amqplib then closes never arrives (the socket ends first), it waits
 * on that close forever and tries nothing more. The transport sees a recovery that has made no
 * try for a while and starts one afresh. The suite's connection goes through a proxy of its own,
 * which loses that one `close-ok`; only its own prefix's queue is touched.
 */
describeRabbit('RabbitMQ transport, a recovery that stalls inside amqplib', () => {
  const SYSTEM = 'VN/PROV/CAOBANG/MOTCUA';
  let proxy: TcpProxy;
  let broker: BrokerHandle;
  let admin: amqp.ChannelModel;
  beforeAll(async () => {
    proxy = await startTcpProxy(AMQP_URL!);
    broker = rabbitBroker(5, proxy.url);
    admin = await amqp.connect(AMQP_URL!);
  });
  afterAll(async () => {
    await admin?.close();
    await broker?.cleanup([SYSTEM]);
    await proxy?.close();
  });

  it('reconnects afresh when a reconnect stopped trying (a setup failed and its close was never confirmed), and consumes again', async () => {
    const tries: string[] = [];
    const transport = await connectRabbit({
      url: proxy.url, prefix: broker.prefix, name: `${broker.prefix} stall`, recoveryStallMs: 2000, onAttemptFailed: (err) => tries.push(err.message),
    });
    try {
      await transport.declare([SYSTEM]);
      const inbox = transport.names.inbox(SYSTEM);
      const got: string[] = [];
      await transport.consume(inbox, (d: Delivery) => {
        got.push(d.body.toString());
        d.ack();
      }, { prefetch: 10 });
      // The queue replaced by one of other arguments: the consumer is cancelled, the reconnect's
      // setup fails on it, amqplib closes that connection, and the proxy loses the broker's close-ok.
      proxy.loseCloseOk(true);
      const ch = await admin.createChannel();
      await ch.deleteQueue(inbox);
      await ch.assertQueue(inbox, { durable: true });
      await expect.poll(() => proxy.closeOksLost, { timeout: 20_000 }).toBeGreaterThan(0);
      proxy.loseCloseOk(false);
      await ch.deleteQueue(inbox);
      await ch.close();
      // No try follows the stalled close; the transport starts a recovery afresh, which sets everything up again.
      await expect.poll(() => transport.isConnected(), { timeout: 30_000 }).toBe(true);
      expect(tries.some((t) => /no reconnect attempt in 2000 ms: reconnecting afresh/.test(t)), tries.join('; ')).toBe(true);
      await expect.poll(async () => (await transport.inspect(inbox))?.consumers, { timeout: 20_000 }).toBe(1);
      await transport.publish(inbox, Buffer.from('after'), { messageId: 'after' });
      await expect.poll(() => got, { timeout: 20_000 }).toEqual(['after']);
    } finally {
      await transport.close();
    }
  }, 90_000);

  it('closes even when the broker never confirms the close (its close-ok lost with the socket)', async () => {
    const transport = await connectRabbit({ url: proxy.url, prefix: broker.prefix, name: `${broker.prefix} closing` });
    await transport.declare([SYSTEM]);
    const lostBefore = proxy.closeOksLost;
    proxy.loseCloseOk(true);
    try {
      // Without its bound this would wait for good: the test's own timeout would end it.
      await transport.close();
      expect(proxy.closeOksLost).toBe(lostBefore + 1);
      expect(transport.isConnected()).toBe(false);
    } finally {
      proxy.loseCloseOk(false);
    }
  }, 30_000);
});
