/**
 * A bus whose gateway records to a real SQLite ledger and counts Prometheus metrics, with the
 * operator app over them — what `lgsp up` runs, built in a test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerReader } from '../../gateway/ledger/queries.ts';
import { SqliteLedger } from '../../gateway/ledger/sqlite.ts';
import { createOperatorApp } from '../../gateway/operator/app.ts';
import { createMetrics, type GatewayMetrics } from '../../gateway/operator/metrics.ts';
import { queueDepths } from '../../gateway/operator/queues.ts';
import { createGateway, type Gateway } from '../../gateway/pipeline/gateway.ts';
import type { Transport } from '../../gateway/transport/transport.ts';
import type { BrokerHandle } from './broker.ts';
import { fixtureCatalog, GATEWAY } from './bus.ts';

export interface RecordedBus {
  readonly gateway: Gateway;
  readonly ledger: SqliteLedger;
  readonly metrics: GatewayMetrics;
  readonly transport: Transport;
  /** The operator server on a loopback port. */
  readonly url: string;
  stop(): Promise<void>;
}

/** The one token this test server takes as the operator's. */
export const OPERATOR_TOKEN = 'the-operator-token';

export async function startRecordedBus(broker: BrokerHandle): Promise<RecordedBus> {
  const { catalog, keys } = await fixtureCatalog();
  const dir = mkdtempSync(join(tmpdir(), 'lgsp-recorded-'));
  const file = join(dir, 'ledger.sqlite');
  const ledger = new SqliteLedger({ file });
  const transport = await broker.connect('gateway');
  let gateway: Gateway | undefined;
  const metrics = createMetrics({ inflight: () => gateway?.inflight() ?? 0, brokerUp: () => transport.isConnected() });
  gateway = createGateway({ transport, catalog, key: keys.get(GATEWAY)!, ledger, onRecord: (r) => metrics.observe(r) });
  await gateway.start();
  const reader = new LedgerReader(file);
  const app = createOperatorApp({ reader, metrics, queues: () => queueDepths(transport, [...catalog.systems.keys()]), readiness: () => ({ broker: transport.isConnected(), ledger: ledger.health().ok }),
    isOperatorToken: (token) => token === OPERATOR_TOKEN,
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const g = gateway;
  return {
    gateway: g, ledger, metrics, transport,
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await g.stop();
      reader.close();
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
