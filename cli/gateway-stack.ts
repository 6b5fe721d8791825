/**
 * The gateway as the commands run it: the durable ledger in LGSP_HOME, Prometheus metrics,
 * and the operator server on its own port.
 */
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { TransactionRecord } from '../gateway/ledger/ledger.ts';
import { LedgerReader } from '../gateway/ledger/queries.ts';
import { SqliteLedger } from '../gateway/ledger/sqlite.ts';
import { createOperatorApp } from '../gateway/operator/app.ts';
import { createMetrics } from '../gateway/operator/metrics.ts';
import { createGateway, type Gateway } from '../gateway/pipeline/gateway.ts';
import type { Runtime } from './runtime.ts';

export interface StackOptions {
  /** Operator server port; `false` for none. */
  readonly operatorPort: number | false;
  readonly operatorHost?: string;
  readonly retentionDays?: number;
  readonly onRecord?: (record: TransactionRecord) => void;
  readonly routes?: import('express').Router;
}

export interface GatewayStack {
  readonly gateway: Gateway;
  readonly ledgerFile: string;
  /** The operator server's address, e.g. `http://127.0.0.1:8081`. */
  readonly operatorUrl?: string;
  stop(): Promise<void>;
}

export async function startGatewayStack(rt: Runtime, options: StackOptions): Promise<GatewayStack> {
  const ledgerFile = join(rt.home, 'ledger.sqlite');
  const ledger = new SqliteLedger({ file: ledgerFile, retentionDays: options.retentionDays ?? 30 });
  const transport = await rt.connect('gateway');
  let gateway: Gateway | undefined;
  const metrics = createMetrics({ inflight: () => gateway?.inflight() ?? 0, brokerUp: () => transport.isConnected() });
  gateway = createGateway({
    transport, catalog: rt.catalog, key: await rt.key(rt.catalog.gateway), ledger, logger: rt.log,
    onRecord: (record) => {
      metrics.observe(record);
      options.onRecord?.(record);
    },
  });
  await gateway.start();

  let server: Server | undefined;
  let reader: LedgerReader | undefined;
  let operatorUrl: string | undefined;
  if (options.operatorPort !== false) {
    reader = new LedgerReader(ledgerFile);
    const app = createOperatorApp({ reader, metrics, routes: options.routes, readiness: () => ({ broker: transport.isConnected(), ledger: ledger.db.open }) });
    const host = options.operatorHost ?? '127.0.0.1';
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(options.operatorPort as number, host, () => resolve(s)).once('error', reject);
    });
    const address = server.address();
    operatorUrl = `http://${host}:${typeof address === 'object' && address ? address.port : options.operatorPort}`;
  }
  const g = gateway;
  return {
    gateway: g, ledgerFile, operatorUrl,
    async stop() {
      server?.closeAllConnections();
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
      await g.stop();
      reader?.close();
      await ledger.close();
    },
  };
}
