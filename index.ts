/**
 * The package's entry (`import … from 'lgsp-simulator'`): the SDK to join the bus — a client and a
 * provider, the catalog, connections and keys. `lgsp-simulator/testing` has `startSimulator()`.
 * Built to `dist/` (`npm run build`, run by `npm ci` and `npm pack`).
 */
export { GatewayClient, type Reply, type SendOptions } from './adapters/amqp/client.ts';
// One error family: every error the package throws is an LgspError with a `code` to switch on.
export { LgspError, ClientError, GatewayError, ERROR_CATALOGUE, type LgspErrorCode, type ErrorType, type ErrorBody, type Violation } from './gateway/protocol/errors.ts';
export { TransportError, type TransportErrorCode } from './gateway/transport/transport.ts';
export { CatalogError } from './gateway/catalog/source.ts';
export { HomeInUseError } from './gateway/home/running.ts';
export { VerificationError } from './adapters/amqp/verify.ts';
export { ServiceProvider, NO_REPLY, type Handler, type IncomingMessage } from './adapters/amqp/provider.ts';
export { loadCatalog } from './gateway/catalog/load.ts';
export type { Catalog } from './gateway/catalog/catalog.ts';
export { ensureSigningKey, lgspHome, registeredPublicKeys } from './gateway/home/keys.ts';
export { connectRabbit } from './gateway/transport/rabbitmq.ts';
export { EmbeddedBroker } from './gateway/transport/embedded.ts';
export type { FaultRule } from './mocks/faults.ts';
export type { Stub } from './mocks/stubs.ts';
