/**
 * The whole broker topology as data (docs/protocol.md §5): every exchange, queue, binding and argument
 * lives here, and small functions in each transport apply it. Names start with the prefix
 * (`lgsp` by default) so several buses can share one vhost.
 */
import { isIdPart } from '../protocol/ids.ts';

export interface QueueSpec {
  readonly name: string;
  readonly arguments: Readonly<Record<string, string | number>>;
}

export interface ExchangeSpec {
  readonly name: string;
  readonly type: 'direct' | 'fanout' | 'topic';
}

export interface BindingSpec {
  readonly queue: string;
  readonly exchange: string;
  readonly routingKey: string;
}

export interface Topology {
  readonly exchanges: readonly ExchangeSpec[];
  readonly queues: readonly QueueSpec[];
  readonly bindings: readonly BindingSpec[];
}

export interface TopologyOptions {
  readonly prefix: string;
  /** Deliveries before a message is dead-lettered. */
  readonly deliveryLimit: number;
  /**
   * Dead letters kept at most; past that the oldest go (`drop-head`). Nobody consumes the queue
   * but an operator, so it must not grow without bound (junk sent to the gateway ends there).
   */
  readonly deadLetterMax?: number;
  /**
   * Replies kept at most in a client's reply queue; past that the oldest are dead-lettered
   * (`maxlen`). A client that is away for long must not make its queue grow without bound.
   */
  readonly replyQueueMax?: number;
}

export const DEAD_LETTER_MAX = 100_000;
export const REPLY_QUEUE_MAX = 10_000;

/** How long a named client instance's reply queue outlives its last consumer. */
export const INSTANCE_QUEUE_EXPIRES_MS = 30 * 60_000;

export const DEFAULT_TOPOLOGY: TopologyOptions = Object.freeze({ prefix: 'lgsp', deliveryLimit: 5 });

export interface QueueNames {
  /** What every name here starts with. */
  readonly prefix: string;
  /** Requests and events from clients: the gateway's front door. */
  readonly ingress: string;
  /**
   * Providers' replies to the gateway. Apart from `ingress` so that replies are never stuck
   * behind requests the gateway holds unacknowledged until their transactions end.
   */
  readonly responses: string;
  /** Messages that failed too often, or that no system can be told about, with their reason. */
  readonly dead: string;
  readonly deadLetterExchange: string;
  /**
   * The responses queue of one gateway instance: where providers send the replies to what that
   * instance forwarded (the forwarded request's `replyTo`), so that with several gateways on one
   * bus each reply reaches the instance that waits for it.
   */
  responsesOf(gatewayInstance: string): string;
  /** The responses queue a forwarded request's `replyTo` names, or the shared one when it names none. */
  responsesFor(replyTo: string | undefined): string;
  /** The routing key a publish to `queue` takes through its entrance: a gateway instance's name, else ''. */
  routingKey(queue: string): string;
  /**
   * The exchange a system publishes through to reach `queue` (the ingress or the responses,
   * shared or an instance's), or '' (the default exchange) for any other. Writing to the default exchange reaches every
   * queue, so a system's broker user may write only to these two exchanges (see broker-users.ts).
   */
  entrance(queue: string): string;
  /** Requests and events a system provides, forwarded by the gateway. */
  inbox(system: string): string;
  /**
   * Replies and gateway errors addressed to a system as a client; with `instance`, the queue of
   * one instance of that system, so that several instances each get their own replies.
   */
  replies(system: string, instance?: string): string;
}

/** Queue names for a prefix: the gateway's ingress, dead letters, and each system's two queues. */
export function queueNames(prefix: string): QueueNames {
  const responses = `${prefix}.ingress.responses`;
  const entrances = new Map([[`${prefix}.ingress`, `${prefix}.to-ingress`], [responses, `${prefix}.to-responses`]]);
  /** The gateway instance whose responses queue `queue` is, if it is one. */
  const instanceOf = (queue: string | undefined) => {
    const name = queue?.startsWith(`${responses}#`) ? queue.slice(responses.length + 1) : undefined;
    return isIdPart(name) ? name : undefined;
  };
  return Object.freeze({
    prefix,
    ingress: `${prefix}.ingress`,
    responses,
    dead: `${prefix}.dead`,
    deadLetterExchange: `${prefix}.dlx`,
    responsesOf: (gatewayInstance: string) => `${responses}#${gatewayInstance}`,
    responsesFor: (replyTo: string | undefined) => (instanceOf(replyTo) ? replyTo! : responses),
    routingKey: (queue: string) => instanceOf(queue) ?? '',
    entrance: (queue: string) => entrances.get(instanceOf(queue) ? responses : queue) ?? '',
    inbox: (system: string) => `${prefix}.in.${system}`,
    replies: (system: string, instance?: string) => `${prefix}.reply.${system}${instance ? `#${instance}` : ''}`,
  });
}

