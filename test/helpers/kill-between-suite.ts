/**
 * A gateway killed after it recorded an answer and before it delivered it, run over each
 * transport: the request comes back to the next gateway, which finds the answer in the ledger and
 * delivers that very answer — the client gets what the ledger holds, and the provider is asked once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GatewayClient } from '../../adapters/amqp/client.ts';
import { ServiceProvider } from '../../adapters/amqp/provider.ts';
import { MemoryLedger, type StoredAnswer, type TransactionRecord } from '../../gateway/ledger/ledger.ts';
import { createGateway, type Gateway } from '../../gateway/pipeline/gateway.ts';
import type { Transport } from '../../gateway/transport/transport.ts';
import type { BrokerHandle } from './broker.ts';
import { CAOBANG, DANCU, fixtureCatalog, GATEWAY, PERSON, VERIFY, verifyHandler } from './bus.ts';

/** The ledger of one run, shared by both gateways; the first gateway's connection dies right after its first answer is recorded. */
class KillingLedger extends MemoryLedger {
  kill?: () => Promise<void>;

  override async record(record: TransactionRecord, answer?: StoredAnswer): Promise<boolean> {
    const inserted = await super.record(record, answer);
    const kill = this.kill;
    this.kill = undefined;
    await kill?.();
    return inserted;
  }
}

export function killBetweenSuite(makeBroker: () => BrokerHandle): void {
  const broker = makeBroker();
  const ledger = new KillingLedger();
  const gateways: Gateway[] = [];
  let provider: ServiceProvider;
  let client: GatewayClient;
  let asked = 0;

  beforeAll(async () => {
    const { catalog, keys } = await fixtureCatalog();
    const start = async (transport: Transport) => {
      const g = createGateway({ transport, catalog, key: keys.get(GATEWAY)!, ledger });
      await g.start();
      gateways.push(g);
      return g;
    };
    const first = await broker.connect('first gateway');
    ledger.kill = async () => {
      await first.close(); // as SIGKILL would: the request the gateway held goes back to the ingress queue
      await start(await broker.connect('second gateway'));
    };
    await start(first);
    provider = await ServiceProvider.start({
      transport: await broker.connect(DANCU), system: DANCU, key: keys.get(DANCU)!, keys: catalog.keys, gateway: GATEWAY,
      handlers: { 'citizen.verify/v1': (m) => ((asked += 1), verifyHandler(m)) },
    });
    client = await GatewayClient.connect({ transport: await broker.connect(CAOBANG), system: CAOBANG, key: keys.get(CAOBANG)!, keys: catalog.keys, gateway: GATEWAY, timeoutMs: 20_000 });
  });

  afterAll(async () => {
    await client?.close();
    await provider?.stop();
    for (const g of gateways) await g.stop().catch(() => undefined);
    const { catalog } = await fixtureCatalog();
    await broker.cleanup([...catalog.systems.keys()]);
  });

  it('delivers the recorded answer from the next gateway; the provider is asked once', async () => {
    const reply = await client.request(VERIFY, PERSON);
    expect(reply.status).toBe('ok');
    expect(asked).toBe(1);
    const records = ledger.records.filter((r) => r.tx === reply.tx);
    expect(records.map((r) => r.outcome)).toEqual(['ok']);
    expect((await ledger.answerOf(reply.tx!))?.jws).toBe(reply.jws); // what the client received is what the ledger holds
    expect(gateways).toHaveLength(2);
  });
}
