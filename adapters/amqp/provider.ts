/**
 * The provider side of the SDK: consume this system's inbox, verify each request end to end
 * (client's signature, gateway's attestation), call the handler for its service, and sign the
 * reply as this system.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { JsonObject, RequestEnvelope, ResponseEnvelope } from '../../gateway/protocol/envelope.ts';
import { parseServiceId } from '../../gateway/protocol/ids.ts';
import { sha256, signJws } from '../../gateway/protocol/jws.ts';
import type { KeyRing, SigningKey } from '../../gateway/protocol/keys.ts';
import type { Consumer, Delivery, Transport } from '../../gateway/transport/transport.ts';
import type { Attestation } from '../../gateway/protocol/attestation.ts';
import { publishToGateway } from './publish.ts';
import { checkFromGateway, verifyReceived } from './verify.ts';

/** A transaction this provider has handled already. */
class AlreadyHandled extends Error {
  constructor(tx: string) {
    super(`transaction ${tx} was handled here already`);
    this.name = 'AlreadyHandled';
  }
}

/** A verified request or event, as a handler sees it. */
export interface IncomingMessage {
  readonly envelope: RequestEnvelope;
  readonly body: JsonObject;
  readonly client: string;
  /** `<serviceCode>/<version>`, e.g. `citizen.verify/v1`. */
  readonly method: string;
  readonly tx: string | undefined;
  /**
   * True when this transaction may have been delivered here before: the gateway forwards it
   * again after a fault, or the broker hands it out again after this provider died without
   * acknowledging it. A handler whose effect must happen once (an event) can check for it.
   */
  readonly redelivery: boolean;
}

/**
 * A handler's answer to a request that gets no reply at all: the gateway then answers the client
 * `server.provider_timeout` at the contract's deadline (a bridge whose API never answered, say).
 */
export const NO_REPLY: unique symbol = Symbol('no reply');

/** A handler's answer: a body, a business error the contract declares, or NO_REPLY. Events return nothing. */
export type HandlerResult = { body: JsonObject } | { error: { type: string; message: string; detail?: string } } | typeof NO_REPLY | void;

export type Handler = (message: IncomingMessage) => HandlerResult | Promise<HandlerResult>;

export interface ProviderOptions {
  readonly transport: Transport;
  readonly system: string;
  /** The key replies are signed with (a fault profile may hand it a key the catalog does not know). */
  readonly key: SigningKey;
  readonly keys: KeyRing;
  readonly gateway: string;
  /** Handlers by `<serviceCode>/<version>`. */
  readonly handlers: Readonly<Record<string, Handler>>;
  readonly prefetch?: number;
  /** How old a gateway attestation may be, and how long handled transactions are remembered (default 300 s). */
  readonly skewSeconds?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
}

/**
 * A system that provides services on the bus.
 * @example
 * const provider = await ServiceProvider.start({ transport, system: 'VN/GOV/BCA/DANCU', key, keys: catalog.keys, gateway: catalog.gateway,
 *   handlers: { 'citizen.verify/v1': ({ body }) => ({ body: { match: true, differences: [] } }) } });
 */
export class ServiceProvider {
  private consumer?: Consumer;
  private readonly now: () => number;
  private readonly log: Logger;
  private key: SigningKey;
  /** Transactions handled within the freshness window: when each may be forgotten, and its attestation's time. */
  private readonly handled = new Map<string, { until: number; attestedAt: number }>();

  private constructor(private readonly options: ProviderOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.logger ?? pino({ level: 'silent' });
    this.key = options.key;
  }

  static async start(options: ProviderOptions): Promise<ServiceProvider> {
    const provider = new ServiceProvider(options);
    await options.transport.declare([options.system]);
    await provider.resume();
    return provider;
  }

  /** Starts consuming again after `pause()`. */
  async resume(): Promise<void> {
    if (this.consumer) return;
    this.consumer = await this.options.transport.consume(this.options.transport.names.inbox(this.options.system), (d) => this.onMessage(d), {
      prefetch: this.options.prefetch ?? 64,
    });
  }

  /** Stops consuming for now (the system goes away); messages not acknowledged go back to the queue. */
  async pause(): Promise<void> {
    await this.consumer?.cancel();
    this.consumer = undefined;
  }

  /** Stops consuming; messages not yet acknowledged go back to the queue. */
  stop(): Promise<void> {
    return this.pause();
  }

