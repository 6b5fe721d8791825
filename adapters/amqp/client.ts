/**
 * The client side of the SDK: sign a request, send it through the gateway, and get back the
 * reply verified end to end (provider's signature, gateway's attestation, bound to the request).
 */
import { parseServiceId } from '../../gateway/protocol/ids.ts';
import { decodeJws, sha256 } from '../../gateway/protocol/jws.ts';
import type { Envelope, JsonObject, RequestEnvelope } from '../../gateway/protocol/envelope.ts';
import type { KeyRing, SigningKey } from '../../gateway/protocol/keys.ts';
import { ClientError } from '../../gateway/protocol/errors.ts';
import { DOOR_HEADER, RECEIPT_HEADER } from '../../gateway/protocol/headers.ts';
import type { Consumer, Delivery, MessageProps, Transport } from '../../gateway/transport/transport.ts';
import { publishToGateway } from './publish.ts';
import { signEnvelope, signEnvelopeText, verifyReply, type Reply, type SendOptions } from './reply.ts';
import { checkFromGateway, verifyReceived } from './verify.ts';

export type { Reply, SendOptions } from './reply.ts';

export interface ClientOptions {
  readonly transport: Transport;
  /** This system's id, e.g. `VN/PROV/CAOBANG/MOTCUA`. */
  readonly system: string;
  /** The key requests are signed with; without it the client only sends what is signed already (`sendSigned`). */
  readonly key?: SigningKey;
  /** Public keys of the gateway and the providers (the catalog's key ring). */
  readonly keys: KeyRing;
  /** The gateway's system id, whose key signs attestations and gateway errors. */
  readonly gateway: string;
  /**
   * A name for this instance when several run as one system: it then gets replies on a queue of
   * its own. Without it, instances share the system's reply queue (fine for one instance).
   */
  readonly instance?: string;
  /** How long `request` waits for any reply at all; the gateway's own timeout normally answers first. */
  readonly timeoutMs?: number;
  /**
   * Set by an HTTP door for the callers it hands over: its name. The gateway then answers, but does
   * not record, what it refuses before a signature vouched for the caller (pipeline/publishers.ts).
   */
  readonly door?: string;
  readonly now?: () => number;
}

interface Waiting {
  readonly jws: string;
  readonly request: RequestEnvelope;
  resolve(reply: Reply): void;
  reject(err: Error): void;
  readonly timer: NodeJS.Timeout;
  /** Set when it gave up waiting: a reply verified meanwhile is then nobody's. */
  timedOut?: boolean;
}

/** A message on the reply queue that answers nothing this client waits for (e.g. an error about an event). */
export interface Unmatched {
  readonly jws: string;
  readonly correlationId?: string;
  /** The envelope, when the gateway signed it (its errors about events); otherwise see `error`. */
  readonly envelope?: Envelope;
  readonly error?: Error;
}

/**
 * A system's client on the bus.
 * @example
 * const client = await GatewayClient.connect({ transport, system: 'VN/PROV/CAOBANG/MOTCUA', key, keys: catalog.keys, gateway: catalog.gateway });
 * const reply = await client.request('VN/GOV/BCA/DANCU/citizen.verify/v1', { idNumber: '004190000001', fullName: 'Nông Văn A', dateOfBirth: '1990-01-01' });
 * if (reply.status === 'ok') console.log(reply.body);
 */
export class GatewayClient {
  /** Requests waiting for their answer, by message id: several when the same id is sent more than once (a door's callers retrying). */
  private readonly waiting = new Map<string, Waiting[]>();
  private readonly unmatched = new Set<(u: Unmatched) => void>();
  private consumer?: Consumer;
  private readonly now: () => number;

  private readonly replyQueue: string;

  private constructor(private readonly options: ClientOptions) {
    this.now = options.now ?? Date.now;
    this.replyQueue = options.transport.names.replies(options.system, options.instance);
  }

  private props(envelope: RequestEnvelope): MessageProps {
    return {
      messageId: envelope.id, appId: this.options.system, type: envelope.kind, contentType: 'application/jose', replyTo: this.replyQueue,
      ...(this.options.door && { headers: { [DOOR_HEADER]: this.options.door } }),
    };
  }