function durableQueue(name: string, options: TopologyOptions, dlx: string): QueueSpec {
  return {
    name,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': options.deliveryLimit,
      'x-dead-letter-exchange': dlx,
      'x-dead-letter-routing-key': 'dead',
    },
  };
}

/**
 * The topology for a bus whose catalog lists `systems`; with `instance`, the reply queues of that
 * named client instance; with `gatewayInstance`, that gateway instance's responses queue.
 */
export function topologyFor(systems: readonly string[], options: TopologyOptions = DEFAULT_TOPOLOGY, instance?: string, gatewayInstance?: string): Topology {
  const names = queueNames(options.prefix);
  const dlx = names.deadLetterExchange;
  const queues: QueueSpec[] = [
    durableQueue(names.ingress, options, dlx),
    durableQueue(names.responses, options, dlx),
    { name: names.dead, arguments: { 'x-queue-type': 'quorum', 'x-max-length': options.deadLetterMax ?? DEAD_LETTER_MAX, 'x-overflow': 'drop-head' } },
  ];
  const bounded = (q: QueueSpec): QueueSpec => ({
    ...q, arguments: { ...q.arguments, 'x-max-length': options.replyQueueMax ?? REPLY_QUEUE_MAX, 'x-overflow': 'drop-head' },
  });
  for (const system of systems) {
    queues.push(durableQueue(names.inbox(system), options, dlx), bounded(durableQueue(names.replies(system), options, dlx)));
    // A named instance's queue goes away after half an hour unused: instances come and go (a
    // `lgsp send`, a load run), a system's own queues stay.
    if (instance) {
      const q = bounded(durableQueue(names.replies(system, instance), options, dlx));
      queues.push({ ...q, arguments: { ...q.arguments, 'x-expires': INSTANCE_QUEUE_EXPIRES_MS } });
    }
  }
  const bindings: BindingSpec[] = [
    { queue: names.dead, exchange: dlx, routingKey: 'dead' },
    { queue: names.ingress, exchange: names.entrance(names.ingress), routingKey: '' },
    { queue: names.responses, exchange: names.entrance(names.responses), routingKey: '' },
  ];
  if (gatewayInstance) {
    // Like a client instance's queue, it goes away half an hour after its gateway: a gateway
    // instance restarted under another name leaves nothing behind. What was in it is not lost: the
    // requests those replies answer are still unacknowledged on the ingress, and are forwarded again.
    const q = durableQueue(names.responsesOf(gatewayInstance), options, dlx);
    queues.push({ ...q, arguments: { ...q.arguments, 'x-expires': INSTANCE_QUEUE_EXPIRES_MS } });
    bindings.push({ queue: q.name, exchange: names.entrance(names.responses), routingKey: gatewayInstance });
  }
  return {
    exchanges: [{ name: dlx, type: 'direct' }, { name: names.entrance(names.ingress), type: 'direct' }, { name: names.entrance(names.responses), type: 'direct' }],
    queues,
    bindings,
  };
}

/**
 * What a system's own broker user declares (docs/protocol.md §5): nothing shared — the gateway
 * declares the bus — only the reply queue of a named instance. That queue has no dead-letter
 * exchange: dead-lettering into it needs write access to the exchange, which would let any
 * system fill the operator's dead letters. Past its bound, its oldest replies are dropped.
 */
export function instanceQueue(system: string, instance: string, options: TopologyOptions = DEFAULT_TOPOLOGY): QueueSpec {
  return {
    name: queueNames(options.prefix).replies(system, instance),
    arguments: {
      'x-queue-type': 'quorum', 'x-delivery-limit': options.deliveryLimit, 'x-max-length': options.replyQueueMax ?? REPLY_QUEUE_MAX, 'x-overflow': 'drop-head',
      'x-expires': INSTANCE_QUEUE_EXPIRES_MS,
    },
  };
}
