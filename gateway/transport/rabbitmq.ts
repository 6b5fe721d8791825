/**
 * The RabbitMQ transport (docs/protocol.md §5) over amqplib ≥ 2.3. amqplib's own recovery reconnects;
 * its `setup` hook re-declares the topology and rebuilds the publishing channel and every
 * consumer. Publishes are persistent, `mandatory`, and resolved only on the broker's confirm;
 * the socket runs with `noDelay`.
 */
import { rootCertificates } from 'node:tls';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type RecoveringChannelModel } from 'amqplib';
import { clusterNodes, nodeUrls } from './cluster-nodes.ts';
import { connectError } from './connect-error.ts';
import { runHandler } from './handler.ts';
import { brokerUser } from './broker-users.ts';
import { DEFAULT_TOPOLOGY, instanceQueue, queueNames, topologyFor, type QueueNames, type Topology, type TopologyOptions } from './topology.ts';
import {
  checkProps, TransportError, type Consumer, type ConsumeOptions, type Delivery, type DeliveryHandler, type MessageProps,
  type QueueInfo, type Transport,
} from './transport.ts';

export interface RabbitOptions extends Partial<TopologyOptions> {
  /**
   * The broker's URL; for a cluster, the URLs of its nodes separated by commas
   * (`amqp://u:p@node1:5672,amqp://u:p@node2:5672`): each reconnect tries the next node.
   */
  readonly url: string;
  /** Shown in RabbitMQ's connection list. */
  readonly name?: string;
  /** Reconnect attempts before the first connection gives up. */
  readonly initialRetries?: number;
  /** The longest a connection's opening handshake may take; default OPEN_TIMEOUT_MS. */
  readonly openTimeoutMs?: number;
  /** How long a recovery may go without a reconnect attempt before it is started afresh; default RECOVERY_STALL_MS. */
  readonly recoveryStallMs?: number;
  readonly onStatus?: (connected: boolean, error?: Error) => void;
  /** A reconnect attempt that failed (the connection is still lost), or a stalled recovery started afresh. */
  readonly onAttemptFailed?: (error: Error) => void;
  /**
   * `gateway` declares the whole bus; `system` — a system's own broker user, which may declare
   * nothing shared — only checks that its queues are there and declares its instance's queue.
   * By default `system` when the URL's user is a system's user of this bus (broker-users.ts).
   */
  readonly role?: 'gateway' | 'system';
  /** For `amqps://`: a certificate authority (PEM) to trust besides the system's. */
  readonly ca?: string;
}

interface ConsumerSpec {
  readonly queue: string;
  readonly handler: DeliveryHandler;
  readonly prefetch: number;
  channel?: Channel;
  tag?: string;
  /** Paused: its channel stays open (what it holds stays unacknowledged) but it consumes nothing. */
  paused?: boolean;
}

const PUBLISH_SEQ = 'x-lgsp-pub';
/** The longest a new connection's setup (topology, publisher, consumers) may take before it is tried again. */
const SETUP_TIMEOUT_MS = 30_000;
/** The longest a connection's opening handshake may take (amqplib's socket timeout, lifted once it is open). */
const OPEN_TIMEOUT_MS = 15_000;
/** Without a connection and without a reconnect attempt for this long, amqplib's recovery is taken as stalled and started afresh. */
const RECOVERY_STALL_MS = 60_000;
const STALL_CHECK_MS = 5_000;
/** The longest closing the transport waits for the broker to confirm. */
const CLOSE_TIMEOUT_MS = 5_000;

/** Applies a topology on a channel: exchanges, then queues, then bindings. */
async function applyTopology(ch: Channel, topology: Topology): Promise<void> {
  for (const e of topology.exchanges) await ch.assertExchange(e.name, e.type, { durable: true });
  for (const q of topology.queues) {
    try {
      await ch.assertQueue(q.name, { durable: true, arguments: { ...q.arguments } });
    } catch (err) {
      if (!/PRECONDITION_FAILED/.test((err as Error).message)) throw err;
      throw new TransportError('TRANSPORT_REFUSED', `queue ${q.name} exists on the broker with other arguments (made by another version of the simulator?): `
        + `delete it (rabbitmqctl delete_queue ${q.name}) or use another --prefix`, { cause: err });
    }
  }
  for (const b of topology.bindings) await ch.bindQueue(b.queue, b.exchange, b.routingKey);
}

