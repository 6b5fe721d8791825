/**
 * The broker logins `lgsp broker provision` made, kept in the state directory
 * (`broker-users.json`, mode 0600) so that the gateway and each mocked system connect as their
 * own user, and so that provisioning again keeps each password.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BROKER_USERS_FILE = 'broker-users.json';

export interface BrokerLogin {
  readonly user: string;
  readonly password: string;
}

export interface BrokerUsers {
  readonly prefix: string;
  readonly vhost: string;
  /** By system id; the gateway's under `gateway`. */
  readonly logins: Readonly<Record<string, BrokerLogin>>;
}

export function loadBrokerUsers(home: string): BrokerUsers | undefined {
  const file = join(home, BROKER_USERS_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BrokerUsers) : undefined;
}

export function saveBrokerUsers(home: string, users: BrokerUsers): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const file = join(home, BROKER_USERS_FILE);
  writeFileSync(file, `${JSON.stringify(users, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** `url` logging in as `login` instead of whoever it names. */
export function urlAs(url: string, login: BrokerLogin): string {
  const u = new URL(url);
  u.username = encodeURIComponent(login.user);
  u.password = encodeURIComponent(login.password);
  return u.toString();
}
