/**
 * The metaservices as services on the bus, provided by `VN/GOV/LGSP/META`: the same answers as
 * over HTTP, and `allowedMethods` filtered by the caller the gateway vouched for.
 */
import type { Logger } from 'pino';
import type { Catalog } from '../../gateway/catalog/catalog.ts';
import type { JsonObject } from '../../gateway/protocol/envelope.ts';
import type { SigningKey } from '../../gateway/protocol/keys.ts';
import type { Transport } from '../../gateway/transport/transport.ts';
import { ServiceProvider, type HandlerResult } from '../amqp/provider.ts';
import { allowedMethods, getContract, listClients, listMethods, META_SYSTEM } from './methods.ts';

const asJson = (value: unknown) => value as JsonObject;

function notFound(type: string, message: string): HandlerResult {
  return { error: { type, message } };
}

/**
 * Starts the metaservice provider; `key` must be a key of `VN/GOV/LGSP/META`.
 * @example await startMetaservices({ transport, catalog, key: await keyOf('VN/GOV/LGSP/META') })
 */
export function startMetaservices(deps: { transport: Transport; catalog: Catalog; key: SigningKey; logger?: Logger }): Promise<ServiceProvider> {
  const { catalog } = deps;
  return ServiceProvider.start({
    transport: deps.transport, system: META_SYSTEM, key: deps.key, keys: catalog.keys, gateway: catalog.gateway, logger: deps.logger,
    handlers: {
      'listClients/v1': ({ body }) => ({ body: asJson({ clients: listClients(catalog, body as { class?: string; member?: string }) }) }),
      'listMethods/v1': ({ body }) => {
        const services = listMethods(catalog, String(body.provider));
        return services ? { body: asJson({ services }) } : notFound('system.not_found', `No system ${String(body.provider)} in the catalog.`);
      },
      'allowedMethods/v1': ({ body, client }) => ({ body: asJson({ services: allowedMethods(catalog, client, body.provider as string | undefined) }) }),
      'getContract/v1': ({ body }) => {
        const contract = getContract(catalog, String(body.service));
        return contract ? { body: asJson(contract) } : notFound('service.not_found', `No service ${String(body.service)} in the catalog.`);
      },
    },
  });
}
