/** A wrong virtual host or login on a real RabbitMQ says which, instead of amqplib's frame dump. */
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
});
