/**
 * The REST bridge: attaches a national system whose real interface is an HTTP API to the bus.
 * It consumes the system's inbox like any provider (verifying client and gateway signatures),
 * calls the API as its configuration says (axios), and signs the reply as that system.
 *
 * How the API's answers become replies:
 * - 2xx with a JSON object: the reply body, which the gateway checks against the contract;
 * - a status the configuration maps (e.g. 404): that business error;
 * - 5xx, a refused or reset connection: the `unavailableError` business error (`database.unavailable`);
 * - no answer within the timeout: no reply, so the gateway answers `server.provider_timeout`;
 * - a body that is not a JSON object, or an unmapped 4xx: an error the contract does not declare
 *   (`upstream.malformed_reply`, `upstream.rejected`), which the gateway answers as
 *   `server.provider_contract_violation`.
 * An event the API does not take is handed back to the queue (retried, then dead-lettered).
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { pino, type Logger } from 'pino';
import type { Catalog, ServiceEntry } from '../../../gateway/catalog/catalog.ts';
import type { JsonObject } from '../../../gateway/protocol/envelope.ts';
import type { SigningKey } from '../../../gateway/protocol/keys.ts';
import type { Transport } from '../../../gateway/transport/transport.ts';
import { NO_REPLY, ServiceProvider, type Handler, type HandlerResult, type IncomingMessage } from '../../amqp/provider.ts';
import type { BridgeConfig, BridgeRoute } from './config.ts';

export interface BridgeDeps {
  readonly transport: Transport;
  readonly catalog: Catalog;
  /** The key of the bridged system; replies are signed with it. */
  readonly key: SigningKey;
  readonly config: BridgeConfig;
  readonly logger?: Logger;
}

/** The largest API answer read, as the gateway's own message limit. */
const MAX_ANSWER_BYTES = 1024 * 1024;

interface ApiCall {
  readonly url: string;
  readonly params?: Record<string, string>;
  readonly data?: JsonObject;
}

/** Fills `{field}` placeholders from the body; other scalar fields become the query of a GET or DELETE. */
function buildCall(route: BridgeRoute, body: JsonObject): ApiCall {
  const used = new Set<string>();
  const url = route.path.replace(/\{([^}]*)\}/g, (_, field: string) => {
    used.add(field);
    return encodeURIComponent(String(body[field] ?? ''));
  });
  if (route.method === 'GET' || route.method === 'DELETE') {
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) if (!used.has(k) && v !== null && typeof v !== 'object') params[k] = String(v);
    return { url, params };
  }
  return { url, data: body };
}

function parseObject(text: unknown): JsonObject | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

const error = (type: string, message: string): HandlerResult => ({ error: { type, message } });

function isTimeout(err: unknown): boolean {
  return axios.isAxiosError(err) && (err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT');
}

/**
 * Starts a bridge.
 * @example await startBridge({ transport, catalog, key, config: loadBridgeConfig('bridges/dancu.yaml', catalog) })
 */
export function startBridge(deps: BridgeDeps): Promise<ServiceProvider> {
  const { config, catalog } = deps;
  const log = deps.logger ?? pino({ level: 'silent' });
  const api: AxiosInstance = axios.create({
    baseURL: config.baseUrl, headers: { Accept: 'application/json', ...config.headers },
    // The bridge reads every answer itself: no status is an exception, no body is parsed for it.
    validateStatus: () => true, responseType: 'text', transformResponse: [(d: unknown) => d],
    maxContentLength: MAX_ANSWER_BYTES, maxRedirects: 0,
  });

  function answer(service: ServiceEntry, route: BridgeRoute, res: AxiosResponse): HandlerResult {
    const parsed = parseObject(res.data);
    if (res.status >= 200 && res.status < 300) {
      if (service.mode === 'event') return undefined;
      return parsed ? { body: parsed } : error('upstream.malformed_reply', `${config.system}'s API answered HTTP ${res.status} with a body that is not a JSON object.`);
    }
    // An event the API did not take goes back to the queue: retried, then dead-lettered.
    if (service.mode === 'event') throw new Error(`${config.system}'s API did not take the event: HTTP ${res.status}`);
    if (res.status >= 500) return error(config.unavailableError ?? 'upstream.unavailable', `${config.system}'s API answered HTTP ${res.status}; try again later.`);
    const named = config.errorField ? parsed?.[config.errorField] : undefined;
    const type = route.errors?.[String(res.status)] ?? (typeof named === 'string' && service.contract.errors.some((e) => e.type === named) ? named : undefined);
    const message = typeof parsed?.message === 'string' ? parsed.message.slice(0, 500) : `${config.system}'s API answered HTTP ${res.status}.`;
    return error(type ?? 'upstream.rejected', message);
  }

  function handlerFor(method: string, route: BridgeRoute): Handler {
    const service = catalog.services.get(`${config.system}/${method}`)!;
    return async ({ body, envelope, tx }: IncomingMessage) => {
      const call = buildCall(route, body);
      let res: AxiosResponse;
      try {
        res = await api.request({
          method: route.method, url: call.url, params: call.params, data: call.data, timeout: route.timeoutMs ?? service.timeoutMs,
          headers: {
            'X-Road-Client': envelope.client, 'X-Road-Service': envelope.service, 'X-Road-Id': envelope.id, 'X-Lgsp-Transaction': tx,
            ...(envelope.userId && { 'X-Road-UserId': envelope.userId }), ...(envelope.issue && { 'X-Road-Issue': envelope.issue }),
          },
        });
      } catch (err) {
        const code = axios.isAxiosError(err) ? err.code : undefined;
        log.warn({ tx, service: service.id, code }, 'the API did not answer');
        if (service.mode === 'event') throw err;
        if (isTimeout(err)) return NO_REPLY;
        return error(config.unavailableError ?? 'upstream.unavailable', `${config.system}'s API could not be reached (${code ?? 'error'}); try again later.`);
      }
      return answer(service, route, res);
    };
  }

  const handlers = Object.fromEntries(Object.entries(config.services).map(([method, route]) => [method, handlerFor(method, route)]));
  return ServiceProvider.start({
    transport: deps.transport, system: config.system, key: deps.key, keys: catalog.keys, gateway: catalog.gateway, handlers, logger: deps.logger,
  });
}
