/**
 * Answers a client received for no request it was waiting for, by the request they answer: a
 * second answer to a request shows here (a test then checks it is the very same bytes).
 */
import type { GatewayClient } from '../../adapters/amqp/client.ts';

export function lateAnswers(client: GatewayClient): Map<string, string[]> {
  const late = new Map<string, string[]>();
  client.onUnmatched((u) => {
    const about = u.envelope && 'inReplyTo' in u.envelope ? u.envelope.inReplyTo : u.correlationId;
    if (about) late.set(about, [...(late.get(about) ?? []), u.jws]);
  });
  return late;
}
