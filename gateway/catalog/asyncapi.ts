/**
 * The bus as an AsyncAPI 3.0 document (`lgsp contracts export --format asyncapi`): the gateway's
 * ingress, each provider's inbox and each client's reply queue as channels; for every service a
 * `send` operation on the ingress (with its reply on the client's queue, correlated by the AMQP
 * correlation id, for a request) and a `receive` operation on the provider's inbox; one message
 * per request, event and response with its contract's body schema. On the wire each message is
 * the signed envelope (docs/protocol.md §2) whose `body` these schemas describe.
 */
import type { Catalog, ServiceEntry } from './catalog.ts';
import { queueNames } from '../transport/topology.ts';

/** An id AsyncAPI accepts for a channel, operation or message: the service's parts joined by `_`. */
const idOf = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '_');

export function asyncApiDocument(catalog: Catalog, prefix = 'lgsp'): Record<string, unknown> {
  const names = queueNames(prefix);
  const channels: Record<string, unknown> = { ingress: { address: names.ingress, description: 'Requests and events from clients: the gateway checks each, then forwards it.', messages: {} } };
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const ingressMessages = (channels.ingress as { messages: Record<string, unknown> }).messages;
  const correlationId = { location: '$message.header#/correlation_id', description: 'The request id (inReplyTo): the reply names it.' };

  const service = (s: ServiceEntry) => {
    const key = idOf(s.id);
    const kind = s.mode === 'event' ? 'Event' : 'Request';
    messages[`${key}.${kind}`] = {
      name: `${s.id} ${kind.toLowerCase()}`, title: s.contract.title, contentType: 'application/jose', correlationId,
      summary: `The body of the signed ${kind.toLowerCase()} envelope.`, payload: s.contract.requestSchema,
    };
    if (s.mode !== 'event') {
      messages[`${key}.Response`] = {
        name: `${s.id} response`, title: `${s.contract.title}: the answer`, contentType: 'application/jose', correlationId,
        summary: 'The body of the signed response envelope (an ok answer).', payload: s.contract.responseSchema,
      };
    }
    ingressMessages[`${key}.${kind}`] = { $ref: `#/components/messages/${key}.${kind}` };
    const inbox = `inbox_${idOf(s.provider)}`;
    channels[inbox] ??= { address: names.inbox(s.provider), description: `What ${s.provider} provides, forwarded by the gateway with its attestation.`, messages: {} };
    (channels[inbox] as { messages: Record<string, unknown> }).messages[`${key}.${kind}`] = { $ref: `#/components/messages/${key}.${kind}` };
    operations[`receive_${key}`] = {
      action: 'receive', channel: { $ref: `#/channels/${inbox}` }, summary: `${s.provider} takes ${s.id}.`,
      messages: [{ $ref: `#/channels/${inbox}/messages/${key}.${kind}` }],
    };
    const callers = [...catalog.systems.keys()].filter((c) => c !== s.provider && catalog.canAccess(c, s.id));
    const send: Record<string, unknown> = {
      action: 'send', channel: { $ref: '#/channels/ingress' }, summary: `A client calls ${s.id}${callers.length ? ` (${callers.length} systems may)` : ''}.`,
      messages: [{ $ref: `#/channels/ingress/messages/${key}.${kind}` }],
    };
    if (s.mode !== 'event') {
      const reply = `reply_${key}`;
      channels[reply] = {
        address: `${prefix}.reply.{client}`, description: `The answer to ${s.id}, in the calling client's reply queue.`,
        parameters: { client: { description: 'The calling system, e.g. VN/PROV/CAOBANG/MOTCUA.' } },
        messages: { [`${key}.Response`]: { $ref: `#/components/messages/${key}.Response` } },
      };
      send.reply = { channel: { $ref: `#/channels/${reply}` }, messages: [{ $ref: `#/channels/${reply}/messages/${key}.Response` }] };
    }
    operations[`send_${key}`] = send;
  };
  for (const s of catalog.services.values()) service(s);

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'LGSP Simulator bus', version: '1.0.0',
      description: 'Signed JSON messages over RabbitMQ between national and provincial systems, through a gateway that checks and records each (docs/protocol.md).',
    },
    defaultContentType: 'application/jose',
    servers: { rabbitmq: { host: 'localhost:5672', protocol: 'amqp', protocolVersion: '0-9-1', description: 'The broker; each system logs in as its own user (lgsp broker provision).' } },
    channels, operations, components: { messages },
  };
}
