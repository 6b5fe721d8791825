/**
 * Every contract's examples through the gateway to the mocks: each valid request gets the
 * declared response or business error, each valid event is delivered and recorded, each invalid
 * request gets its declared error. Table-driven over contracts/: a new contract is tested without
 * new code. A contract several systems share is run against the first that provides it.
 */
import { setupServer } from 'msw/node';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ServiceProvider } from '../../adapters/amqp/provider.ts';
import { startBridge } from '../../adapters/http/bridge/bridge.ts';
import { loadBridgeConfig } from '../../adapters/http/bridge/config.ts';
import type { ContractExample, ServiceEntry } from '../../gateway/catalog/catalog.ts';
import type { BrokerHandle } from './broker.ts';
import { nationalApis } from './national-apis.ts';
import { realCatalog, startSimulationBus, type SimulationBus } from './simulation-bus.ts';

const { catalog } = await realCatalog();
const byContract = new Map<string, ServiceEntry>();
for (const s of catalog.services.values()) if (!byContract.has(s.contract.file)) byContract.set(s.contract.file, s);

type Case = { service: ServiceEntry; example: ContractExample; valid: boolean };
const cases: Case[] = [...byContract.values()].flatMap((service) => [
  ...service.contract.examples.valid.map((example) => ({ service, example, valid: true })),
  ...service.contract.examples.invalid.map((example) => ({ service, example, valid: false })),
]);

/**
 * Runs the table. With `bridges` (files under `bridges/`), those national systems are not mocked
 * on the bus: REST bridges attach their HTTP APIs (simulated with msw from the same data) instead.
 */
export function examplesSuite(makeBroker: () => BrokerHandle, options: { bridges?: readonly string[] } = {}): void {
  let bus: SimulationBus;
  const apis = setupServer();
  const bridges: ServiceProvider[] = [];
  const configs = (options.bridges ?? []).map((f) => loadBridgeConfig(resolve(import.meta.dirname, '../../bridges', f), catalog));
  // A bridged system answers only what its HTTP API has: its SOAP or adapter services, say, are another interface.
  const served = (service: ServiceEntry) => configs.every((c) => c.system !== service.provider || `${service.code}/${service.version}` in c.services);

  beforeAll(async () => {
    const broker = makeBroker();
    bus = await startSimulationBus(broker, { without: configs.map((c) => c.system) });
    if (configs.length === 0) return;
    apis.use(...nationalApis(bus.sim.data));
    apis.listen({ onUnhandledRequest: 'error' });
    for (const config of configs) {
      bridges.push(await startBridge({ transport: await broker.connect(`${config.system} bridge`), catalog: bus.catalog, key: bus.keys.get(config.system)!, config }));
    }
  });

  afterAll(async () => {
    for (const b of bridges) await b.stop();
    apis.close();
    await bus?.stop();
  });

  it('covers every contract with at least two valid and two invalid examples', () => {
    expect(byContract.size).toBe(33);
    for (const s of byContract.values()) {
      expect(s.contract.examples.valid.length, s.contract.file).toBeGreaterThanOrEqual(2);
      expect(s.contract.examples.invalid.length, s.contract.file).toBeGreaterThanOrEqual(2);
    }
  });

  it.each(cases.filter((c) => served(c.service)).map((c) => [`${c.service.id} ${c.valid ? 'valid' : 'invalid'}: ${c.example.name}`, c] as const))('%s', async (_, { service, example, valid }) => {
    const system = [...catalog.systems.keys()].find((s) => catalog.canAccess(s, service.id))!;
    const client = await bus.client(system);
    const options = example.userId ? { userId: example.userId } : {};
    if (service.mode === 'event' && valid) {
      const sent = await client.sendEvent(service.id, example.request, options);
      await expect.poll(() => bus.ledger.records.find((r) => r.messageId === sent.id)?.outcome).toBe('ok');
      return;
    }
    const { envelope, jws } = await client.sign(service.mode === 'event' ? 'event' : 'request', service.id, example.request, options);
    const reply = await client.sendSigned(jws, envelope);
    if (example.response) {
      expect(reply.status === 'ok' ? reply.body : reply.error).toEqual(example.response);
    } else if (valid && !example.error) {
      // An example with no answer pinned (a whole list, say): answered, within the response contract.
      expect(reply.status === 'ok' ? 'ok' : reply.error).toBe('ok');
    } else {
      expect(reply.status).toBe('error');
      if (reply.status === 'error') {
        expect(reply.error.type).toBe(example.error);
        expect(reply.signedBy).toBe(valid ? 'provider' : 'gateway');
      }
    }
  });
}
