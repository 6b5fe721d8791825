/**
 * The raw baseline, run as its own process: plain amqplib request/reply between a client and
 * a server connection (noDelay, a reply queue, correlation ids), no gateway, no signing.
 */
import amqp from 'amqplib';
import { randomUUID } from 'node:crypto';
import type { RawPeerInput } from './scenario.ts';
import { drive, rssPeak } from './stats.ts';

async function main(input: RawPeerInput): Promise<void> {
  const server = await amqp.connect(input.url, { noDelay: true });
  const client = await amqp.connect(input.url, { noDelay: true });
  const sch = await server.createChannel();
  await sch.assertQueue(input.queue, { durable: false, autoDelete: true });
  await sch.prefetch(input.concurrency);
  await sch.consume(input.queue, (msg) => {
    if (!msg) return;
    sch.sendToQueue(msg.properties.replyTo, msg.content, { correlationId: msg.properties.correlationId });
    sch.ack(msg);
  });
  const cch = await client.createChannel();
  const { queue: replyQueue } = await cch.assertQueue('', { exclusive: true });
  const waiting = new Map<string, () => void>();
  await cch.consume(replyQueue, (msg) => {
    if (msg) waiting.get(msg.properties.correlationId)?.();
  }, { noAck: true });
  const payload = Buffer.alloc(input.payloadBytes, 'x');
  const memory = rssPeak();
  const result = await drive(input.count, () => new Promise<boolean>((resolve) => {
    const id = randomUUID();
    waiting.set(id, () => {
      waiting.delete(id);
      resolve(true);
    });
    cch.sendToQueue(input.queue, payload, { correlationId: id, replyTo: replyQueue });
  }), { concurrency: input.concurrency });
  process.send!({ ...result, peakRssMb: memory.stop() });
  await client.close();
  await server.close();
}

process.once('message', (input: RawPeerInput) => void main(input).catch((err) => {
  process.send!({ error: String(err) });
}));
