/**
 * What every command needs: the catalog (with keys registered in LGSP_HOME), the state
 * directory, and connections to the bus — RabbitMQ when a URL is given, else one embedded
 * broker shared by everything in this process.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { META_SYSTEM } from '../adapters/meta/methods.ts';
import type { Catalog } from '../gateway/catalog/catalog.ts';
import { loadCatalog } from '../gateway/catalog/load.ts';
import { BROKER_USERS_FILE, loadBrokerUsers, urlAs, type BrokerUsers } from '../gateway/home/broker-users.ts';
import { ensureSigningKey, lgspHome, registeredPublicKeys } from '../gateway/home/keys.ts';
import { systemsFileOf } from '../gateway/home/systems.ts';
import type { SigningKey } from '../gateway/protocol/keys.ts';
import { hidePassword } from '../gateway/redact.ts';
import { EmbeddedBroker } from '../gateway/transport/embedded.ts';
import { connectRabbit } from '../gateway/transport/rabbitmq.ts';
import type { Transport } from '../gateway/transport/transport.ts';
import { nodeUrls } from '../gateway/transport/cluster-nodes.ts';

/** Where `lgsp up` writes its logs, in the state directory. */
export const LOG_FILE = 'lgsp.log';

export interface CommonOptions {
  contracts: string;
  home?: string;
  amqpUrl?: string;
  prefix: string;
  logLevel: string;
  /**
   * On RabbitMQ, connect the gateway and each system as its own broker user, from the logins
   * `lgsp broker provision` kept in the state directory.
   */
  brokerUsers?: boolean;
  /** For `amqps://`: a file with the broker's certificate authority (PEM). */
  amqpCa?: string;
}

export interface Runtime {
  readonly catalog: Catalog;
  readonly home: string;
  readonly log: Logger;
  /** `rabbitmq` or `embedded`. */
  readonly transportKind: Transport['kind'];
  /** The broker's URL with its password redacted, when on RabbitMQ. */
  readonly amqp?: string;
  /** The queue name prefix. */
  readonly prefix: string;
  /**
   * A new connection to the bus, named for RabbitMQ's connection list; as `system`'s broker user
   * when the runtime uses per-system users (else as the gateway's).
   */
  connect(name: string, system?: string): Promise<Transport>;
  /** A system's signing key from LGSP_HOME. */
  key(system: string): Promise<SigningKey>;
  close(): Promise<void>;
}

/**
 * Opens the runtime: the catalog, keys, logger and transports a command runs with. With
 * `generateKeys`, every system of the catalog without a key in LGSP_HOME gets one first (the
 * simulator acts as all of them); with `lazyContracts` (a command that only routes: send, load),
 * the contracts' validators are compiled when first used.
 */
export async function openRuntime(options: CommonOptions, generateKeys = false, logTo: 'stderr' | 'home' = 'stderr', lazyContracts = false): Promise<Runtime> {
  const home = options.home ?? lgspHome();
  // A live summary owns the terminal: its logs go to LGSP_HOME/lgsp.log instead.
  if (logTo === 'home') mkdirSync(home, { recursive: true });
  const destination = pino.destination(logTo === 'home' ? { dest: join(home, LOG_FILE), mkdir: true, sync: false } : 2);
  // A log line that cannot be written (the disk full) is lost, never a reason to stop.
  destination.on('error', () => undefined);
  const log = pino({ level: options.logLevel }, destination);
  const systemsFile = systemsFileOf(home);
  const catalog = await loadCatalog(options.contracts, {
    systemsFile, lazyContracts,
    keysFor: async ({ gateway, systems }) => {
      if (generateKeys) {
        for (const system of [gateway, ...systems]) await ensureSigningKey(home, system);
      } else {
        // The gateway's own key, and the metaservices' when the catalog lists them.
        for (const system of [gateway, META_SYSTEM]) if (system === gateway || systems.includes(system)) await ensureSigningKey(home, system);
      }
      return registeredPublicKeys(home);
    },
  });
  const url = options.amqpUrl;
  const broker = url ? undefined : new EmbeddedBroker({ prefix: options.prefix });
  const logins = url && options.brokerUsers ? brokerLogins(home, options.prefix) : undefined;
  const ca = options.amqpCa ? readFileSync(options.amqpCa, 'utf8') : undefined;
  const open: Transport[] = [];
  return {
    catalog, home, log,
    transportKind: url ? 'rabbitmq' : 'embedded', amqp: url ? safeUrl(url) : undefined, prefix: options.prefix,
    async connect(name, system) {
      const login = logins && (system ? logins[system] : logins.gateway);
      if (logins && !login) throw new Error(`no broker user for ${system} in ${join(home, BROKER_USERS_FILE)}: run lgsp broker provision again`);
      // Each connection says when it loses the broker and when it has it again (amqplib reconnects), at one level.
      // A reconnect that keeps failing says why: its first failure, then every thirtieth (about a minute).
      let lost = false;
      let failed = 0;
      const onStatus = (connected: boolean, err?: Error) => {
        if (connected && lost) log.warn({ connection: name, failedAttempts: failed }, 'connected to RabbitMQ again');
        else if (!connected) log.warn({ connection: name, err: err?.message }, 'lost RabbitMQ: reconnecting');
        lost = !connected;
        failed = 0;
      };
      const onAttemptFailed = (err: Error) => {
        if (failed++ % 30 === 0) log.warn({ connection: name, err: err.message, failedAttempts: failed }, 'could not reconnect to RabbitMQ yet: trying again');
      };
      const transport = url
        ? await connectRabbit({ url: login ? urlAs(url, login) : url, prefix: options.prefix, name: `lgsp ${name}`, ca, onStatus, onAttemptFailed })
        : broker!.connect();
      open.push(transport);
      return transport;
    },
    key: (system) => ensureSigningKey(home, system),
    async close() {
      await Promise.all(open.map((t) => t.close()));
    },
  };
}

/** The logins `lgsp broker provision` kept for this prefix. */
function brokerLogins(home: string, prefix: string): BrokerUsers['logins'] {
  const users = loadBrokerUsers(home);
  if (!users || users.prefix !== prefix) {
    throw new Error(`no broker users for prefix ${prefix} in ${join(home, BROKER_USERS_FILE)}: run lgsp broker provision --amqp-url <an administrator's URL> first`);
  }
  return users.logins;
}

/** Redacts a password in an AMQP URL before it is shown. */
export function safeUrl(url: string): string {
  // A cluster's nodes, comma-separated: each one redacted.
  return nodeUrls(url).map((one) => hidePassword(one, 'amqp://…')).join(',');
}
