/**
 * A whole bus for a test: the fixture catalog with keys made for this run, a gateway on its own
 * connection, and clients and providers each on theirs — over the embedded broker or RabbitMQ.
 */
import { resolve } from 'node:path';
import { pino } from 'pino';
import type { JWK } from 'jose';
import { GatewayClient } from '../../adapters/amqp/client.ts';
import { ServiceProvider, type Handler } from '../../adapters/amqp/provider.ts';
import type { Catalog } from '../../gateway/catalog/catalog.ts';
import { loadCatalog } from '../../gateway/catalog/load.ts';
import { gatewayConfig, type GatewayConfig } from '../../gateway/config.ts';
import { MemoryLedger } from '../../gateway/ledger/ledger.ts';
import { createGateway, type Gateway } from '../../gateway/pipeline/gateway.ts';
import { generateSigningKey, type SigningKey } from '../../gateway/protocol/keys.ts';
import type { Transport } from '../../gateway/transport/transport.ts';
import type { BrokerHandle } from './broker.ts';

/** Gateway logs stay quiet in tests unless LGSP_TEST_LOG names a level (e.g. `debug`). */
const logger = pino({ level: process.env.LGSP_TEST_LOG ?? 'silent' });

export const FIXTURE_CONTRACTS = resolve(import.meta.dirname, '../fixtures/contracts');
export { DANCU, DVCQG, LLTP, THUE } from '../../mocks/national/systems.ts';
export const GATEWAY = 'VN/GOV/LGSP/GATEWAY';
export const CAOBANG = 'VN/PROV/CAOBANG/MOTCUA';
export const DIENBIEN = 'VN/PROV/DIENBIEN/MOTCUA';
export const VERIFY = 'VN/GOV/BCA/DANCU/citizen.verify/v1';

/** The citizen the fixture requests name, whom the fixture provider knows. */
export const PERSON = Object.freeze({ idNumber: '004190000001', fullName: 'Nông Văn A', dateOfBirth: '1990-01-01' });

export interface FixtureCatalog {
  readonly catalog: Catalog;
  readonly keys: ReadonlyMap<string, SigningKey>;
}

let fixture: Promise<FixtureCatalog> | undefined;

/** A catalog folder loaded with a fresh key pair (EdDSA and ES256 in turn) for every system and the gateway. */
export async function catalogWithKeys(dir: string): Promise<FixtureCatalog> {
  const systems = [...(await loadCatalog(dir)).systems.keys(), GATEWAY];
  const keys = new Map<string, SigningKey>();
  const publicKeys = new Map<string, JWK[]>();
  for (const [i, system] of systems.entries()) {
    const generated = await generateSigningKey(system, 'k1', i % 2 === 0 ? 'EdDSA' : 'ES256');
    keys.set(system, generated.signing);
    publicKeys.set(system, [generated.publicJwk]);
  }
  return { catalog: await loadCatalog(dir, { extraKeys: publicKeys }), keys };
}

/** The fixture catalog with keys, made once per test file. */
export function fixtureCatalog(): Promise<FixtureCatalog> {
  fixture ??= catalogWithKeys(FIXTURE_CONTRACTS);
  return fixture;
}

/** Answers citizen.verify like a population database would for two known people. */
export const verifyHandler: Handler = ({ body }) => {
  if (body.idNumber === '004190999999') return { error: { type: 'citizen.not_found', message: 'No citizen has this ID number.' } };
  return { body: { match: true, differences: [] } };
};

export interface TestBus extends FixtureCatalog {
  readonly broker: BrokerHandle;
  readonly ledger: MemoryLedger;
  gateway: Gateway;
  gatewayTransport: Transport;
  /** Starts a (new) gateway on a new connection, or on `transport`. */
  startGateway(transport?: Transport): Promise<Gateway>;
  client(system?: string, options?: { timeoutMs?: number; now?: () => number; instance?: string }): Promise<GatewayClient>;
  provider(system: string, handlers: Record<string, Handler>, options?: { key?: SigningKey }): Promise<ServiceProvider>;
  stop(): Promise<void>;
}

/**
 * A bus of the fixture catalog on `broker`, its gateway started by `startGateway`; `onUnrecorded`
 * hears each refusal the gateway counts without recording (pipeline/publishers.ts).
 */
export async function createTestBus(broker: BrokerHandle, config: Partial<GatewayConfig> = {}, onUnrecorded?: (type: string, door: string) => void): Promise<TestBus> {
  const { catalog, keys } = await fixtureCatalog();
  const ledger = new MemoryLedger();
  const stoppers: Array<() => Promise<void>> = [];
  const instanceQueues: string[] = [];
  const bus: TestBus = {
    catalog, keys, broker, ledger,
    gateway: undefined as unknown as Gateway,
    gatewayTransport: undefined as unknown as Transport,
    async startGateway(transport) {
      bus.gatewayTransport = transport ?? (await broker.connect('gateway'));
      bus.gateway = createGateway({ transport: bus.gatewayTransport, catalog, key: keys.get(GATEWAY)!, ledger, config, logger, onUnrecorded });
      instanceQueues.push(bus.gatewayTransport.names.responsesOf(gatewayConfig(config).instance));
      await bus.gateway.start();
      const g = bus.gateway;
      stoppers.push(() => g.stop());
      return g;
    },
    async client(system = CAOBANG, options = {}) {
      const transport = await broker.connect(system);
      const client = await GatewayClient.connect({ transport, system, key: keys.get(system)!, keys: catalog.keys, gateway: GATEWAY, ...options });
      if (options.instance) instanceQueues.push(transport.names.replies(system, options.instance));
      stoppers.push(() => client.close());
      return client;
    },
    async provider(system, handlers, options = {}) {
      const transport = await broker.connect(system);
      const provider = await ServiceProvider.start({ transport, system, key: options.key ?? keys.get(system)!, keys: catalog.keys, gateway: GATEWAY, handlers });
      stoppers.push(() => provider.stop());
      return provider;
    },
    async stop() {
      for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
      await broker.cleanup([...catalog.systems.keys()], instanceQueues);
    },
  };
  await bus.startGateway();
  return bus;
}
