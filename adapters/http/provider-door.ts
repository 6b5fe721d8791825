/**
 * The HTTP provider door (docs/protocol.md §7): a system in any language provides its services
 * with plain HTTP. Registered with a URL (`lgsp system add … --provider-url`), it is called by the
 * gateway's side for each message of a service it provides, X-Road REST style:
 *
 *   POST <providerUrl>/r1/<service id>
 *   Authorization: Bearer <the door's secret, shown once by lgsp system add>
 *   X-Road-Client, X-Road-Service, X-Road-Id, X-Road-UserId, X-Road-Issue, X-Lgsp-Transaction
 *   Content-Type: application/json            the request's body, as the client sent it
 *
 * and answers `200` with the reply's body (JSON), or a 4xx with `{"type": "<a business error the
 * contract declares>", "message": "…"}`; an event is taken with any 2xx. The door verifies the
 * client's signature and the gateway's attestation as any provider does, signs the answer with the
 * system's key in the state directory (as credential mode signs for clients), and the gateway checks
 * it against the contract and records it as for a provider on the bus (the REST bridge does the
 * calling: bridge/bridge.ts).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Catalog } from '../../gateway/catalog/catalog.ts';
import type { SigningKey } from '../../gateway/protocol/keys.ts';
import type { Transport } from '../../gateway/transport/transport.ts';
import type { ServiceProvider } from '../amqp/provider.ts';
import { startBridge } from './bridge/bridge.ts';
import type { BridgeConfig } from './bridge/config.ts';

const SECRETS_DIR = 'provider-doors';

function secretFile(home: string, system: string): string {
  return join(home, SECRETS_DIR, `${system.replaceAll('/', '_')}.json`);
}

/** Makes (or makes anew) the secret the door presents to `system`'s URL; returns it, to be shown once. */
export function issueProviderSecret(home: string, system: string): string {
  const secret = `lgspd_${randomBytes(32).toString('base64url')}`;
  mkdirSync(join(home, SECRETS_DIR), { recursive: true });
  const file = secretFile(home, system);
  writeFileSync(file, `${JSON.stringify({ system, secret })}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

/** The secret the door presents to `system`'s URL, if one was made. */
export function providerSecretOf(home: string, system: string): string | undefined {
  const file = secretFile(home, system);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { secret: string }).secret : undefined;
}

/** The REST bridge's configuration of a provider door: every service of `system`, at `/r1/<service id>`. */
export function providerDoorConfig(catalog: Catalog, system: string, providerUrl: string, secret: string): BridgeConfig {
  const entry = catalog.systems.get(system);
  if (!entry || entry.services.length === 0) throw new Error(`${system} provides no service in the catalog: nothing to call ${providerUrl} for (give it --like <system>)`);
  const services = Object.fromEntries(entry.services.map((id) => {
    const service = catalog.services.get(id)!;
    return [`${service.code}/${service.version}`, { method: 'POST' as const, path: `/r1/${id}` }];
  }));
  return { system, baseUrl: providerUrl.replace(/\/+$/, ''), headers: { Authorization: `Bearer ${secret}` }, errorField: 'type', services };
}

export interface ProviderDoorDeps {
  readonly transport: Transport;
  readonly catalog: Catalog;
  /** The system's key, which signs its answers. */
  readonly key: SigningKey;
  readonly providerUrl: string;
  readonly secret: string;
  readonly logger?: Logger;
}

/**
 * Starts the door of the system `key` belongs to: it consumes the system's inbox and calls its URL.
 * @example await startProviderDoor({ transport, catalog, key, providerUrl: 'http://127.0.0.1:9300', secret })
 */
export function startProviderDoor(deps: ProviderDoorDeps): Promise<ServiceProvider> {
  return startBridge({
    transport: deps.transport, catalog: deps.catalog, key: deps.key, logger: deps.logger,
    config: providerDoorConfig(deps.catalog, deps.key.system, deps.providerUrl, deps.secret),
  });
}

/** True once something accepts a connection at `url`'s host and port. */
function reachable(url: string): Promise<boolean> {
  const { hostname, port, protocol } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || (protocol === 'https:' ? 443 : 80)) });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Opens the door once the system's URL accepts connections — so that, as for a provider on the bus,
 * the system is "connected" when it is up, and nothing is taken off its inbox to fail before then.
 * It looks every half second for as long as it is open.
 */
export function openProviderDoor(deps: ProviderDoorDeps): { stop(): Promise<void> } {
  let stopped = false;
  let door: ServiceProvider | undefined;
  const opened = (async () => {
    while (!stopped && !(await reachable(deps.providerUrl))) await new Promise((r) => setTimeout(r, 500));
    if (stopped) return;
    door = await startProviderDoor(deps);
    deps.logger?.info({ system: deps.key.system, url: deps.providerUrl }, 'provider door open');
  })().catch((err: Error) => deps.logger?.error({ err, system: deps.key.system }, 'the provider door could not open'));
  return {
    async stop() {
      stopped = true;
      await opened;
      await door?.stop();
    },
  };
}