  /** Declares this system's queues and starts listening for replies. */
  static async connect(options: ClientOptions): Promise<GatewayClient> {
    if (options.key && options.key.system !== options.system) throw new ClientError('KEY_INVALID', `the key belongs to ${options.key.system}, not ${options.system}`);
    const client = new GatewayClient(options);
    await options.transport.declare([options.system], options.instance);
    client.consumer = await options.transport.consume(client.replyQueue, (d) => client.onReply(d), { prefetch: 256 });
    return client;
  }

  /** Builds and signs an envelope of this system. */
  async sign(kind: 'request' | 'event', service: string, body: JsonObject, options: SendOptions = {}): Promise<{ envelope: RequestEnvelope; jws: string }> {
    if (!this.options.key) throw new ClientError('NO_SIGNING_KEY', `this client of ${this.options.system} has no signing key`);
    return signEnvelope(this.options.key, kind, service, body, options, this.now());
  }

  /**
   * Builds and signs an envelope of this system whose body is JSON text, as JSON.stringify writes
   * an object (signEnvelopeText): a door's large body, never parsed on its thread.
   */
  async signText(kind: 'request' | 'event', service: string, bodyText: string, options: SendOptions = {}): Promise<{ envelope: RequestEnvelope; jws: string }> {
    if (!this.options.key) throw new ClientError('NO_SIGNING_KEY', `this client of ${this.options.system} has no signing key`);
    return signEnvelopeText(this.options.key, kind, service, bodyText, options, this.now());
  }

  /** Signs and sends a request; resolves with the verified reply (an `ok` body or an error). */
  async request(service: string, body: JsonObject, options: SendOptions = {}): Promise<Reply> {
    const { envelope, jws } = await this.sign('request', service, body, options);
    return this.sendSigned(jws, envelope);
  }

  /**
   * Sends an already signed request JWS as is — for integrators testing their own signing.
   * `envelope` is what it carries; replies are matched by its id.
   */
  sendSigned(jws: string, envelope: RequestEnvelope): Promise<Reply> {
    return this.awaitAnswer(jws, envelope, this.props(envelope));
  }

  /**
   * Sends an already signed event and waits for the gateway's word on it: its signed receipt
   * (`ok`, `{ "accepted": true }`) once the event is forwarded and recorded, or its error. What a
   * door that answers only once the gateway has decided (the HTTP ingress's 202) uses.
   */
  sendSignedEventForReceipt(jws: string, envelope: RequestEnvelope): Promise<Reply> {
    const props = this.props(envelope);
    return this.awaitAnswer(jws, envelope, { ...props, headers: { ...props.headers, [RECEIPT_HEADER]: 'wanted' } });
  }

