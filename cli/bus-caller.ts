/**
 * How `lgsp send` and `lgsp load` reach a running gateway: over RabbitMQ when an AMQP URL is
 * given, else through the HTTP ingress of the gateway that `running.json` in the state directory
 * names (an `npm start` on the embedded transport has no broker anyone else can join).
 */
import { GatewayClient } from '../adapters/amqp/client.ts';
import type { Reply, SendOptions } from '../adapters/amqp/reply.ts';
import { HttpGatewayClient } from '../adapters/http/client.ts';
import { runningIn } from '../gateway/home/running.ts';
import { trustedCa } from '../gateway/home/tls.ts';
import type { JsonObject } from '../gateway/protocol/envelope.ts';
import { safeUrl, type Runtime } from './runtime.ts';

export interface BusCaller {
  /** Which gateway this reaches, and through which door, for a person. */
  readonly via: string;
  request(service: string, body: JsonObject, options?: SendOptions): Promise<Reply>;
  /** Resolves with the event's id once the gateway's door has it. */
  sendEvent(service: string, body: JsonObject, options?: SendOptions): Promise<string>;
  close(): Promise<void>;
}

/** Opens a caller acting as `system`, or says why no running gateway can be reached. */
export async function openCaller(rt: Runtime, options: { system: string; amqpUrl?: string; timeoutMs: number; purpose: string }): Promise<BusCaller> {
  const key = await rt.key(options.system);
  const trust = { keys: rt.catalog.keys, gateway: rt.catalog.gateway };
  if (options.amqpUrl) {
    const client = await GatewayClient.connect({
      ...trust, transport: await rt.connect(`${options.purpose} ${options.system}`, options.system), system: options.system, key,
      timeoutMs: options.timeoutMs, instance: `${options.purpose}-${process.pid}`,
    });
    return {
      via: `the gateway on RabbitMQ ${safeUrl(options.amqpUrl)} (queue prefix "${rt.prefix}")`,
      request: (service, body, o) => client.request(service, body, o),
      sendEvent: async (service, body, o) => (await client.sendEvent(service, body, o)).id,
      close: () => client.close(),
    };
  }
  const running = runningIn(rt.home);
  if (!running) {
    throw new Error(`no gateway is running on the state directory ${rt.home}: start one with npm start (or lgsp up) here, `
      + 'use its --home (or LGSP_HOME), or pass --amqp-url for a gateway on RabbitMQ');
  }
  const where = `lgsp ${running.command} (pid ${running.pid}, ${running.transport === 'rabbitmq' ? `RabbitMQ ${running.amqp}` : 'embedded transport'})`;
  if (!running.ingressUrl) throw new Error(`${where} runs without its HTTP ingress: restart it without --no-ingress, or pass --amqp-url`);
  const ca = running.ingressUrl.startsWith('https:') ? trustedCa(rt.home) : undefined;
  const client = new HttpGatewayClient({ ...trust, baseUrl: running.ingressUrl, key, timeoutMs: options.timeoutMs, ca });
  return {
    via: `${where} through its HTTP ingress ${running.ingressUrl}`,
    request: (service, body, o) => client.request(service, body, o),
    sendEvent: (service, body, o) => client.sendEvent(service, body, o),
    close: async () => undefined,
  };
}

/** The operator server to read: `--url` if given, else the running gateway's, else the default port. */
export function operatorUrlFor(home: string, given: string | undefined): { url: string; via: string } {
  if (given) return { url: given, via: given };
  const running = runningIn(home);
  if (running?.operatorUrl) return { url: running.operatorUrl, via: `lgsp ${running.command} (pid ${running.pid}) at ${running.operatorUrl}` };
  return { url: 'http://127.0.0.1:8081', via: 'http://127.0.0.1:8081' };
}
