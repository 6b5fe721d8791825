/**
 * A system's client through the HTTP ingress in signed mode (docs/protocol.md §7): the same signed
 * request it would put on the bus, POSTed as `application/jose`; the reply in `X-Lgsp-Signature`
 * (and `X-Lgsp-Attestation`) verified end to end exactly as the bus SDK verifies it.
 */
import type { JsonObject } from '../../gateway/protocol/envelope.ts';
import type { SigningKey } from '../../gateway/protocol/keys.ts';
import { trustingFetch } from './trusting-fetch.ts';
import { signEnvelope, verifyReply, type Reply, type SendOptions, type Trust } from '../amqp/reply.ts';
import { LgspError } from '../../gateway/protocol/errors.ts';

export interface HttpClientOptions extends Omit<Trust, 'system'> {
  /** The ingress, e.g. `http://127.0.0.1:8080`. */
  readonly baseUrl: string;
  readonly key: SigningKey;
  readonly timeoutMs?: number;
  /** A certificate authority to trust besides the system's (PEM), for an ingress on HTTPS. */
  readonly ca?: string;
}

/** An answer from the ingress that carries no signed message (so nothing to verify). */
export class IngressAnswerError extends LgspError {
  constructor(readonly status: number, readonly type: string | undefined, message: string) {
    super('INGRESS_ANSWER', message);
  }
}

/**
 * @example
 * const client = new HttpGatewayClient({ baseUrl: 'http://127.0.0.1:8080', key, keys: catalog.keys, gateway: catalog.gateway });
 * const reply = await client.request('VN/GOV/BCA/DANCU/citizen.verify/v1', body);
 */
export class HttpGatewayClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: HttpClientOptions) {
    this.fetch = trustingFetch(options.ca);
  }

  private async post(service: string, jws: string, id: string): Promise<Response> {
    const res = await this.fetch(`${this.options.baseUrl}/r1/${service}`, {
      method: 'POST', body: jws, signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      headers: { 'Content-Type': 'application/jose', 'X-Road-Client': this.options.key.system, 'X-Road-Id': id },
    });
    return res;
  }

  /** Signs and sends a request; resolves with the verified reply (an `ok` body or an error). */
  async request(service: string, body: JsonObject, options: SendOptions = {}): Promise<Reply> {
    const sent = await signEnvelope(this.options.key, 'request', service, body, options);
    const res = await this.post(service, sent.jws, sent.envelope.id);
    const signed = res.headers.get('X-Lgsp-Signature');
    if (!signed) throw await unsigned(res);
    await res.arrayBuffer();
    return verifyReply(sent, signed, res.headers.get('X-Lgsp-Attestation') ?? undefined, { ...this.options, system: this.options.key.system });
  }

  /** Signs and sends an event; resolves with its id once the ingress has checked and queued it (202). */
  async sendEvent(service: string, body: JsonObject, options: SendOptions = {}): Promise<string> {
    const sent = await signEnvelope(this.options.key, 'event', service, body, options);
    const res = await this.post(service, sent.jws, sent.envelope.id);
    if (res.status !== 202) throw await unsigned(res);
    await res.arrayBuffer();
    return sent.envelope.id;
  }
}

async function unsigned(res: Response): Promise<IngressAnswerError> {
  const text = await res.text();
  let type: string | undefined;
  let message = text.slice(0, 300);
  try {
    const body = JSON.parse(text) as { type?: string; message?: string };
    type = body.type;
    message = `${body.type}: ${body.message}`;
  } catch {
    /* not JSON: show it as it came */
  }
  return new IngressAnswerError(res.status, type, `the ingress answered ${res.status} ${message}`);
}
