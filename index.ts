/**
 * The package's entry (`import … from 'lgsp-simulator'`): the SDK to join the bus — a client and a
 * provider, the catalog, connections and keys. `lgsp-simulator/testing` has `startSimulator()`.
 * TypeScript sources: run them under tsx or vitest.
 */
export { GatewayClient, type Reply, type SendOptions } from './adapters/amqp/client.ts';
export { ServiceProvider, NO_REPLY, type Handler, type IncomingMessage } from './adapters/amqp/provider.ts';
export { loadCatalog } from './gateway/catalog/load.ts';
export type { Catalog } from './gateway/catalog/catalog.ts';
export { ensureSigningKey, lgspHome, registeredPublicKeys } from './gateway/home/keys.ts';
export { connectRabbit } from './gateway/transport/rabbitmq.ts';
export { EmbeddedBroker } from './gateway/transport/embedded.ts';
export type { FaultRule } from './mocks/faults.ts';
