/**
 * The systems around the gateway in the benchmark, run as their own process: a province that
 * sends citizen.verify requests and the population database that answers them. Both messages
 * are signed before the clock starts, as real systems on other machines would have done, so
 * that the run measures the gateway: verifying, checking, attesting and recording both ways.
 */
import { randomUUID } from 'node:crypto';
import { ensureSigningKey } from '../../gateway/home/keys.ts';
import type { RequestEnvelope, ResponseEnvelope } from '../../gateway/protocol/envelope.ts';
import { sha256, signJws } from '../../gateway/protocol/jws.ts';
import { connectRabbit } from '../../gateway/transport/rabbitmq.ts';
import { BODY, CLIENT, PROVIDER, SERVICE, type GatewayPeerInput } from './scenario.ts';
import { drive, rssPeak } from './stats.ts';

async function main(input: GatewayPeerInput): Promise<void> {
  const clientKey = await ensureSigningKey(input.home, CLIENT);
  const providerKey = await ensureSigningKey(input.home, PROVIDER);
  const requests: { id: string; jws: string }[] = [];
  const replies = new Map<string, string>();
  for (let i = 0; i < input.count; i++) {
    const request: RequestEnvelope = { v: 1, kind: 'request', id: randomUUID(), client: CLIENT, service: SERVICE, at: new Date().toISOString(), body: BODY };
    const jws = await signJws(request, clientKey);
    const reply: ResponseEnvelope = {
      v: 1, kind: 'response', id: randomUUID(), client: CLIENT, service: SERVICE, at: new Date().toISOString(),
      inReplyTo: request.id, requestHash: sha256(jws), status: 'ok', body: { match: true, differences: [] },
    };
    requests.push({ id: request.id, jws });
    replies.set(request.id, await signJws(reply, providerKey));
  }

  const provider = await connectRabbit({ url: input.url, prefix: input.prefix, name: 'lgsp bench provider' });
  const client = await connectRabbit({ url: input.url, prefix: input.prefix, name: 'lgsp bench client' });
  const prefetch = 'concurrency' in input.mode ? input.mode.concurrency : 1000;
  await provider.consume(provider.names.inbox(PROVIDER), async (d) => {
    const reply = replies.get(d.props.messageId ?? '');
    if (reply) {
      await provider.publish(provider.names.responsesFor(d.props.replyTo), Buffer.from(reply), { messageId: d.props.messageId, correlationId: d.props.correlationId, type: 'response', appId: PROVIDER });
    }
    d.ack();
  }, { prefetch });
  const waiting = new Map<string, (ok: boolean) => void>();
  await client.consume(client.names.replies(CLIENT), (d) => {
    waiting.get(d.props.correlationId ?? '')?.(d.props.headers?.['x-lgsp-error'] === undefined);
    d.ack();
  }, { prefetch: 2000 });

  const memory = rssPeak();
  const result = await drive(input.count, (i) => new Promise<boolean>((resolve, reject) => {
    const { id, jws } = requests[i]!;
    waiting.set(id, (ok) => {
      waiting.delete(id);
      resolve(ok);
    });
    client.publish(client.names.ingress, Buffer.from(jws), { messageId: id, appId: CLIENT, type: 'request' }).catch(reject);
  }), input.mode);
  process.send!({ ...result, peakRssMb: memory.stop() });
  await client.close();
  await provider.close();
}

process.once('message', (input: GatewayPeerInput) => void main(input).catch((err) => {
  process.send!({ error: String(err) });
}));
