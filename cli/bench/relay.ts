/**
 * The durable relay: the limit a gateway that keeps its guarantees is measured against. It moves
 * the bytes along the very hops a gateway transaction crosses, through the same transport (quorum
 * queues, persistent messages, publisher confirms): client → ingress → provider inbox →
 * responses → client replies. A request stays unacknowledged until its answer is confirmed on the
 * client's reply queue, as in the gateway. Nothing is checked, signed or recorded — unless a
 * variant of the relay is given work to do on the way (the floor, `floor.ts`).
 */
import type { StoredAnswer } from '../../gateway/ledger/ledger.ts';
import type { Consumer, Delivery, Transport } from '../../gateway/transport/transport.ts';

/** Work done on the way: on a request before it is forwarded, on its reply before the reply is delivered. */
export interface RelayWork<S> {
  request(body: Buffer): Promise<S>;
  reply(body: Buffer, request: S, answer: StoredAnswer): Promise<void>;
}

export interface Relay {
  stop(): Promise<void>;
}

export async function startRelay<S = undefined>(
  transport: Transport, client: string, provider: string, prefetch: { requests: number; replies: number }, work?: RelayWork<S>,
): Promise<Relay> {
  const names = transport.names;
  await transport.declare([client, provider]);
  const held = new Map<string, { delivery: Delivery; state: S }>();
  const consumers: Consumer[] = [
    await transport.consume(names.ingress, async (request) => {
      const id = request.props.messageId ?? '';
      held.set(id, { delivery: request, state: (await work?.request(request.body)) as S });
      await transport.publish(names.inbox(provider), request.body, { messageId: id, correlationId: id, type: 'request', appId: client });
    }, { prefetch: prefetch.requests }),
    await transport.consume(names.responses, async (reply) => {
      const id = reply.props.correlationId ?? '';
      const request = held.get(id);
      held.delete(id);
      const answer = { queue: names.replies(client), props: { messageId: reply.props.messageId, correlationId: id, type: 'response', appId: provider } };
      if (work && request) await work.reply(reply.body, request.state, { ...answer, jws: reply.body.toString() });
      await transport.publish(answer.queue, reply.body, answer.props);
      reply.ack();
      request?.delivery.ack();
    }, { prefetch: prefetch.replies }),
  ];
  return {
    async stop() {
      for (const c of consumers) await c.cancel();
    },
  };
}