function deathsOf(msg: ConsumeMessage): Delivery['deaths'] {
  const raw = msg.properties.headers?.['x-death'];
  if (!Array.isArray(raw)) return [];
  return raw.map((d) => ({ reason: String(d.reason), queue: String(d.queue), count: Number(d.count ?? 1) }));
}

function propsOf(msg: ConsumeMessage): MessageProps {
  const p = msg.properties;
  const headers: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(p.headers ?? {})) {
    if (typeof v === 'string' || typeof v === 'number') headers[k] = v;
    else if (Buffer.isBuffer(v)) headers[k] = v.toString('utf8');
  }
  delete headers[PUBLISH_SEQ];
  return {
    messageId: p.messageId ?? undefined, correlationId: p.correlationId ?? undefined, appId: p.appId ?? undefined, replyTo: p.replyTo ?? undefined,
    contentType: p.contentType ?? undefined, type: p.type ?? undefined, userId: p.userId ?? undefined, headers,
  };
}

class RabbitTransport implements Transport {
  readonly kind = 'rabbitmq' as const;
  readonly names: QueueNames;
  private model?: RecoveringChannelModel;
  /** The connection of the last setup. */
  private current?: ChannelModel;
  private publisher?: ConfirmChannel;
  private connected = false;
  private everConnected = false;
  private backAt?: number;
  private closing = false;
  private waiters: Array<() => void> = [];
  private readonly declared: Array<{ systems: readonly string[]; instance?: string; gatewayInstance?: string }> = [];
  private readonly consumers = new Set<ConsumerSpec>();
  private readonly returned = new Set<number>();
  private seq = 0;
  /** Which recovering connection is the transport's: a replaced one's late connection is not set up. */
  private generation = 0;
  /** When the recovery last did anything: connected, lost the connection, tried again. */
  private stirredAt = 0;
  private replacing = false;
  private stallCheck?: NodeJS.Timeout;
  private readonly topology: TopologyOptions;
  /** The login, stamped as `user-id` on every publish. */
  private readonly user: string;
  private readonly role: 'gateway' | 'system';

  constructor(private readonly options: RabbitOptions) {
    this.topology = {
      prefix: options.prefix ?? DEFAULT_TOPOLOGY.prefix, deliveryLimit: options.deliveryLimit ?? DEFAULT_TOPOLOGY.deliveryLimit, deadLetterMax: options.deadLetterMax,
      replyQueueMax: options.replyQueueMax,
    };
    this.names = queueNames(this.topology.prefix);
    this.user = loginOf(options.url);
    const mine = this.user.startsWith(`${this.topology.prefix}.`) && this.user !== brokerUser(this.topology.prefix);
    this.role = options.role ?? (mine ? 'system' : 'gateway');
  }

  async connect(): Promise<void> {
    this.model = await this.recovering(true);
    const every = Math.min(STALL_CHECK_MS, this.options.recoveryStallMs ?? STALL_CHECK_MS);
    this.stallCheck = setInterval(() => this.checkRecovery(), every).unref();
  }

  /**
   * A connection that amqplib keeps reconnecting. The first waits for its first connection (and
   * gives up after `initialRetries`); one that replaces a stalled recovery keeps trying for good.
   */
  private async recovering(first: boolean): Promise<RecoveringChannelModel> {
    const generation = ++this.generation;
    const nodes = clusterNodes(this.options.url);
    // One node: its URL as given, read by amqplib itself; a cluster: the endpoint that moves on.
    const model = await amqp.connect(nodes.count === 1 ? this.options.url : nodes.endpoint, {
      noDelay: true,
      // The opening handshake is bounded: a port that takes the connection and never speaks fails it.
      timeout: this.options.openTimeoutMs ?? OPEN_TIMEOUT_MS,
      ...(this.options.ca && { ca: [...rootCertificates, this.options.ca] }),
      clientProperties: { connection_name: this.options.name ?? 'lgsp' },
      recovery: {
        initialDelay: 100,
        maxDelay: 2000,
        initialMaxRetries: first ? (this.options.initialRetries ?? 3) : Infinity,
        maxRetries: Infinity,
        waitForConnect: first,
        // Before each reconnect, the next node of a cluster: a stopped node's clients move on.
        calculateDelay: (attempt: number) => {
          nodes.next();
          return Math.min(2000, 100 * 2 ** Math.max(0, attempt - 1));
        },
        setup: (m: ChannelModel) => {
          // A connection a replaced recovery made after all is not set up: amqplib closes it.
          if (generation !== this.generation) throw new TransportError('TRANSPORT_CLOSED', 'this recovery was replaced');
          return this.setup(m, generation);
        },
      },
    });
    this.stirredAt = Date.now();
    // A replaced recovery's events are not this transport's any more.
    const mine = () => generation === this.generation && !this.closing;
    model.on('error', () => undefined); // surfaced through 'disconnect'
    for (const event of ['connect', 'reconnect-scheduled']) model.on(event, () => void (mine() && (this.stirredAt = Date.now())));
    model.on('connect-failed', (err: Error) => {
      if (!mine()) return;
      this.stirredAt = Date.now();
      this.options.onAttemptFailed?.(err);
    });
    model.on('disconnect', (err: Error) => {
      if (!mine()) return;
      this.stirredAt = Date.now();
      this.connected = false;
      this.publisher = undefined;
      for (const c of this.consumers) c.channel = undefined;
      this.options.onStatus?.(false, err);
    });
    return model;
  }

