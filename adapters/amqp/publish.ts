import { TransportError, type MessageProps, type Transport } from '../../gateway/transport/transport.ts';

/**
 * Publishes to one of the gateway's queues (`ingress` for requests and events, `responses` for
 * replies), publishing the same bytes again after a lost connection until the broker confirms:
 * the gateway recognises the copy by its id and answers once.
 */
export async function publishToGateway(transport: Transport, queue: 'ingress' | 'responses', body: Buffer, props: MessageProps): Promise<void> {
  for (;;) {
    try {
      return await transport.publish(transport.names[queue], body, props);
    } catch (err) {
      if (!(err instanceof TransportError) || err.code !== 'closed') throw err;
      await transport.ready();
    }
  }
}
