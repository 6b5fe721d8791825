/**
 * The embedded transport: an in-process broker behind the Transport interface, with the
 * semantics the gateway relies on from RabbitMQ quorum queues — ack and nack, redelivery
 * with the redelivered flag, a delivery limit, dead-lettering with the reason, per-consumer
 * prefetch, unroutable publishes refused, and unacked messages returned when a connection
 * closes. It lets `npm start` run on a machine with no RabbitMQ.
 */
import { queueNames, topologyFor, type QueueNames, type Topology, type TopologyOptions, DEFAULT_TOPOLOGY } from './topology.ts';
import { runHandler } from './handler.ts';
import {
  checkProps, TransportError, type Consumer, type ConsumeOptions, type Delivery, type DeliveryHandler, type MessageProps,
  type QueueInfo, type Transport,
} from './transport.ts';

interface StoredMessage {
  body: Buffer;
  props: MessageProps;
  deliveries: number;
  deaths: { reason: string; queue: string; count: number }[];
  /** When the broker drops it if nobody took it (epoch ms), from the publish's `expiration`. */
  expiresAt?: number;
}

interface EmbeddedConsumer {
  readonly handler: DeliveryHandler;
  readonly prefetch: number;
  readonly owner: EmbeddedConnection;
  unacked: number;
  cancelled: boolean;
  /** Paused: takes no new deliveries, keeps those it has. */
  paused: boolean;
}

interface EmbeddedQueue {
  readonly name: string;
  readonly arguments: Readonly<Record<string, string | number>>;
  readonly ready: StoredMessage[];
  readonly consumers: EmbeddedConsumer[];
  next: number;
  scheduled: boolean;
}

/** The broker itself; one per process is the usual, each `connect()` is one client connection. */
export class EmbeddedBroker {
  private readonly queues = new Map<string, EmbeddedQueue>();
  private readonly bindings = new Map<string, string[]>();

  readonly options: TopologyOptions;

  constructor(options: Partial<TopologyOptions> = {}) {
    this.options = { ...DEFAULT_TOPOLOGY, ...options };
  }

  /** A new connection to this broker. */
  connect(): Transport {
    return new EmbeddedConnection(this);
  }

  apply(topology: Topology): void {
    for (const q of topology.queues) {
      if (!this.queues.has(q.name)) {
        this.queues.set(q.name, { name: q.name, arguments: q.arguments, ready: [], consumers: [], next: 0, scheduled: false });
      }
    }
    for (const b of topology.bindings) {
      const key = `${b.exchange}\u0000${b.routingKey}`;
      const list = this.bindings.get(key) ?? [];
      if (!list.includes(b.queue)) list.push(b.queue);
      this.bindings.set(key, list);
    }
  }

  queue(name: string): EmbeddedQueue | undefined {
    return this.queues.get(name);
  }

  enqueue(name: string, message: StoredMessage, front = false): void {
    const q = this.queues.get(name);
    if (!q) throw new TransportError('TRANSPORT_UNROUTABLE', `no queue ${name}`);
    if (front) q.ready.unshift(message);
    else q.ready.push(message);
    // x-max-length with drop-head, as RabbitMQ bounds a queue: the oldest ready messages go, to
    // the dead letters (reason `maxlen`) where the queue has a dead-letter exchange.
    const max = q.arguments['x-max-length'];
    if (typeof max === 'number') while (q.ready.length > max) this.deadLetter(q, q.ready.shift()!, 'maxlen');
    this.schedule(q);
  }

  /** Dead-letters `message` from `from` with `reason`, as RabbitMQ does with `x-death`. */
  deadLetter(from: EmbeddedQueue, message: StoredMessage, reason: string): void {
    const dlx = from.arguments['x-dead-letter-exchange'];
    if (typeof dlx !== 'string') return; // no dead-letter exchange: dropped, as on RabbitMQ
    const key = String(from.arguments['x-dead-letter-routing-key'] ?? '');
    const deaths = [{ reason, queue: from.name, count: 1 }, ...message.deaths];
    for (const target of this.bindings.get(`${dlx}\u0000${key}`) ?? []) {
      this.enqueue(target, { body: message.body, props: message.props, deliveries: 0, deaths });
    }
  }

  /** Returns a message to its queue after a nack or a lost consumer, or dead-letters it past the limit. */
  giveBack(q: EmbeddedQueue, message: StoredMessage): void {
    const limit = q.arguments['x-delivery-limit'];
    if (typeof limit === 'number' && message.deliveries > limit) this.deadLetter(q, message, 'delivery_limit');
    else this.enqueue(q.name, message, true);
  }

  schedule(q: EmbeddedQueue): void {
    if (q.scheduled) return;
    q.scheduled = true;
    setImmediate(() => {
      q.scheduled = false;
      this.dispatch(q);
    });
  }