  /**
   * amqplib's recovery tries again every few seconds, each try bounded (OPEN_TIMEOUT_MS,
   * SETUP_TIMEOUT_MS). A recovery that has made no try for RECOVERY_STALL_MS while the transport
   * has no connection has stalled inside amqplib (a close the broker never confirmed, say): it is
   * dropped and a new one started, so the transport always comes back once the broker does.
   */
  private checkRecovery(): void {
    if (this.closing || this.connected || !this.everConnected || this.replacing) return;
    const stallMs = this.options.recoveryStallMs ?? RECOVERY_STALL_MS;
    if (Date.now() - this.stirredAt < stallMs) return;
    const stalled = this.model;
    this.replacing = true;
    this.options.onAttemptFailed?.(new TransportError('TRANSPORT_CLOSED', `no reconnect attempt in ${stallMs} ms: reconnecting afresh`));
    void stalled?.close().catch(() => undefined); // may never settle: not waited for
    void this.recovering(false).then(
      (model) => {
        if (this.closing) void model.close().catch(() => undefined);
        else this.model = model;
      },
      () => undefined, // not waiting for a first connection, it only fails on bad options: tried again at the next check
    ).finally(() => {
      this.replacing = false;
      this.stirredAt = Date.now();
    });
  }

  /**
   * Sets a new connection up, within SETUP_TIMEOUT_MS. amqplib binds a connection's close to its
   * recovery only once setup is done: a setup that waits for a broker that never answers (a node
   * still recovering its queues) would leave the connection unrecovered for good. Past the bound
   * its socket is destroyed, what it waits on fails, and recovery tries again.
   */
  private async setup(model: ChannelModel, generation: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, fail) => {
      timer = setTimeout(() => {
        destroySocket(model, `setup took over ${SETUP_TIMEOUT_MS} ms`);
        fail(new TransportError('TRANSPORT_CLOSED', `setting up the connection took over ${SETUP_TIMEOUT_MS} ms: connecting again`));
      }, SETUP_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.setupWithin(model, generation), bound]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async setupWithin(model: ChannelModel, generation: number): Promise<void> {
    // amqplib listens to a connection's errors only once setup is done: one that fails during it
    // (a cluster without a majority closes it with 541) would otherwise end the process. Recovery
    // sees the close and tries again.
    model.on('error', () => undefined);
    const ch = await model.createConfirmChannel();
    ch.on('error', () => undefined);
    ch.on('return', (msg: ConsumeMessage) => {
      const seq = msg.properties.headers?.[PUBLISH_SEQ];
      if (typeof seq === 'number') this.returned.add(seq);
    });
    for (const d of this.declared) await this.applyDeclared(ch, d.systems, d.instance, d.gatewayInstance);
    this.publisher = ch;
    this.current = model;
    this.watch(ch, () => this.publisher === ch);
    for (const spec of this.consumers) await this.startConsumer(model, spec);
    // Replaced meanwhile (its recovery had stalled): the new one sets everything up again.
    if (generation !== this.generation) throw new TransportError('TRANSPORT_CLOSED', 'this recovery was replaced');
    this.connected = true;
    if (this.everConnected) this.backAt = Date.now();
    this.everConnected = true;
    this.options.onStatus?.(true);
    for (const wake of this.waiters.splice(0)) wake();
  }

  /**
   * A channel the broker closes on its own (a channel error) while the connection stays would
   * leave its publisher or consumer dead for good: the connection is then cut, and recovery sets
   * everything up again. Told apart from a lost connection, whose channels close first, by
   * looking a moment later.
   */
  private watch(ch: Channel, stillInUse: () => boolean): void {
    ch.once('close', () => {
      setTimeout(() => {
        if (this.closing || !this.connected || !stillInUse()) return;
        destroySocket(this.current, 'a channel was closed by the broker');
      }, 250).unref();
    });
  }

  private async startConsumer(model: ChannelModel | RecoveringChannelModel, spec: ConsumerSpec): Promise<void> {
    const ch = await model.createChannel();
    ch.on('error', () => undefined);
    this.watch(ch, () => spec.channel === ch && this.consumers.has(spec));
    await ch.prefetch(spec.prefetch);
    spec.channel = ch;
    spec.tag = undefined;
    if (!spec.paused) await this.subscribe(spec, ch);
  }

  private async subscribe(spec: ConsumerSpec, ch: Channel): Promise<void> {
    const reply = await ch.consume(spec.queue, (msg) => {
      if (msg) runHandler(spec.handler, this.delivery(ch, msg));
      // null: the broker cancelled the consumer (its queue deleted, say); setup consumes anew.
      else if (!this.closing && this.consumers.has(spec)) destroySocket(this.current, `the broker cancelled the consumer of ${spec.queue}`);
    });
    spec.tag = reply.consumerTag;
  }

  private delivery(ch: Channel, msg: ConsumeMessage): Delivery {
    let settled = false;
    // A delivery from a channel that has since died is redelivered by the broker; settling it is a no-op.
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      try {
        fn();
      } catch {
        /* channel closed: the broker redelivers */
      }
    };
    return {
      body: msg.content,
      props: propsOf(msg),
      redelivered: msg.fields.redelivered,
      deaths: deathsOf(msg),
      ack: () => settle(() => ch.ack(msg)),
      nack: (requeue) => settle(() => ch.nack(msg, false, requeue)),
    };
  }

