/**
 * The gateway as the commands run it: the durable ledger in LGSP_HOME, Prometheus metrics,
 * the metaservices on the bus, the HTTP ingress and the operator server, each on its own port.
 */
import { chmodSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import { join } from 'node:path';
import { ensureTls } from '../gateway/home/tls.ts';
import type { TransactionRecord } from '../gateway/ledger/ledger.ts';
import { LedgerReader } from '../gateway/ledger/queries.ts';
import { SqliteJournal, tappedJournal, type JournalEntry } from '../gateway/ledger/journal.ts';
import { SqliteLedger } from '../gateway/ledger/sqlite.ts';
import { PgLedger } from '../gateway/ledger/postgres.ts';
import { isPgUrl } from '../gateway/ledger/postgres-db.ts';
import type { Ledger } from '../gateway/ledger/ledger.ts';
import Database from 'better-sqlite3';
import { createOperatorApp } from '../gateway/operator/app.ts';
import { createMetrics } from '../gateway/operator/metrics.ts';
import { queueDepths } from '../gateway/operator/queues.ts';
import { createGateway, type Gateway } from '../gateway/pipeline/gateway.ts';
import type { DvcqgConfig } from '../adapters/dvcqg/facade.ts';
import { doorServer } from '../adapters/http/door-server.ts';
import { createIngress, type Ingress, type IngressConfig } from '../adapters/http/ingress.ts';
import { OPERATOR, TokenStore } from '../adapters/http/tokens.ts';
import { META_SYSTEM } from '../adapters/meta/methods.ts';
import { startMetaservices } from '../adapters/meta/provider.ts';
import type { ServiceProvider } from '../adapters/amqp/provider.ts';
import { loadSigningKey } from '../gateway/home/keys.ts';
import { lockHome, type HomeLock } from '../gateway/home/running.ts';
import { keptFile, keptRuns } from '../checker/store.ts';
import type { Runtime } from './runtime.ts';
import { recordThenNotify } from '../gateway/ledger/record.ts';
import { LgspError } from '../gateway/protocol/errors.ts';
import { openProviderDoor, providerSecretOf } from '../adapters/http/provider-door.ts';
import { registeredSystems } from '../gateway/home/systems.ts';

export interface StackOptions {
  /** The command running the stack, shown to a second one that finds the state directory in use. */
  readonly command: string;
  /** Operator server port; `false` for none. */
  readonly operatorPort: number | false;
  /** Address the operator server and the ingress listen on (default 127.0.0.1, this machine only). */
  readonly host?: string;
  /** HTTP ingress port; `false` for none. */
  readonly ingressPort?: number | false;
  /** Requests a second each system may make through the ingress. */
  readonly ratePerSecond?: number;
  /** Messages a second each system may send on the bus. */
  readonly busRatePerSecond?: number;
  readonly retentionDays?: number;
  readonly onRecord?: (record: TransactionRecord) => void;
  readonly routes?: import('express').Router;
  /**
   * Serve the ingress and the operator server over HTTPS, with a certificate from the state
   * directory's own authority (LGSP_HOME/tls/ca.pem, made on first use).
   */
  readonly tls?: boolean;
  /**
   * Journal each transaction (docs/protocol.md §6): the request and answer as they were at the
   * door, the signed messages, the checks. On for `lgsp up` (synthetic data), off by default for a
   * gateway others share.
   */
  readonly journal?: boolean;
  /** Hands every journal entry to this as well (lgsp check watching the system under test); implies a journal. */
  readonly journalTap?: (tx: string, entries: readonly JournalEntry[]) => void;
  /** The ingress's places and lifetimes for the real APIs (defaults in adapters/http/ingress.ts). */
  readonly ingressConfig?: Partial<IngressConfig>;
  readonly dvcqg?: Partial<DvcqgConfig>;
  /**
   * `postgres://…`: record in that PostgreSQL ledger, which several gateway instances share
   * (gateway/ledger/postgres.ts), instead of LGSP_HOME/ledger.sqlite.
   */
  readonly ledger?: string;
}

export interface GatewayStack {
  readonly gateway: Gateway;
  /** The SQLite ledger's file; with a PostgreSQL ledger, the file the journal is kept in. */
  readonly ledgerFile: string;
  /** The operator server's address, e.g. `http://127.0.0.1:8081`. */
  readonly operatorUrl?: string;
  /** The ingress's address, e.g. `http://127.0.0.1:8080`. */
  readonly ingressUrl?: string;
  stop(): Promise<void>;
}

/**
 * Starts the gateway, its ledger, metaservices, ingress and operator server. Claims the state
 * directory first, so a second gateway on the same ledger stops at once (HomeInUseError).
 */
export async function startGatewayStack(rt: Runtime, options: StackOptions): Promise<GatewayStack> {
  const lock = lockHome(rt.home, { command: options.command, transport: rt.transportKind, amqp: rt.amqp, prefix: rt.prefix });
  const stops: Array<() => Promise<void> | void> = [() => lock.release()];
  try {
    return await startLocked(rt, options, lock, stops);
  } catch (err) {
    for (const stop of stops.reverse()) await stop();
    throw err;
  }
}

async function startLocked(rt: Runtime, options: StackOptions, lock: HomeLock, stops: Array<() => Promise<void> | void>): Promise<GatewayStack> {
  const host = options.host ?? '127.0.0.1';
  const tls = options.tls ? await serverCertificate(rt.home, host) : undefined;
  const shared = isPgUrl(options.ledger);
  // With a shared ledger, this instance's journal stays in its own state directory.
  const ledgerFile = join(rt.home, shared ? 'journal.sqlite' : 'ledger.sqlite');
  // The gateway's key signs the ledger's heads (ledger/heads.ts).
  const gatewayKey = await rt.key(rt.catalog.gateway);
  const local = shared ? undefined : new SqliteLedger({ file: ledgerFile, retentionDays: options.retentionDays ?? 30, signer: gatewayKey });
  const ledger: Ledger = local ?? await PgLedger.open({ url: options.ledger!, retentionDays: options.retentionDays ?? 30, signer: gatewayKey });
  stops.push(() => ledger.close());
  const journalDb = options.journal || options.journalTap ? local?.db ?? openPrivate(ledgerFile) : undefined;
  if (!local) stops.push(() => void journalDb?.close());
  const kept = journalDb ? new SqliteJournal(journalDb) : undefined;
  stops.push(() => kept?.close());
  const journal = options.journalTap ? tappedJournal(kept, options.journalTap) : kept;
  const transport = await rt.connect('gateway');
  let gateway: Gateway | undefined;
  const metrics = createMetrics({ inflight: () => gateway?.inflight() ?? 0, brokerUp: () => transport.isConnected(), ledger: () => ledger.health() });
  const onRecord = (record: TransactionRecord) => {
    metrics.observe(record);
    options.onRecord?.(record);
  };
  gateway = createGateway({
    transport, catalog: rt.catalog, key: gatewayKey, ledger, logger: rt.log, onRecord, journal, onUnrecorded: (type, door) => metrics.unauthenticated(door, type),
    config: options.busRatePerSecond ? { clientRatePerSecond: options.busRatePerSecond } : {},
  });
  await gateway.start();
  const started = gateway;
  stops.push(() => started.stop());
  let meta: ServiceProvider | undefined;
  if (rt.catalog.systems.has(META_SYSTEM)) {
    meta = await startMetaservices({ transport: await rt.connect('metaservices', META_SYSTEM), catalog: rt.catalog, key: await rt.key(META_SYSTEM), logger: rt.log });
  }
  // The HTTP provider doors of the systems registered with a URL (lgsp system add --provider-url).
  for (const registered of registeredSystems(rt.home).filter((s) => s.providerUrl && rt.catalog.systems.has(s.id))) {
    const secret = providerSecretOf(rt.home, registered.id);
    if (!secret) {
      rt.log.warn({ system: registered.id }, 'no provider door secret in the state directory: run lgsp system add again');
      continue;
    }
    const door = openProviderDoor({
      transport: await rt.connect(`provider door ${registered.id}`, registered.id), catalog: rt.catalog, key: await rt.key(registered.id),
      providerUrl: registered.providerUrl!, secret, logger: rt.log,
    });
    stops.push(() => door.stop());
  }

  let ingress: Ingress | undefined;
  let ingressServer: Server | undefined;
  let ingressUrl: string | undefined;
  if (options.ingressPort !== undefined && options.ingressPort !== false) {
    ingress = createIngress({
      transport: await rt.connect('ingress'), catalog: rt.catalog, tokens: new TokenStore(rt.home), keyOf: (system) => loadSigningKey(rt.home, system),
      gatewayKey, logger: rt.log, config: { ...options.ingressConfig, ...(options.ratePerSecond && { ratePerSecond: options.ratePerSecond }) }, journal, dvcqg: options.dvcqg,
      publicUrl: () => ingressUrl,
      countUnauthenticated: (type) => metrics.unauthenticated('http', type),
      // Recorded and counted as the gateway records and counts its own (ledger/record.ts).
      record: recordThenNotify(ledger, onRecord),
    });
    const opened = ingress;
    stops.push(() => opened.close());
    ingressServer = await listen(ingress.app, options.ingressPort, options.host ?? '127.0.0.1', '--ingress-port', tls);
    ingressUrl = urlOf(ingressServer, options.host ?? '127.0.0.1');
  }

  let server: Server | undefined;
  let reader: LedgerReader | undefined;
  let operatorUrl: string | undefined;
  if (options.operatorPort !== false) {
    reader = local ? new LedgerReader(ledgerFile) : undefined;
    const systems = [...rt.catalog.systems.keys()];
    const tokens = new TokenStore(rt.home);
    const app = createOperatorApp({
      reader, metrics, routes: options.routes, queues: () => queueDepths(transport, systems), isOperatorToken: (t) => tokens.systemOf(t) === OPERATOR,
      readiness: () => {
        const health = ledger.health();
        return { broker: transport.isConnected(), ledger: health.ok, ...(!health.ok && { ledgerDown: health.reason }) };
      },
      checkRuns: (system) => keptRuns(rt.home).filter((r) => !system || r.system === system),
      checkReport: (run, file) => keptFile(rt.home, run, file),
    });
    server = await listen(app, options.operatorPort, host, '--operator-port', tls);
    operatorUrl = urlOf(server, host);
  }
  const g = gateway;
  lock.update({ ingressUrl, operatorUrl });
  return {
    gateway: g, ledgerFile, operatorUrl, ingressUrl,
    async stop() {
      for (const s of [ingressServer, server]) {
        s?.closeAllConnections();
        await new Promise((resolve) => (s ? s.close(resolve) : resolve(undefined)));
      }
      await ingress?.close();
      await meta?.stop();
      await g.stop();
      reader?.close();
      kept?.close();
      await ledger.close();
      if (!local) journalDb?.close();
      lock.release();
    },
  };
}

/** A SQLite file of this gateway's own (the journal beside a shared ledger), readable by its owner alone. */
function openPrivate(file: string): Database.Database {
  const db = new Database(file);
  chmodSync(file, 0o600);
  return db;
}

/** A port this process could not listen on; says which option changes it. */
export class PortInUseError extends LgspError {
  constructor(readonly port: number, readonly option: string, cause: Error) {
    super('PORT_IN_USE', (cause as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? `port ${port} is already in use (another lgsp up?): stop that process, or pass ${option} <port> (0 picks a free one)`
      : `cannot listen on port ${port}: ${cause.message} (pass ${option} <port>)`, { cause });
  }
}

/** The server certificate and key of the state directory's authority, for `host` too. */
async function serverCertificate(home: string, host: string): Promise<{ cert: string; key: string }> {
  const files = await ensureTls(home, host === '0.0.0.0' || host === '::' ? [] : [host]);
  return { cert: readFileSync(files.cert, 'utf8'), key: readFileSync(files.key, 'utf8') };
}

function listen(app: import('express').Express, port: number, host: string, option: string, tls?: { cert: string; key: string }): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    // Every door's server: the timeouts checked each second, and a cap on connections (adapters/http/ingress.ts).
    const s = doorServer(app, tls);
    s.once('error', (err) => reject(new PortInUseError(port, option, err)));
    s.listen(port, host, () => resolve(s));
  });
}

function urlOf(server: Server, host: string): string {
  const address = server.address();
  const scheme = server instanceof HttpsServer ? 'https' : 'http';
  return `${scheme}://${host}:${typeof address === 'object' && address ? address.port : 0}`;
}