  /** Signs replies with another key from now on (a rotated key, say). */
  setSigningKey(key: SigningKey): void {
    this.key = key;
  }

  private async onMessage(delivery: Delivery): Promise<void> {
    const { keys, gateway, system } = this.options;
    const jws = delivery.body.toString('utf8');
    const attestation = delivery.props.headers?.['x-lgsp-attestation'];
    let envelope: RequestEnvelope;
    let tx: string;
    let redelivery: boolean;
    try {
      checkFromGateway(this.options.transport, delivery);
      const claimed = JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as { client?: unknown };
      const verified = await verifyReceived(jws, keys, [String(claimed.client)], { attestation: typeof attestation === 'string' ? attestation : undefined, gateway });
      if (verified.envelope.kind === 'response') throw new Error('a response in a provider inbox');
      envelope = verified.envelope;
      if (parseServiceId(envelope.service)?.system !== system) throw new Error(`${envelope.service} is not a service of ${system}`);
      tx = this.fresh(verified.attestation!);
      // Delivered here before, perhaps: the gateway forwarded it again after a fault (its signed
      // word), or the broker hands it out again (this provider died or lost its channel before
      // acknowledging it).
      redelivery = verified.attestation!.redelivery === true || delivery.redelivered;
    } catch (err) {
      if (err instanceof AlreadyHandled && delivery.redelivered) {
        delivery.ack(); // our own copy again after a lost acknowledgement: handled once
        return;
      }
      this.log.warn({ err: (err as Error).message }, 'message refused; dead-lettered');
      delivery.nack(false);
      return;
    }
    const service = parseServiceId(envelope.service)!;
    const method = `${service.code}/${service.version}`;
    const handler = this.options.handlers[method];
    const message: IncomingMessage = { envelope, body: envelope.body, client: envelope.client, method, tx, redelivery };
    try {
      const result: HandlerResult = handler
        ? await handler(message)
        : { error: { type: 'provider.not_implemented', message: `${system} has no handler for ${method}` } };
      if (envelope.kind === 'request' && result !== NO_REPLY) await this.reply(envelope, jws, result ?? { body: {} }, tx, delivery.props.replyTo);
    } catch (err) {
      this.handled.delete(tx); // not handled: the broker hands it out again, and then it is new here
      throw err;
    }
    delivery.ack();
  }

  /**
   * Accepts an attestation only if it is recent and its transaction new here — or, when the
   * gateway forwards a transaction again after a fault, if that attestation says so and is newer
   * than the one handled. A captured message replayed with its own attestation is refused.
   */
  private fresh(attestation: Attestation): string {
    const { tx, at } = attestation;
    const now = this.now();
    const windowMs = (this.options.skewSeconds ?? 300) * 1000;
    const when = Date.parse(at);
    if (!Number.isFinite(when) || Math.abs(now - when) > windowMs) throw new Error(`the gateway attestation of ${tx} is not recent (${at})`);
    for (const [seen, { until }] of this.handled) {
      if (until > now) break; // kept in insertion order, so the rest are younger
      this.handled.delete(seen);
    }
    const before = this.handled.get(tx);
    if (before && !(attestation.redelivery && when > before.attestedAt)) throw new AlreadyHandled(tx);
    this.handled.delete(tx);
    this.handled.set(tx, { until: now + 2 * windowMs, attestedAt: when });
    return tx;
  }

  /** Replies to the gateway instance that forwarded the request (its `replyTo`: several gateways may share a bus). */
  private async reply(request: RequestEnvelope, requestJws: string, result: Exclude<HandlerResult, void | typeof NO_REPLY>, tx: string | undefined, replyTo: string | undefined): Promise<void> {
    const common = {
      v: 1 as const, kind: 'response' as const, id: randomUUID(), client: request.client, service: request.service,
      at: new Date(this.now()).toISOString(), inReplyTo: request.id, requestHash: sha256(requestJws),
      ...(request.userId !== undefined && { userId: request.userId }), ...(request.issue !== undefined && { issue: request.issue }),
    };
    const response: ResponseEnvelope = 'error' in result ? { ...common, status: 'error', error: { detail: '', ...result.error } } : { ...common, status: 'ok', body: result.body };
    const jws = await signJws(response, this.key);
    await publishToGateway(this.options.transport, 'responses', Buffer.from(jws), {
      messageId: response.id, correlationId: tx, appId: this.options.system, type: 'response', contentType: 'application/jose',
    }, replyTo);
  }
}
