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

describe('connecting to a port that takes the connection and never answers', () => {
  it('gives up the opening handshake after its bound and says what the port may be (TransportError unreachable)', async () => {
    // A listener that accepts and says nothing: the opening handshake would wait for good without its bound.
    const sockets = new Set<import('node:net').Socket>();
    const silent = createServer((s) => void sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as { port: number };
    try {
      const failed = await connectRabbit({ url: `amqp://127.0.0.1:${port}`, initialRetries: 1, openTimeoutMs: 300 }).catch((e: unknown) => e);
      expect(failed).toMatchObject({ name: 'TransportError', code: 'TRANSPORT_UNREACHABLE' });
      expect((failed as Error).message).toMatch(new RegExp(`^amqp://127\\.0\\.0\\.1:${port} took the connection but did not answer as RabbitMQ does`));
      expect(sockets.size, 'each try opened a connection of its own').toBe(2);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