  get login(): string {
    return this.user;
  }

  async declare(systems: readonly string[], instance?: string, gatewayInstance?: string): Promise<void> {
    this.declared.push({ systems, instance, gatewayInstance });
    await this.ready();
    const ch = await this.model!.createChannel();
    ch.on('error', () => undefined);
    try {
      await this.applyDeclared(ch, systems, instance, gatewayInstance);
    } finally {
      await ch.close().catch(() => undefined);
    }
  }

  /** The gateway declares the bus; a system's user checks its own queues and declares its instance's. */
  private async applyDeclared(ch: Channel, systems: readonly string[], instance?: string, gatewayInstance?: string): Promise<void> {
    if (this.role === 'gateway') return applyTopology(ch, topologyFor(systems, this.topology, instance, gatewayInstance));
    for (const system of systems) {
      for (const queue of [this.names.inbox(system), this.names.replies(system)]) {
        await ch.checkQueue(queue).catch((cause: Error) => {
          throw new TransportError('TRANSPORT_UNROUTABLE', `queue ${queue} is not on the broker: the gateway declares it when it starts (lgsp up or lgsp gateway)`, { cause });
        });
      }
      if (instance) await applyTopology(ch, { exchanges: [], queues: [instanceQueue(system, instance, this.topology)], bindings: [] });
    }
  }

