import { LgspError, type LgspErrorCode } from '../protocol/errors.ts';
import type { QueueNames } from './topology.ts';

/**
 * The transport interface (docs/protocol.md §5), shared by RabbitMQ and the embedded broker. It speaks
 * of queues and deliveries only; the gateway and the SDK never see a channel.
 */
export interface MessageProps {
  /** The envelope's id; duplicates are recognised by it. */
  messageId?: string;
  correlationId?: string;
  /** A client's own reply queue, when it runs as a named instance (see `QueueNames.replies`). */
  replyTo?: string;
  /** The publishing system's id: a hint where to answer a message too broken to read. */
  appId?: string;
  contentType?: string;
  /** Message kind: request, response, event. */
  type?: string;
  /**
   * On a delivery, the broker user who published it, as RabbitMQ vouches (it refuses a publish
   * whose `user-id` is not the publisher's login); see broker-users.ts. The RabbitMQ transport
   * sets it on every publish; the embedded broker has no users and never sets it.
   */
  userId?: string;
  headers?: Record<string, string | number | undefined>;
  /**
   * Milliseconds after which the broker drops the message if nobody took it (to the dead letters,
   * reason `expired`): a request past its deadline, whose client has had its answer.
   */
  expiration?: number;
}

export interface Delivery {
  readonly body: Buffer;
  readonly props: MessageProps;
  /** True when the broker delivered this message before without an ack. */
  readonly redelivered: boolean;
  /** Dead-letter history, newest first (RabbitMQ's `x-death`), empty when none. */
  readonly deaths: readonly { reason: string; queue: string; count: number }[];
  ack(): void;
  /** Returns the message to the queue (counted toward the delivery limit) or dead-letters it. */
  nack(requeue: boolean): void;
}

export type DeliveryHandler = (delivery: Delivery) => void | Promise<void>;

export interface ConsumeOptions {
  /** How many unacknowledged deliveries this consumer may hold. */
  prefetch: number;
}

export interface Consumer {
  cancel(): Promise<void>;
  /**
   * Stops taking new deliveries and keeps those taken: they stay unacknowledged, to be settled
   * later (or handed out again by the broker if the connection goes). (RabbitMQ's consumer count
   * of a quorum queue still counts it while it holds deliveries; the embedded broker's does not.)
   */
  pause(): Promise<void>;
  /** Takes deliveries again after `pause`. */
  resume(): Promise<void>;
}

export interface QueueInfo {
  messages: number;
  consumers: number;
}

export type TransportErrorCode = Extract<LgspErrorCode, `TRANSPORT_${string}`>;

/** A publish that the broker did not take (no such queue, a nack, a lost connection), or a first connection that failed. */
export class TransportError extends LgspError {
  declare readonly code: TransportErrorCode;

  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** AMQP carries these properties as short strings: at most 255 bytes each. */
const SHORT_STRINGS = ['messageId', 'correlationId', 'replyTo', 'appId', 'contentType', 'type'] as const;
export const MAX_SHORT_STRING_BYTES = 255;

/**
 * Checks a message's properties against what the wire can carry, the same for every transport;
 * throws TransportError('TRANSPORT_INVALID') — a message no retry can deliver — otherwise.
 */
export function checkProps(props: MessageProps): void {
  for (const name of SHORT_STRINGS) {
    const value = props[name];
    if (value !== undefined && Buffer.byteLength(value) > MAX_SHORT_STRING_BYTES) {
      throw new TransportError('TRANSPORT_INVALID', `the ${name} property is longer than AMQP's ${MAX_SHORT_STRING_BYTES} bytes`);
    }
  }
  for (const key of Object.keys(props.headers ?? {})) {
    if (Buffer.byteLength(key) > MAX_SHORT_STRING_BYTES) throw new TransportError('TRANSPORT_INVALID', `a header name is longer than AMQP's ${MAX_SHORT_STRING_BYTES} bytes`);
  }
}

export interface Transport {
  readonly kind: 'rabbitmq' | 'embedded';
  /** The broker user this connection logged in as (RabbitMQ); undefined where there are no users (embedded). */
  readonly login?: string;
  /** The queue names of this bus (its prefix). */
  readonly names: QueueNames;
  /**
   * Declares the base topology and the queues of these systems (and of one client instance, and
   * one gateway instance's responses queue); safe to repeat.
   */
  declare(systems: readonly string[], instance?: string, gatewayInstance?: string): Promise<void>;
  /**
   * Publishes persistently to a queue; resolves once the broker has confirmed it. Rejects with
   * TransportError: `invalid` (properties the wire cannot carry), `unroutable`, `refused`, `closed`.
   */
  publish(queue: string, body: Buffer, props: MessageProps): Promise<void>;
  consume(queue: string, handler: DeliveryHandler, options: ConsumeOptions): Promise<Consumer>;
  /** Message and consumer counts; undefined when the queue does not exist. */
  inspect(queue: string): Promise<QueueInfo | undefined>;
  /** Resolves while connected; waits through a reconnect. */
  ready(): Promise<void>;
  isConnected(): boolean;
  /**
   * When this connection last came back after it was lost (epoch ms), if it ever was and is up:
   * after a broker event, everyone else is coming back too.
   */
  reconnectedAt(): number | undefined;
  close(): Promise<void>;
}