  private awaitAnswer(jws: string, envelope: RequestEnvelope, props: MessageProps): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        w.timedOut = true;
        this.stopWaiting(w);
        reject(new ClientError('REPLY_TIMEOUT', `no reply to ${envelope.id} within ${this.options.timeoutMs ?? 30000} ms`));
      }, this.options.timeoutMs ?? 30000);
      const w: Waiting = { jws, request: envelope, resolve, reject, timer };
      this.waiting.set(envelope.id, [...(this.waiting.get(envelope.id) ?? []), w]);
      publishToGateway(this.options.transport, 'ingress', Buffer.from(jws), props)
        .catch((err: Error) => {
          clearTimeout(timer);
          this.stopWaiting(w);
          reject(err);
        });
    });
  }

  /** Signs and sends an event; resolves once the broker has it. Errors about it arrive through `onUnmatched`. */
  async sendEvent(service: string, body: JsonObject, options: SendOptions = {}): Promise<RequestEnvelope> {
    const { envelope, jws } = await this.sign('event', service, body, options);
    await this.sendSignedEvent(jws, envelope);
    return envelope;
  }

  /** Sends an already signed event JWS as is; resolves once the broker has it. */
  async sendSignedEvent(jws: string, envelope: RequestEnvelope): Promise<void> {
    await publishToGateway(this.options.transport, 'ingress', Buffer.from(jws), this.props(envelope));
  }

  /** Listens for replies that answer no waiting request: gateway errors about events, late duplicates. */
  onUnmatched(listener: (u: Unmatched) => void): () => void {
    this.unmatched.add(listener);
    return () => this.unmatched.delete(listener);
  }

  /** Requests sent and not yet answered. */
  get waitingCount(): number {
    let n = 0;
    for (const list of this.waiting.values()) n += list.length;
    return n;
  }

  private stopWaiting(w: Waiting): void {
    const rest = (this.waiting.get(w.request.id) ?? []).filter((other) => other !== w);
    if (rest.length > 0) this.waiting.set(w.request.id, rest);
    else this.waiting.delete(w.request.id);
  }

  /** Of the requests waiting under a reply's id, the one whose bytes it names (its `requestHash`, read before it is verified). */
  private waiterFor(correlationId: string | undefined, jws: string): Waiting | undefined {
    const list = correlationId ? this.waiting.get(correlationId) : undefined;
    if (!list || list.length === 1) return list?.[0];
    let named: unknown;
    try {
      named = (decodeJws(jws).payload as { requestHash?: unknown }).requestHash;
    } catch {
      return list[0];
    }
    return list.find((w) => sha256(w.jws) === named) ?? list[0];
  }

  async close(): Promise<void> {
    await this.consumer?.cancel();
    for (const w of [...this.waiting.values()].flat()) {
      clearTimeout(w.timer);
      w.reject(new ClientError('CLIENT_CLOSED', 'the client was closed'));
    }
    this.waiting.clear();
  }

  private async onReply(delivery: Delivery): Promise<void> {
    const jws = delivery.body.toString('utf8');
    // Taken off the list at once, before the verification awaits: replies to several copies of one
    // id, handled together, each go to a waiter of their own.
    const waiting = this.waiterFor(delivery.props.correlationId, jws);
    if (!waiting) {
      await this.reportUnmatched(jws, delivery.props.correlationId, delivery.props.headers?.['x-lgsp-attestation']);
      delivery.ack();
      return;
    }
    this.stopWaiting(waiting);
    let reply: Reply;
    try {
      checkFromGateway(this.options.transport, delivery);
      reply = await verifyReply({ envelope: waiting.request, jws: waiting.jws }, jws, delivery.props.headers?.['x-lgsp-attestation'], this.options);
    } catch {
      // Not the answer (forged, or bound to other bytes): the request keeps waiting for its own.
      if (!waiting.timedOut) this.waiting.set(waiting.request.id, [waiting, ...(this.waiting.get(waiting.request.id) ?? [])]);
      await this.reportUnmatched(jws, delivery.props.correlationId);
      delivery.ack();
      return;
    }
    if (!waiting.timedOut) {
      clearTimeout(waiting.timer);
      waiting.resolve(reply);
    }
    delivery.ack();
  }

  /**
   * Tells the unmatched listeners about a reply that answers nothing waiting: a gateway error (an
   * event refused), or a late copy of an answer — the gateway's, or a provider's with the
   * gateway's attestation, signed by the provider of the service it names.
   */
  private async reportUnmatched(jws: string, correlationId: string | undefined, attestation?: string | number): Promise<void> {
    if (this.unmatched.size === 0) return;
    let u: Unmatched;
    try {
      const { gateway, keys } = this.options;
      const provider = parseServiceId(unverifiedService(jws))?.system;
      const signers = provider && provider !== gateway ? [gateway, provider] : [gateway];
      const attested = { attestation: typeof attestation === 'string' ? attestation : undefined, gateway };
      u = { jws, correlationId, envelope: (await verifyReceived(jws, keys, signers, attested)).envelope };
    } catch (error) {
      u = { jws, correlationId, error: error as Error };
    }
    for (const listener of this.unmatched) listener(u);
  }
}

/** The service a JWS's payload names, read before it is verified (to know whose signature to expect). */
function unverifiedService(jws: string): unknown {
  try {
    return (decodeJws(jws).payload as { service?: unknown }).service;
  } catch {
    return undefined;
  }
}