  async publish(queue: string, body: Buffer, props: MessageProps): Promise<void> {
    // Before the channel: amqplib throws on an over-long property, which would look like a lost channel.
    checkProps(props);
    await this.ready();
    const ch = this.publisher;
    if (!ch) throw new TransportError('TRANSPORT_CLOSED', 'not connected to RabbitMQ');
    const seq = ++this.seq;
    const headers: Record<string, string | number> = { [PUBLISH_SEQ]: seq };
    for (const [k, v] of Object.entries(props.headers ?? {})) if (v !== undefined) headers[k] = v;
    await new Promise<void>((resolve, reject) => {
      try {
        // The ingress and the responses through their exchanges: a system's user may write nowhere else.
        const exchange = this.names.entrance(queue);
        ch.publish(exchange, exchange ? this.names.routingKey(queue) : queue, body, {
          persistent: true, mandatory: true, headers, messageId: props.messageId, correlationId: props.correlationId, replyTo: props.replyTo,
          appId: props.appId, contentType: props.contentType, type: props.type, userId: this.user,
          ...(props.expiration !== undefined && { expiration: String(Math.max(0, Math.round(props.expiration))) }),
        }, (err) => {
          if (this.returned.delete(seq)) reject(new TransportError('TRANSPORT_UNROUTABLE', `no queue ${queue}`));
          // amqplib calls back with 'message nacked' for a broker nack; anything else is a lost channel.
          else if (err) reject(new TransportError(err.message === 'message nacked' ? 'TRANSPORT_REFUSED' : 'TRANSPORT_CLOSED', `the broker did not confirm: ${err.message}`, { cause: err }));
          else resolve();
        });
      } catch (cause) {
        reject(new TransportError('TRANSPORT_CLOSED', 'the channel is closed', { cause }));
      }
    });
  }

  async consume(queue: string, handler: DeliveryHandler, options: ConsumeOptions): Promise<Consumer> {
    const spec: ConsumerSpec = { queue, handler, prefetch: options.prefetch };
    await this.ready();
    await this.startConsumer(this.model!, spec);
    this.consumers.add(spec);
    return {
      cancel: async () => {
        this.consumers.delete(spec);
        const { channel, tag } = spec;
        if (channel && tag) await channel.cancel(tag).catch(() => undefined);
        await channel?.close().catch(() => undefined);
      },
      pause: async () => {
        spec.paused = true;
        const { channel, tag } = spec;
        spec.tag = undefined;
        if (channel && tag) await channel.cancel(tag).catch(() => undefined);
      },
      resume: async () => {
        if (!spec.paused) return;
        spec.paused = false;
        // Without a channel (the connection is down), the next setup consumes again.
        if (spec.channel && !spec.tag) await this.subscribe(spec, spec.channel).catch(() => undefined);
      },
    };
  }

  async inspect(queue: string): Promise<QueueInfo | undefined> {
    await this.ready();
    const ch = await this.model!.createChannel();
    ch.on('error', () => undefined);
    try {
      const ok = await ch.checkQueue(queue);
      return { messages: ok.messageCount, consumers: ok.consumerCount };
    } catch {
      return undefined; // 404: the broker closed this channel
    } finally {
      await ch.close().catch(() => undefined);
    }
  }

  ready(): Promise<void> {
    if (this.closing) return Promise.reject(new TransportError('TRANSPORT_CLOSED', 'the transport is closed'));
    if (this.connected) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  isConnected(): boolean {
    return this.connected;
  }

  reconnectedAt(): number | undefined {
    return this.connected ? this.backAt : undefined;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.connected = false;
    clearInterval(this.stallCheck);
    // A close the broker never confirms (its close-ok lost with the socket) would wait for good:
    // past the bound the socket is cut, and the transport is closed all the same.
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((done) => (timer = setTimeout(done, CLOSE_TIMEOUT_MS)));
    await Promise.race([this.model?.close().catch(() => undefined), bound]);
    clearTimeout(timer);
    destroySocket(this.current, 'the transport is closed');
  }
}

/** Cuts a connection's socket: what waits on it fails at once, and amqplib's recovery connects again. */
function destroySocket(model: ChannelModel | undefined, why: string): void {
  // With an error: amqplib watches its socket's 'error' and 'end', not a bare 'close'.
  (model as unknown as { connection?: { stream?: { destroy(err: Error): void } } } | undefined)?.connection?.stream?.destroy(new Error(why));
}

/** The user an AMQP URL logs in as (amqplib's default is guest). */
function loginOf(url: string): string {
  try {
    return decodeURIComponent(new URL(nodeUrls(url)[0]!).username) || 'guest';
  } catch {
    return 'guest';
  }
}

/**
 * Connects to RabbitMQ and returns a Transport; rejects when the first connection fails.
 * @example const transport = await connectRabbit({ url: 'amqp://localhost' })
 */
export async function connectRabbit(options: RabbitOptions): Promise<Transport> {
  const transport = new RabbitTransport(options);
  try {
    await transport.connect();
  } catch (err) {
    throw connectError(options.url, err as Error);
  }
  return transport;
}
