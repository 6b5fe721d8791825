/** A first connection to RabbitMQ that fails says where and what to change. */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connectRabbit } from '../../gateway/transport/rabbitmq.ts';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('connecting to a RabbitMQ that is not there', () => {
  it('names the address, says the connection was refused and how to fix it (TransportError unreachable)', async () => {
    const port = await closedPort();
    const failed = await connectRabbit({ url: `amqp://u:secret@127.0.0.1:${port}`, initialRetries: 0 }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ name: 'TransportError', code: 'TRANSPORT_UNREACHABLE' });
    const { message } = failed as Error;
    expect(message).toMatch(new RegExp(`^cannot reach RabbitMQ at amqp://127\\.0\\.0\\.1:${port}: connection refused — is it running there\\?`));
    expect(message).toMatch(/leave both unset to use the embedded transport/);
    expect(message).not.toContain('secret');
  });

  it('names each node of a cluster when none of them can be reached', async () => {
    const ports = [await closedPort(), await closedPort(), await closedPort()];
    const url = ports.map((p) => `amqp://u:secret@127.0.0.1:${p}`).join(',');
    const failed = await connectRabbit({ url, initialRetries: 2 }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ name: 'TransportError', code: 'TRANSPORT_UNREACHABLE' });
    const { message } = failed as Error;
    expect(message).toContain(`cannot reach RabbitMQ at ${ports.map((p) => `amqp://127.0.0.1:${p}`).join(', ')}`);
    expect(message).not.toContain('secret');
  });
});