  private dispatch(q: EmbeddedQueue): void {
    while (q.ready.length > 0) {
      // As RabbitMQ does, a message past its expiration is dropped when it reaches the head.
      const head = q.ready[0]!;
      if (head.expiresAt !== undefined && head.expiresAt <= Date.now()) {
        this.deadLetter(q, q.ready.shift()!, 'expired');
        continue;
      }
      const consumer = this.pickConsumer(q);
      if (!consumer) return;
      const message = q.ready.shift()!;
      message.deliveries += 1;
      consumer.unacked += 1;
      runHandler(consumer.handler, this.delivery(q, consumer, message));
    }
  }

  private pickConsumer(q: EmbeddedQueue): EmbeddedConsumer | undefined {
    const n = q.consumers.length;
    for (let i = 0; i < n; i++) {
      const c = q.consumers[(q.next + i) % n]!;
      if (!c.cancelled && !c.paused && c.unacked < c.prefetch) {
        q.next = (q.next + i + 1) % n;
        return c;
      }
    }
    return undefined;
  }

  private delivery(q: EmbeddedQueue, consumer: EmbeddedConsumer, message: StoredMessage): Delivery {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled || consumer.owner.closed) return;
      settled = true;
      consumer.unacked -= 1;
      consumer.owner.forget(settleBack);
      fn();
      this.schedule(q);
    };
    const settleBack = () => {
      if (settled) return;
      settled = true;
      consumer.unacked -= 1;
      this.giveBack(q, message);
    };
    consumer.owner.remember(settleBack);
    return {
      body: message.body,
      props: message.props,
      redelivered: message.deliveries > 1,
      deaths: message.deaths,
      ack: () => settle(() => undefined),
      nack: (requeue) => settle(() => (requeue ? this.giveBack(q, message) : this.deadLetter(q, message, 'rejected'))),
    };
  }
}

class EmbeddedConnection implements Transport {
  readonly kind = 'embedded' as const;
  readonly names: QueueNames;
  closed = false;
  private readonly outstanding = new Set<() => void>();
  private readonly consumers = new Set<{ queue: EmbeddedQueue; consumer: EmbeddedConsumer }>();

  constructor(private readonly broker: EmbeddedBroker) {
    this.names = queueNames(broker.options.prefix);
  }

  remember(giveBack: () => void): void {
    this.outstanding.add(giveBack);
  }

  forget(giveBack: () => void): void {
    this.outstanding.delete(giveBack);
  }

  async declare(systems: readonly string[], instance?: string, gatewayInstance?: string): Promise<void> {
    this.assertOpen();
    this.broker.apply(topologyFor(systems, this.broker.options, instance, gatewayInstance));
  }

  async publish(queue: string, body: Buffer, props: MessageProps): Promise<void> {
    this.assertOpen();
    checkProps(props);
    // Copy, as a real broker would: the publisher may reuse its buffer. No broker users here, so
    // no `userId` vouched for.
    const { userId: _none, expiration, ...rest } = props;
    this.broker.enqueue(queue, {
      body: Buffer.from(body), props: structuredClone(rest), deliveries: 0, deaths: [],
      ...(expiration !== undefined && { expiresAt: Date.now() + expiration }),
    });
  }

  async consume(queue: string, handler: DeliveryHandler, options: ConsumeOptions): Promise<Consumer> {
    this.assertOpen();
    const q = this.broker.queue(queue);
    if (!q) throw new TransportError('TRANSPORT_UNROUTABLE', `no queue ${queue}`);
    const consumer: EmbeddedConsumer = { handler, prefetch: options.prefetch, owner: this, unacked: 0, cancelled: false, paused: false };
    const entry = { queue: q, consumer };
    q.consumers.push(consumer);
    this.consumers.add(entry);
    this.broker.schedule(q);
    return {
      cancel: async () => {
        consumer.cancelled = true;
        q.consumers.splice(q.consumers.indexOf(consumer), 1);
        this.consumers.delete(entry);
      },
      pause: async () => {
        consumer.paused = true;
      },
      resume: async () => {
        consumer.paused = false;
        this.broker.schedule(q);
      },
    };
  }

  async inspect(queue: string): Promise<QueueInfo | undefined> {
    const q = this.broker.queue(queue);
    return q && { messages: q.ready.length, consumers: q.consumers.filter((c) => !c.cancelled && !c.paused && !c.owner.closed).length };
  }

  async ready(): Promise<void> {
    this.assertOpen();
  }

  isConnected(): boolean {
    return !this.closed;
  }

  reconnectedAt(): undefined {
    return undefined; // in-process: never lost
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const { consumer } of this.consumers) consumer.cancelled = true;
    for (const { queue, consumer } of this.consumers) queue.consumers.splice(queue.consumers.indexOf(consumer), 1);
    this.consumers.clear();
    this.closed = true;
    // Like a closed AMQP connection: every unacked delivery goes back, counted as a delivery.
    for (const giveBack of [...this.outstanding]) giveBack();
    this.outstanding.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new TransportError('TRANSPORT_CLOSED', 'the connection is closed');
  }
}
