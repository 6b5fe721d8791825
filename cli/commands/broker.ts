/**
 * `lgsp broker provision|remove`: the bus's broker users on RabbitMQ (least privilege, see
 * gateway/transport/broker-users.ts), made through the management API with an administrator's login.
 */
import { join } from 'node:path';
import { BROKER_USERS_FILE } from '../../gateway/home/broker-users.ts';
import { lgspHome } from '../../gateway/home/keys.ts';
import { systemsFileOf } from '../../gateway/home/systems.ts';
import { loadCatalog } from '../../gateway/catalog/load.ts';
import { busUsers } from '../../gateway/transport/broker-users.ts';
import { provisionBus, unprovisionBus } from '../../gateway/transport/provision.ts';
import { safeUrl } from '../runtime.ts';

export interface BrokerOptions {
  amqpUrl?: string;
  managementUrl?: string;
  prefix: string;
  contracts: string;
  home?: string;
}

async function provisionOptions(options: BrokerOptions) {
  if (!options.amqpUrl) throw new Error("lgsp broker needs RabbitMQ: pass --amqp-url with an administrator's login, or set AMQP_URL");
  const home = options.home ?? lgspHome();
  return { amqpUrl: options.amqpUrl, managementUrl: options.managementUrl, prefix: options.prefix, catalog: await loadCatalog(options.contracts, { systemsFile: systemsFileOf(home) }), home };
}

export async function provision(options: BrokerOptions): Promise<void> {
  const o = await provisionOptions(options);
  const users = await provisionBus({
    ...o,
    onShared: (vhosts) => process.stderr.write(`lgsp broker provision: warning: users named ${o.prefix}.* have permissions on vhost ${vhosts.join(', ')} too; RabbitMQ's users are broker-wide, so their passwords change there as well (give this bus its own --prefix)\n`),
  });
  const out = process.stdout;
  out.write(`${Object.keys(users.logins).length} broker users on ${safeUrl(o.amqpUrl)} (vhost ${users.vhost}), passwords in ${join(o.home, BROKER_USERS_FILE)} (mode 0600):\n`);
  for (const { system, user, permissions } of busUsers(o.catalog, o.prefix)) {
    const may = [permissions.write !== '^$' && `writes ${permissions.write}`, `reads ${permissions.read}`].filter(Boolean).join('; ');
    out.write(`  ${user.padEnd(40)} ${system ? may : 'the gateway: everything under the prefix'}\n`);
  }
  out.write(`\nStart with --broker-users (lgsp up, lgsp gateway, lgsp mock …) to connect each part as its own user.\n`);
}

export async function remove(options: BrokerOptions): Promise<void> {
  const o = await provisionOptions(options);
  const n = await unprovisionBus(o);
  process.stdout.write(`removed the ${n} broker users of prefix ${o.prefix} from ${safeUrl(o.amqpUrl)}\n`);
}
