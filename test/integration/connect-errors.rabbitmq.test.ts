/** A wrong virtual host or login on a real RabbitMQ says which, instead of amqplib's frame dump. */
import amqp from 'amqplib';
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { connectRabbit } from '../../gateway/transport/rabbitmq.ts';
import { AMQP_URL, describeRabbit } from '../helpers/broker.ts';

function variant(change: (u: URL) => void): string {
  const u = new URL(AMQP_URL!);
  change(u);
  return u.toString();
}

describeRabbit('connection errors from RabbitMQ', () => {
  it('names a virtual host that does not exist', async () => {
    const url = variant((u) => (u.pathname = '/lgsp-no-such-vhost'));
    await expect(connectRabbit({ url, initialRetries: 0 })).rejects.toThrow(/refused virtual host "lgsp-no-such-vhost" for user ".*": it does not exist or the user has no access/);
  });

  it('names a login the broker refused', async () => {
    const url = variant((u) => {
      u.username = 'lgsp-no-such-user';
      u.password = 'wrong';
    });
    await expect(connectRabbit({ url, initialRetries: 0 })).rejects.toThrow(/refused the login of user "lgsp-no-such-user": check the user and password/);
  });

  it('names a queue an older version left with other arguments, and how to clear it', async () => {
    const prefix = `lgsp-t${randomBytes(4).toString('hex')}`;
    const conn = await amqp.connect(AMQP_URL!);
    const ch = await conn.createChannel();
    await ch.assertQueue(`${prefix}.dead`, { durable: true, arguments: { 'x-queue-type': 'quorum' } }); // as before dead letters were bounded
    const transport = await connectRabbit({ url: AMQP_URL!, prefix, initialRetries: 0 });
    try {
      await expect(transport.declare([])).rejects.toThrow(`queue ${prefix}.dead exists on the broker with other arguments (made by another version of the simulator?): delete it (rabbitmqctl delete_queue ${prefix}.dead) or use another --prefix`);
    } finally {
      await transport.close();
      for (const q of ['ingress', 'ingress.responses', 'dead']) await ch.deleteQueue(`${prefix}.${q}`);
      await ch.deleteExchange(`${prefix}.dlx`);
      await conn.close();
    }
  });
});
