/**
 * The real catalog (contracts/) with keys made for this run, a gateway, and every mocked system
 * — over the embedded broker or RabbitMQ.
 */
import { resolve } from 'node:path';
import { GatewayClient } from '../../adapters/amqp/client.ts';
import { META_SYSTEM } from '../../adapters/meta/methods.ts';
import { startMetaservices } from '../../adapters/meta/provider.ts';
import type { Catalog } from '../../gateway/catalog/catalog.ts';
import type { GatewayConfig } from '../../gateway/config.ts';
import type { Journal } from '../../gateway/ledger/journal.ts';
import { MemoryLedger, type TransactionRecord } from '../../gateway/ledger/ledger.ts';
import { createGateway, type Gateway } from '../../gateway/pipeline/gateway.ts';
import { FaultController } from '../../mocks/faults.ts';
import { startSimulation, type Simulation } from '../../mocks/simulation.ts';
import type { BrokerHandle } from './broker.ts';
import { catalogWithKeys, type FixtureCatalog } from './bus.ts';

export const CONTRACTS = resolve(import.meta.dirname, '../../contracts');

let real: Promise<FixtureCatalog> | undefined;
export const realCatalog = () => (real ??= catalogWithKeys(CONTRACTS));

export interface SimulationBus extends FixtureCatalog {
  readonly gateway: Gateway;
  readonly ledger: MemoryLedger;
  readonly sim: Simulation;
  readonly faults: FaultController;
  client(system: string): Promise<GatewayClient>;
  stop(): Promise<void>;
}

export async function startSimulationBus(
  broker: BrokerHandle,
  options: {
    resultDelayMs?: number; citizens?: number; config?: Partial<GatewayConfig>; without?: readonly string[]; journal?: Journal; onRecord?: (record: TransactionRecord) => void;
    /** What the gateway and the doors are given as the catalog (a test that watches which keys they look up); the mocks get the real one. */
    viewCatalog?: (catalog: Catalog) => Catalog;
  } = {},
): Promise<SimulationBus> {
  const real = await realCatalog();
  const { keys } = real;
  const catalog = options.viewCatalog?.(real.catalog) ?? real.catalog;
  const mocksCatalog = real.catalog;
  const ledger = new MemoryLedger();
  const gateway = createGateway({ transport: await broker.connect('gateway'), catalog, key: keys.get(catalog.gateway)!, ledger, config: options.config, journal: options.journal, onRecord: options.onRecord });
  await gateway.start();
  const meta = await startMetaservices({ transport: await broker.connect('metaservices'), catalog: mocksCatalog, key: keys.get(META_SYSTEM)! });
  const faults = new FaultController();
  const env = { catalog: mocksCatalog, faults, connect: (name: string) => broker.connect(name), key: async (s: string) => keys.get(s)! };
  const sim = await startSimulation(env, { seed: 2025, citizens: options.citizens ?? 2000, resultDelayMs: options.resultDelayMs ?? 300, without: options.without });
  // One test client per system, on a reply queue of its own: the mock of that system has its own client too.
  const clients = new Map<string, Promise<GatewayClient>>();
  const instanceQueues: string[] = [];
  return {
    catalog, keys, gateway, ledger, sim, faults,
    client(system) {
      if (!clients.has(system)) {
        clients.set(system, (async () => {
          const transport = await broker.connect(`${system} test`);
          instanceQueues.push(transport.names.replies(system, 'test'));
          return GatewayClient.connect({ transport, system, key: keys.get(system)!, keys: catalog.keys, gateway: catalog.gateway, instance: 'test' });
        })());
      }
      return clients.get(system)!;
    },
    async stop() {
      for (const c of clients.values()) await (await c).close();
      await sim.stop();
      await meta.stop();
      await gateway.stop();
      await broker.cleanup([...catalog.systems.keys()], instanceQueues);
    },
  };
}
