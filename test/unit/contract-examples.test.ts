/**
 * The invalid examples of every contract in `contracts/`, sent through the gateway: each gets
 * the error its contract says it must. Table-driven: a new contract is tested without new code.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayClient } from '../../adapters/amqp/client.ts';
import { MemoryLedger } from '../../gateway/ledger/ledger.ts';
import { createGateway, type Gateway } from '../../gateway/pipeline/gateway.ts';
import { EmbeddedBroker } from '../../gateway/transport/embedded.ts';
import { catalogWithKeys, type FixtureCatalog } from '../helpers/bus.ts';

const CONTRACTS = resolve(import.meta.dirname, '../../contracts');
const bus = await catalogWithKeys(CONTRACTS);
const cases = [...bus.catalog.services.values()].flatMap((service) =>
  service.contract.examples.invalid.map((example) => ({ service, example })),
);

describe('the invalid examples of every contract, through the gateway', () => {
  let gateway: Gateway;
  const clients = new Map<string, GatewayClient>();
  const broker = new EmbeddedBroker();

  /** A client allowed to call `service`: the first catalog system with the access right. */
  async function clientFor({ catalog, keys }: FixtureCatalog, service: string): Promise<GatewayClient> {
    const system = [...catalog.systems.keys()].find((s) => catalog.canAccess(s, service))!;
    if (!clients.has(system)) {
      clients.set(system, await GatewayClient.connect({ transport: broker.connect(), system, key: keys.get(system)!, keys: catalog.keys, gateway: catalog.gateway }));
    }
    return clients.get(system)!;
  }

  beforeAll(async () => {
    gateway = createGateway({ transport: broker.connect(), catalog: bus.catalog, key: bus.keys.get(bus.catalog.gateway)!, ledger: new MemoryLedger() });
    await gateway.start();
  });

  afterAll(async () => {
    for (const c of clients.values()) await c.close();
    await gateway.stop();
  });

  it('has examples to run', () => {
    expect(cases.length).toBeGreaterThanOrEqual(2 * bus.catalog.services.size);
  });

  it.each(cases.map((c) => [`${c.service.id}: ${c.example.name}`, c] as const))('%s', async (_, { service, example }) => {
    const client = await clientFor(bus, service.id);
    const options = example.userId ? { userId: example.userId } : {};
    const { envelope, jws } = await client.sign(service.mode === 'event' ? 'event' : 'request', service.id, example.request, options);
    const reply = await client.sendSigned(jws, envelope);
    expect(reply.status === 'error' && reply.error.type).toBe(example.error);
  });
});
