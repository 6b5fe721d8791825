/**
 * The durable relay: the limit a gateway that keeps its guarantees is measured against. It moves
 * the bytes along the very hops a gateway transaction crosses, through the same transport (quorum
 * queues, persistent messages, publisher confirms): client → ingress → provider inbox →
 * responses → client replies. A request stays unacknowledged until its answer is confirmed on the
 * client's reply queue, as in the gateway. Nothing is checked, signed or recorded.
 */
import type { Consumer, Delivery, Transport } from '../../gateway/transport/transport.ts';

export interface Relay {
  stop(): Promise<void>;
}

export async function startRelay(transport: Transport, client: string, provider: string, prefetch: { requests: number; replies: number }): Promise<Relay> {
  const names = transport.names;
  await transport.declare([client, provider]);
  const held = new Map<string, Delivery>();
  const consumers: Consumer[] = [
    await transport.consume(names.ingress, async (request) => {
      const id = request.props.messageId ?? '';
      held.set(id, request);
      await transport.publish(names.inbox(provider), request.body, { messageId: id, correlationId: id, type: 'request', appId: client });
    }, { prefetch: prefetch.requests }),
    await transport.consume(names.responses, async (reply) => {
      const id = reply.props.correlationId ?? '';
      const request = held.get(id);
      held.delete(id);
      await transport.publish(names.replies(client), reply.body, { messageId: reply.props.messageId, correlationId: id, type: 'response', appId: provider });
      reply.ack();
      request?.ack();
    }, { prefetch: prefetch.replies }),
  ];
  return {
    async stop() {
      for (const c of consumers) await c.cancel();
    },
  };
}
