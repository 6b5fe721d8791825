/**
 * `lgsp broker provision`: creates the bus's broker users (broker-users.ts) through RabbitMQ's
 * management API, with an administrator's login, and keeps their passwords in the state
 * directory. Provisioning again keeps each password and sets the permissions anew.
 */
import { randomBytes } from 'node:crypto';
import type { Catalog } from '../catalog/catalog.ts';
import { loadBrokerUsers, saveBrokerUsers, type BrokerLogin, type BrokerUsers } from '../home/broker-users.ts';
import { busUsers, replyQueuesPolicy, type Permissions } from './broker-users.ts';

export interface ProvisionOptions {
  /** An AMQP URL with an administrator's login; its vhost is the bus's. */
  readonly amqpUrl: string;
  /** Default: http://<the AMQP host>:15672, with the AMQP URL's login. */
  readonly managementUrl?: string;
  readonly prefix: string;
  readonly catalog: Catalog;
  readonly home: string;
}

/** The management API at `base`, with the login of `amqpUrl`; throws an error a person can act on. */
function managementApi(amqpUrl: string, base?: string) {
  const amqp = new URL(amqpUrl);
  const api = new URL(base ?? `http://${amqp.hostname}:15672`);
  const user = decodeURIComponent(api.username || amqp.username || 'guest');
  const password = decodeURIComponent(api.password || amqp.password || 'guest');
  api.username = '';
  api.password = '';
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const root = api.toString().replace(/\/$/, '');
  return async (method: 'PUT' | 'DELETE' | 'GET', path: string, body?: unknown): Promise<unknown> => {
    let res: Response;
    try {
      res = await fetch(`${root}/api/${path}`, {
        method, headers: { authorization, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (cause) {
      throw new Error(`RabbitMQ's management API at ${root} did not answer: enable it (rabbitmq-plugins enable rabbitmq_management) or give --management-url`, { cause });
    }
    if (res.status === 401) throw new Error(`RabbitMQ's management API at ${root} refused the login ${user}: give an administrator's login in the URL`);
    if (res.status === 404 && method !== 'PUT') return undefined;
    if (!res.ok) throw new Error(`RabbitMQ's management API at ${root} answered ${res.status} to ${method} /api/${path}: ${await res.text()}`);
    const text = await res.text();
    return text ? JSON.parse(text) : undefined;
  };
}

function vhostOf(amqpUrl: string): string {
  const path = new URL(amqpUrl).pathname;
  return path.length > 1 ? decodeURIComponent(path.slice(1)) : '/';
}

/**
 * The vhosts other than `vhost` where the bus's users (named by prefix) have permissions already:
 * RabbitMQ's users are broker-wide, so provisioning here gives them new passwords there too.
 */
async function otherVhostsOf(api: ReturnType<typeof managementApi>, user: string, vhost: string): Promise<string[]> {
  const permissions = (await api('GET', `users/${encodeURIComponent(user)}/permissions`)) as { vhost: string }[] | undefined;
  return (permissions ?? []).map((p) => p.vhost).filter((v) => v !== vhost);
}

/**
 * Creates (or updates) the gateway's and every system's broker user; returns the logins, also
 * saved in `home`. `onShared` hears of other vhosts whose bus uses the same user names (give this
 * bus its own `--prefix`): their passwords change too.
 */
export async function provisionBus(options: ProvisionOptions & { onShared?: (vhosts: string[]) => void }): Promise<BrokerUsers> {
  const api = managementApi(options.amqpUrl, options.managementUrl);
  const vhost = vhostOf(options.amqpUrl);
  const shared = await otherVhostsOf(api, busUsers(options.catalog, options.prefix)[0]!.user, vhost);
  if (shared.length > 0) options.onShared?.(shared);
  const before = loadBrokerUsers(options.home);
  const kept = before?.prefix === options.prefix && before.vhost === vhost ? before.logins : {};
  const logins: Record<string, BrokerLogin> = {};
  const v = encodeURIComponent(vhost);
  for (const { system, user, permissions } of busUsers(options.catalog, options.prefix)) {
    const key = system ?? 'gateway';
    const password = kept[key]?.user === user ? kept[key]!.password : randomBytes(24).toString('base64url');
    await api('PUT', `users/${encodeURIComponent(user)}`, { password, tags: '' });
    await api('PUT', `permissions/${v}/${encodeURIComponent(user)}`, permissions satisfies Permissions);
    logins[key] = { user, password };
  }
  // Whatever a system's user declares for its instances, the broker bounds it.
  const policy = replyQueuesPolicy(options.prefix);
  await api('PUT', `operator-policies/${v}/${encodeURIComponent(policy.name)}`, policy.body);
  const users: BrokerUsers = { prefix: options.prefix, vhost, logins };
  saveBrokerUsers(options.home, users);
  return users;
}

/** Deletes the bus's broker users (those `busUsers` names for this catalog and prefix). */
export async function unprovisionBus(options: ProvisionOptions): Promise<number> {
  const api = managementApi(options.amqpUrl, options.managementUrl);
  const users = busUsers(options.catalog, options.prefix);
  for (const { user } of users) await api('DELETE', `users/${encodeURIComponent(user)}`);
  await api('DELETE', `operator-policies/${encodeURIComponent(vhostOf(options.amqpUrl))}/${encodeURIComponent(replyQueuesPolicy(options.prefix).name)}`);
  return users.length;
}
