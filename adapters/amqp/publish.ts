import { publishWithRetry } from '../../gateway/transport/retry.ts';
import type { MessageProps, Transport } from '../../gateway/transport/transport.ts';

/**
 * Publishes to one of the gateway's queues (`ingress` for requests and events, `responses` for
 * replies: the gateway instance's that `replyTo` names, else the shared one), publishing the same
 * bytes again after a lost connection until the broker confirms (bounded and paced, see
 * retry.ts): the gateway recognises the copy by its id and answers once.
 */
export async function publishToGateway(transport: Transport, queue: 'ingress' | 'responses', body: Buffer, props: MessageProps, replyTo?: string): Promise<void> {
  const name = queue === 'ingress' ? transport.names.ingress : transport.names.responsesFor(replyTo);
  await publishWithRetry(transport, () => transport.publish(name, body, props));
}
